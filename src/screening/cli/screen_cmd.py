"""`screening screen` and `screening batch`: the checkpoint commands.

Typer only: options -> `ScreenOptions` -> `Screener` -> `summary`/`writers` -> `ExitCode`.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self

import typer
from rich.markup import escape

from screening.cli.app import (
    ExitCode,
    OcrTimeoutOpt,
    OutputFormat,
    app,
    err_console,
    out_console,
)
from screening.errors import EnvironmentProblem
from screening.model import Verdict

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from screening.audit import AuditLog
    from screening.config import Config
    from screening.screen import Screener, ScreeningResult

__all__ = ["Session", "exit_code_for", "screen_command"]

# Inputs left out on purpose (a link not followed, a second path to the same file) are in the
# report but do not make the batch's exit code NO RESULT.
_SKIPPED = frozenset({"symlink_not_followed", "duplicate_file"})
_VERDICT_EXIT = {
    Verdict.CLEAR: ExitCode.CLEAR,
    Verdict.REVIEW: ExitCode.REVIEW,
    Verdict.ALERT: ExitCode.ALERT,
    Verdict.NO_RESULT: ExitCode.NO_RESULT,
}
# Worst first: an alert anywhere outranks an unscreened document, which outranks a review.
_PRECEDENCE = (Verdict.ALERT, Verdict.NO_RESULT, Verdict.REVIEW, Verdict.CLEAR)


def exit_code_for(verdicts: Iterable[Verdict | str]) -> ExitCode:
    """The exit code of the worst verdict (ALERT > NO_RESULT > REVIEW > CLEAR)."""
    seen = {Verdict(v) for v in verdicts}
    for verdict in _PRECEDENCE:
        if verdict in seen:
            return _VERDICT_EXIT[verdict]
    return ExitCode.NO_RESULT


WatchlistOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--watchlist",
        "-w",
        readable=False,  # an unreadable list is a list error (exit 6), not a usage error
        help="Watchlist file (CSV or JSON lines); repeat for several. Default: from config.",
    ),
]
AllowlistOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--allowlist", "-a", readable=False, help="Allowlist of licensed agencies; repeatable."
    ),
]
RecruiterOpt = Annotated[
    str | None, typer.Option("--recruiter", help="Name of the recruiter (a person) to screen.")
]
AgencyOpt = Annotated[
    str | None, typer.Option("--agency", help="Name of the placement agency to screen.")
]
PolicyOpt = Annotated[
    Path | None,
    typer.Option("--policy", readable=False, help="Risk policy TOML (default: the shipped one)."),
]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", help="Screen as of this date (YYYY-MM-DD); default: today."),
]
EncodingOpt = Annotated[
    str,
    typer.Option("--encoding", help="Text encoding of the list files (default UTF-8)."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(tz=dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--today") from None


class Session:
    """A warm Screener plus the audit log it records to, built from the effective config."""

    def __init__(self, screener: Screener, config: Config, *, audit: bool) -> None:
        """Keep the screener; open the audit log lazily on the first record."""
        self.screener = screener
        self.config = config
        self._audit_enabled = audit
        self._log: AuditLog | None = None

    def record(self, item: Mapping[str, Any]) -> None:
        """Append one screened document (a result dict) to the audit log: no names, no MRZ."""
        if not self._audit_enabled:
            return
        from screening.audit import AuditLog, AuditRecord  # noqa: PLC0415

        if self._log is None:
            self._log = AuditLog(self.config.audit_db, self.config.audit_key)
        document = item.get("document") or {}
        fields = document.get("fields") or {}
        agency = (item.get("matches") or {}).get("agency") or []
        self._log.record(
            AuditRecord(
                ts=dt.datetime.now(tz=dt.UTC),
                checkpoint=self.config.checkpoint,
                officer_id=self.config.officer_id,
                doc_type=document.get("doc_type"),
                issuing_state=fields.get("issuing_state") or None,
                nationality=fields.get("nationality") or None,
                document_number=fields.get("document_number") or None,
                verdict=str(item["verdict"]),
                reason_codes=tuple(dict.fromkeys(r["code"] for r in item["reasons"])),
                list_versions=tuple((i["name"], i["sha256"]) for i in item["lists"]),
                agency_flags=tuple(
                    dict.fromkeys(f"{m['list']}:{m['entity_id']}" for m in agency if m["strength"])
                ),
            )
        )

    def close(self) -> None:
        """Close the audit log if it was opened."""
        if self._log is not None:
            self._log.close()


NoAuditOpt = Annotated[
    bool,
    typer.Option("--no-audit", help="Do not record this screening in the audit log."),
]


def _session(
    *,
    audit: bool = True,
    today: str | None,
    recruiter: str | None,
    agency: str | None,
    watchlist: list[Path] | None,
    allowlist: list[Path] | None,
    policy: Path | None,
    encoding: str = "utf-8",
    ocr_timeout: float | None = None,
) -> Session:
    from screening.config import configured_policy, effective_config  # noqa: PLC0415
    from screening.screen import Screener, ScreenOptions  # noqa: PLC0415

    flags: dict[str, object] = {
        "watchlists": watchlist,
        "allowlists": allowlist,
        "policy": policy,
        "ocr_timeout_s": ocr_timeout,
    }
    config = effective_config({k: v for k, v in flags.items() if v is not None})
    options = ScreenOptions(
        today=_today(today),
        recruiter=recruiter,
        agency=agency,
        watchlists=config.watchlists,
        allowlists=config.allowlists,
        policy=config.policy,
        max_list_age_days=config.max_list_age_days,
        list_encoding=encoding,
        possible_threshold=config.possible_threshold,
        strong_threshold=config.strong_threshold,
        ocr_timeout_s=config.ocr_timeout_s,
        max_pixels=config.max_pixels,
        max_pages=config.max_pages,
        max_bytes=config.max_bytes,
        max_text_chars=config.max_text_chars,
        max_text_lines=config.max_text_lines,
        max_field_bytes=config.max_field_bytes,
    )
    return Session(Screener(options, policy=configured_policy(config)), config, audit=audit)


def _emit(results: list[ScreeningResult], items: list[dict[str, Any]], fmt: OutputFormat) -> None:
    import json  # noqa: PLC0415

    from screening.summary import result_panel  # noqa: PLC0415
    from screening.writers import ReportWriter  # noqa: PLC0415

    if fmt is OutputFormat.TABLE:
        for result in results:
            out_console.print(result_panel(result))
        return
    if fmt is OutputFormat.JSON and len(items) == 1:
        sys.stdout.write(json.dumps(items[0], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    writer = ReportWriter(fmt.value, None, sys.stdout)
    for item in items:
        writer.write_item(item)
    writer.finish(_summary(results, complete=True, inputs=len({r.source for r in results})))


def _summary(results: list[ScreeningResult], *, complete: bool, inputs: int) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    return {
        "complete": complete,
        "inputs": inputs,
        "documents": len(results),
        "verdicts": counts,
        "exit_code": int(exit_code_for(r.verdict for r in results)),
    }


@app.command("screen")
def screen_command(
    source: Annotated[
        str, typer.Argument(help="Image, PDF or MRZ text file to screen; '-' reads MRZ text.")
    ],
    recruiter: RecruiterOpt = None,
    agency: AgencyOpt = None,
    watchlist: WatchlistOpt = None,
    allowlist: AllowlistOpt = None,
    policy: PolicyOpt = None,
    encoding: EncodingOpt = "utf-8",
    today: TodayOpt = None,
    output_format: FormatOpt = OutputFormat.TABLE,
    ocr_timeout: OcrTimeoutOpt = None,
    no_audit: NoAuditOpt = False,
) -> int:
    """Screen one document and print the verdict (CLEAR / REVIEW / ALERT / NO RESULT).

    The verdict comes with its reasons, most severe first, the MRZ fields, watchlist matches
    and the provenance of every list. Exit code: 0 clear, 3 review, 4 alert, 5 no result,
    6 list or configuration error.

    Example: screening screen samples/td3_clean.jpg --agency "CV Maju" -w watchlists/agencies.csv
    """
    from screening.summary import result_to_dict  # noqa: PLC0415

    session = _session(
        audit=not no_audit,
        today=today,
        recruiter=recruiter,
        agency=agency,
        watchlist=watchlist,
        allowlist=allowlist,
        policy=policy,
        encoding=encoding,
        ocr_timeout=ocr_timeout,
    )
    screener = session.screener
    if source == "-":
        data = sys.stdin.buffer.read(screener.options.max_text_chars * 4 + 1)
        results = list(screener.screen_text(data.decode("utf-8", errors="replace"), source="-"))
    else:
        results = list(screener.screen_source(source))
    items = [result_to_dict(result) for result in results]
    try:
        for item in items:
            session.record(item)
    finally:
        session.close()
    _emit(results, items, output_format)
    return exit_code_for(r.verdict for r in results)


@app.command("batch")
def batch_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Folders (walked recursively) and files to screen.")
    ],
    recruiter: RecruiterOpt = None,
    agency: AgencyOpt = None,
    watchlist: WatchlistOpt = None,
    allowlist: AllowlistOpt = None,
    policy: PolicyOpt = None,
    encoding: EncodingOpt = "utf-8",
    today: TodayOpt = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="Report format; table prints only the summary."),
    ] = OutputFormat.JSONL,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (atomically)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0.1, help="Seconds allowed per file (default: document_timeout_s)."
        ),
    ] = None,
    follow_symlinks: Annotated[
        bool, typer.Option("--follow-symlinks", help="Follow symbolic links (each inode once).")
    ] = False,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Skip documents already in this earlier report."),
    ] = None,
    ocr_timeout: OcrTimeoutOpt = None,
    no_audit: NoAuditOpt = False,
) -> int:
    """Screen every document in a folder tree and write a report; exit with the worst verdict.

    Only regular files are opened; every input appears in the report, including the ones that
    could not be screened and why. Ctrl-C writes the report so far, marked `complete: false`.
    Exit code: 4 if any alert, else 5 if any document had no result, else 3 if any review, else 0.

    Example: screening batch scans/ --jobs 2 --format csv --output report.csv
    """
    from screening.batch import discover, run_jobs  # noqa: PLC0415
    from screening.summary import result_to_dict, summary_table  # noqa: PLC0415
    from screening.writers import ReportWriter, read_report_sources  # noqa: PLC0415

    session = _session(
        audit=not no_audit,
        today=today,
        recruiter=recruiter,
        agency=agency,
        watchlist=watchlist,
        allowlist=allowlist,
        policy=policy,
        encoding=encoding,
        ocr_timeout=ocr_timeout,
    )
    screener = session.screener
    limit_s = timeout if timeout is not None else session.config.document_timeout_s
    started = time.monotonic()
    done_sources: set[str] = set()
    carried: list[dict[str, Any]] = []
    if resume is not None:
        done_sources, carried = read_report_sources(resume)
    items = [item for path in paths for item in discover(path, follow_symlinks=follow_symlinks)]
    fmt = "jsonl" if output_format is OutputFormat.TABLE else output_format.value
    quiet = output_format is OutputFormat.TABLE and output is None
    sink = Path(os.devnull).open("w", encoding="utf-8") if quiet else sys.stdout  # noqa: SIM115
    writer = ReportWriter(fmt, output, sink, force=force)
    verdicts: list[str] = []
    counted: list[str] = []  # verdicts that decide the exit code (not deliberate skips)
    inputs_seen: set[str] = set()
    environment: list[str] = []

    def record(item: dict[str, Any], *, audit: bool = True) -> None:
        writer.write_item(item)
        verdicts.append(str(item["verdict"]))
        inputs_seen.add(str(item["source"]))
        if (item.get("error") or {}).get("code") not in _SKIPPED:
            counted.append(str(item["verdict"]))
        if audit:
            session.record(item)

    for item in carried:
        record(item, audit=False)
    to_run: list[str] = []
    for entry in items:
        if entry.path in done_sources:
            continue
        if entry.skip_code is not None:
            result = screener.unreadable(entry.path, entry.skip_code, entry.skip_message or "")
            record(result_to_dict(result))
        else:
            to_run.append(entry.path)

    def work(path: str) -> dict[str, Any]:
        try:
            return {"items": [result_to_dict(r) for r in screener.screen_source(path)]}
        except EnvironmentProblem as problem:  # e.g. no Tesseract: not this file's fault
            result = screener.unreadable(path, problem.code, problem.message)
            return {"items": [result_to_dict(result)], "environment": problem.message}

    finished: set[str] = set()
    progress = _progress(len(to_run))

    def on_result(path: str, result: dict[str, Any] | None, failure: str | None) -> None:
        finished.add(path)
        if result is not None:
            if result.get("environment"):
                environment.append(str(result["environment"]))
            for item in result["items"]:
                record(item)
        else:
            message = (
                f"Screening {path} took longer than {limit_s:g} s and was stopped."
                if failure == "timeout"
                else f"Screening {path} failed unexpectedly; the worker was restarted."
            )
            record(result_to_dict(screener.unreadable(path, failure or "failed", message)))
        progress.advance()

    interrupted = {"flag": False}

    def on_sigint(_signum: int, _frame: object) -> None:
        interrupted["flag"] = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        with progress:
            completed = run_jobs(
                to_run,
                work,
                jobs=jobs,
                timeout_s=limit_s,
                on_result=on_result,
                should_stop=lambda: interrupted["flag"],
            )
    finally:
        signal.signal(signal.SIGINT, previous)
        session.close()
    for path in to_run:
        if path not in finished:
            message = f"Screening of {path} did not run: the batch was interrupted."
            record(result_to_dict(screener.unreadable(path, "interrupted", message)), audit=False)
    counts: dict[str, int] = {}
    for verdict in verdicts:
        counts[verdict] = counts.get(verdict, 0) + 1
    code = exit_code_for(counted) if counted else ExitCode.NO_RESULT
    if not verdicts:
        err_console.print("No files found to screen.")
    if environment:
        code = ExitCode.ENVIRONMENT
    elapsed = time.monotonic() - started
    writer.finish(
        {
            "complete": completed,
            "inputs": len(inputs_seen),
            "documents": len(verdicts),
            "verdicts": counts,
            "elapsed_s": round(elapsed, 2),
            "exit_code": int(ExitCode.INTERRUPTED if not completed else code),
        }
    )
    table = summary_table(counts, len(verdicts), elapsed)
    (out_console if output_format is OutputFormat.TABLE else err_console).print(table)
    if environment:
        err_console.print(f"error: {escape(environment[0])}")
    if not completed:
        if fmt == "csv":
            err_console.print(
                "Interrupted: the CSV report holds the documents screened so far (CSV has no "
                "completeness marker; use --format jsonl for a resumable, marked report)."
            )
        else:
            err_console.print("Interrupted: the report is marked complete=false.")
        return ExitCode.INTERRUPTED
    return code


class _Progress:
    """A Rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self._bar: Any = None
        self._task: Any = None
        if err_console.is_terminal and not err_console.is_dumb_terminal:
            from rich.progress import Progress  # noqa: PLC0415

            self._bar = Progress(console=err_console, transient=True)
            self._task = self._bar.add_task("Screening", total=total)

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)


def _progress(total: int) -> _Progress:
    return _Progress(total)
