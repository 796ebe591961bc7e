"""`screening desk`: the long-running loop at a checkpoint counter.

Stays warm (lists, indexes and policy loaded once), reads MRZ text from a keyboard-wedge or
serial document reader on standard input (2 or 3 lines per document, CR/LF/CRLF, reader
padding) and/or watches a scan folder, shows each verdict, and clears the screen after a while
so that personal data does not stay on display.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli.app import ExitCode, OutputFormat, app, err_console, out_console
from screening.cli.screen_cmd import (
    AgencyOpt,
    AllowlistOpt,
    EncodingOpt,
    NoAuditOpt,
    PolicyOpt,
    RecruiterOpt,
    TodayOpt,
    WatchlistOpt,
    _session,
)

if TYPE_CHECKING:
    from screening.cli.screen_cmd import Session
    from screening.screen import ScreeningResult
    from screening.writers import ReportWriter

__all__ = ["MrzLineBuffer", "desk_command"]

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
# What readers add around the MRZ: spaces, tabs, STX/ETX framing, NUL padding.
_PADDING = re.compile(r"[\s\x00\x02\x03]+")
_MAX_LINE = 4096


class MrzLineBuffer:
    """Collect reader lines into documents: 3 lines of 30, or 2 lines of 36 or 44.

    A blank line ends a document early (it is then parsed as it is, and the engine reports what
    is wrong); text that is not MRZ-like is passed on as its own document so that it is
    reported, not dropped.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._lines: list[str] = []
        self._rest = ""

    def feed(self, chunk: str) -> list[str]:
        """Add raw text; return the documents completed by it, as newline-joined text."""
        documents: list[str] = []
        parts = _LINE_SPLIT.split(self._rest + chunk)
        self._rest = parts.pop()
        if len(self._rest) > _MAX_LINE:
            # A "line" that never ends (a stuck reader, a pasted file) is passed on as one
            # document, which the engine reports, instead of growing without bound.
            parts.append(self._rest[:_MAX_LINE])
            self._rest = ""
        for raw in parts:
            line = _PADDING.sub("", raw).upper()
            if not line:
                if self._lines:
                    documents.append("\n".join(self._lines))
                    self._lines = []
                continue
            self._lines.append(line)
            if self._complete():
                documents.append("\n".join(self._lines))
                self._lines = []
        return documents

    def flush(self) -> list[str]:
        """At end of input: whatever is left, as a last document."""
        tail = _PADDING.sub("", self._rest).upper()
        if tail:
            self._lines.append(tail)
        self._rest = ""
        left = ["\n".join(self._lines)] if self._lines else []
        self._lines = []
        return left

    def _complete(self) -> bool:
        lengths = [len(line) for line in self._lines]
        if len(lengths) == 3 and all(n == 30 for n in lengths):
            return True
        if len(lengths) == 2 and lengths[0] == lengths[1] and lengths[0] in (36, 44):
            return True
        # A line that cannot belong to a 30-character document ends it at 2 lines.
        return len(lengths) >= 3 or (len(lengths) == 2 and lengths[0] != 30)


def _show(
    result: ScreeningResult, fmt: OutputFormat, session: Session, csv_out: ReportWriter | None
) -> None:
    import json  # noqa: PLC0415

    from screening.summary import result_panel, result_to_dict  # noqa: PLC0415

    item = result_to_dict(result)
    session.record(item)
    if fmt is OutputFormat.TABLE:
        out_console.print(result_panel(result))
    elif csv_out is not None:
        csv_out.write_item(item)
    else:
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _ask(prompt: str, interactive: bool) -> str | None:
    if not interactive:
        return None
    try:
        answer = typer.prompt(prompt, default="", show_default=False)
    except EOFError:
        return None
    except typer.Abort:  # Ctrl-C at the prompt stops the desk; it never means "skip"
        raise KeyboardInterrupt from None
    return answer.strip() or None


def _stable_files(folder: Path, sizes: dict[str, tuple[int, float]]) -> list[Path]:
    """Regular files whose size and mtime did not change since the previous poll."""
    ready: list[Path] = []
    current: dict[str, tuple[int, float]] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ready
    for entry in entries:
        if entry.name.startswith(".") or entry.name in ("done", "failed"):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        signature = (st.st_size, st.st_mtime)
        current[entry.path] = signature
        if sizes.get(entry.path) == signature and st.st_size > 0:
            ready.append(Path(entry.path))
    sizes.clear()
    sizes.update(current)
    return ready


def _move(path: Path, folder: Path, sub: str) -> None:
    target_dir = folder / sub
    target_dir.mkdir(mode=0o700, exist_ok=True)
    target = target_dir / path.name
    counter = 1
    while target.exists():
        target = target_dir / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    shutil.move(str(path), str(target))


@app.command("desk")
def desk_command(
    watch: Annotated[
        Path | None,
        typer.Option("--watch", help="Also screen scans dropped into this folder."),
    ] = None,
    no_stdin: Annotated[
        bool, typer.Option("--no-stdin", help="Do not read MRZ text from standard input.")
    ] = False,
    clear_after: Annotated[
        float | None,
        typer.Option(
            "--clear-after",
            min=0,
            help="Clear the screen this many seconds after a verdict (default: clear_after_s).",
        ),
    ] = None,
    recruiter: RecruiterOpt = None,
    agency: AgencyOpt = None,
    watchlist: WatchlistOpt = None,
    allowlist: AllowlistOpt = None,
    policy: PolicyOpt = None,
    encoding: EncodingOpt = "utf-8",
    today: TodayOpt = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, or jsonl / csv (one row per document) for other tools; "
            "json is refused (the desk runs until stopped).",
        ),
    ] = OutputFormat.TABLE,
    no_audit: NoAuditOpt = False,
) -> int:
    """Run at a counter: screen each document from a reader on stdin or a scan folder.

    A document is 2 or 3 MRZ lines from a keyboard-wedge or serial reader (CR, LF or CRLF;
    padding ignored). With a terminal, it asks for the recruiter and agency of each traveller.
    Scans dropped into --watch are screened once they stop growing, then moved to done/ or
    failed/. The screen is cleared --clear-after seconds after each verdict (0: never).
    Ends at end of input (or Ctrl-C); exit code is the worst verdict seen.

    Example: screening desk --watch /srv/scans -w watchlists/recruiters.csv
    """
    from screening.cli.screen_cmd import exit_code_for  # noqa: PLC0415

    if output_format is OutputFormat.JSON:
        raise typer.BadParameter(
            "the desk streams results until stopped: use jsonl or csv", param_hint="--format"
        )
    session = _session(
        audit=not no_audit,
        today=today,
        recruiter=recruiter,
        agency=agency,
        watchlist=watchlist,
        allowlist=allowlist,
        policy=policy,
        encoding=encoding,
    )
    screener = session.screener
    clear_s = session.config.clear_after_s if clear_after is None else clear_after
    interactive = sys.stdin.isatty() and out_console.is_terminal
    csv_out = None
    if output_format is OutputFormat.CSV:  # the header now, a row per document as it comes
        from screening.writers import ReportWriter  # noqa: PLC0415

        csv_out = ReportWriter("csv", None, sys.stdout)
    if output_format is OutputFormat.TABLE:
        err_console.print("Desk ready. Scan a document (Ctrl-C or end of input to stop).")
    verdicts: list[str] = []
    buffer = MrzLineBuffer()
    sizes: dict[str, tuple[int, float]] = {}
    shown_at: float | None = None
    stdin_open = not no_stdin
    fd = sys.stdin.fileno() if stdin_open else -1
    if not stdin_open and watch is None:
        raise typer.BadParameter("nothing to read: give --watch or read standard input")

    def handle(text: str, source: str) -> None:
        nonlocal shown_at
        who = screener
        if interactive:
            who = screener.with_parties(
                _ask("Recruiter name (Enter to skip)", interactive) or recruiter,
                _ask("Agency name (Enter to skip)", interactive) or agency,
            )
        for result in who.screen_text(text, source=source):
            _show(result, output_format, session, csv_out)
            verdicts.append(result.verdict.value)
        shown_at = time.monotonic()

    try:
        while stdin_open or watch is not None:
            if stdin_open:
                readable, _, _ = select.select([fd], [], [], 0.5)
                if readable:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        stdin_open = False
                        for document in buffer.flush():
                            handle(document, "-")
                        if watch is None:
                            break
                    else:
                        for document in buffer.feed(chunk.decode("utf-8", errors="replace")):
                            handle(document, "-")
            else:
                time.sleep(0.5)
            if watch is not None:
                for path in _stable_files(watch, sizes):
                    results = screener.screen_source(str(path))
                    for result in results:
                        _show(result, output_format, session, csv_out)
                        verdicts.append(result.verdict.value)
                    failed = any(r.error_code for r in results)
                    _move(path, watch, "failed" if failed else "done")
                    shown_at = time.monotonic()
            if (
                shown_at is not None
                and clear_s > 0
                and out_console.is_terminal
                and time.monotonic() - shown_at > clear_s
            ):
                out_console.clear()
                # ESC[3J also empties the scrollback, where names and numbers would remain.
                out_console.file.write("\x1b[3J")
                out_console.file.flush()
                err_console.print("Screen cleared. Ready for the next document.")
                shown_at = None
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    finally:
        session.close()
    return exit_code_for(verdicts) if verdicts else ExitCode.CLEAR
