"""`screening watchlist check|info|import`: validate, describe and import watchlist files.

Typer only: each command is one call into `screening.watchlist` or `screening.importers` plus
output. `check` reports every bad row as `file:line: column: message` and exits 6 when any list
is invalid; `info` prints each list's name, role, entries, SHA-256, age and staleness; `import`
converts OFAC SDN CSV, UN consolidated XML or FollowTheMoney JSON lines to the native JSON-lines
format, writing atomically and re-loading the result to prove it loads. Text from the files is
printed as plain `Text` with control characters escaped, never as markup.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from screening.cli.app import ExitCode, OutputFormat, app, err_console, out_console
from screening.errors import ScreeningError, WatchlistError
from screening.model import ListRole

if TYPE_CHECKING:
    from screening.importers import ImportResult
    from screening.model import ListInfo, RowProblem, Watchlist

__all__ = ["ImportFormat", "watchlist_app"]

watchlist_app = typer.Typer(
    name="watchlist",
    help="Check, describe and import watchlists and allowlists.",
    no_args_is_help=True,
)
app.add_typer(watchlist_app, name="watchlist")


class ImportFormat(enum.StrEnum):
    """Source formats `watchlist import` reads."""

    OFAC = "ofac"
    UN = "un"
    FTM = "ftm"


_FORMATS_HELP = "table or json."
FilesArg = Annotated[
    list[Path],
    # readable=False: Click's own check would turn an unreadable list into a usage error (2);
    # the loader reports it as watchlist_unreadable (6), like every other list problem.
    typer.Argument(help="List files (CSV, JSON lines, or entity JSON lines).", readable=False),
]
EncodingOpt = Annotated[
    str, typer.Option("--encoding", help="Text encoding of the files (utf-8 BOM is fine).")
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help=_FORMATS_HELP)]


def _plain(value: object) -> str:
    """Untrusted text with control characters (ESC, newlines, NUL) shown as escapes."""
    return "".join(
        ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in str(value)
    )


def _problem_line(problem: RowProblem) -> str:
    head = f"{problem.path}:{problem.line}"
    if problem.column:
        return _plain(f"{head}: {problem.column}: {problem.message}")
    return _plain(f"{head}: {problem.message}")


def _out(text: str, *, style: str = "") -> None:
    """One line of plain text on stdout; never wrapped, so that it stays greppable."""
    out_console.print(Text(_plain(text), style=style), soft_wrap=True)


def _err(text: str) -> None:
    err_console.print(Text(_plain(text)), soft_wrap=True)


def _write_json(document: dict[str, object], output: OutputFormat) -> None:
    """JSON (indented) or JSON lines (the same document on one line), with schema_version."""
    full = {"schema_version": "1", **document}
    indent = None if output is OutputFormat.JSONL else 2
    out_console.file.write(json.dumps(full, indent=indent, ensure_ascii=False) + "\n")
    out_console.file.flush()


def _json_format(output: OutputFormat) -> bool:
    if output in {OutputFormat.JSON, OutputFormat.JSONL}:
        return True
    if output is not OutputFormat.TABLE:
        raise typer.BadParameter("use table, json or jsonl", param_hint="--format")
    return False


def _info_json(info: ListInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "path": info.path,
        "role": str(info.role),
        "entries": info.entries,
        "sha256": info.sha256,
        "age_days": None if info.age_days is None else round(info.age_days, 2),
        "stale": info.stale,
        "problems": len(info.problems),
    }


# --- check ---------------------------------------------------------------------------------


@watchlist_app.command("check")
def check(
    files: FilesArg,
    encoding: EncodingOpt = "utf-8",
    max_field_bytes: Annotated[
        int, typer.Option("--max-field-bytes", min=1, help="Largest accepted field, in bytes.")
    ] = 65536,
    output: FormatOpt = OutputFormat.TABLE,
) -> ExitCode:
    """Validate list files and print EVERY problem as `file:line: column: message`.

    Exit 0 when every file is valid, 6 when any file has a problem or cannot be read. Screening
    refuses an invalid list (fail closed); this command shows what to fix.

    Example: screening watchlist check watchlists/recruiters.csv watchlists/agencies.csv
    """
    from screening.watchlist import load_watchlist  # noqa: PLC0415

    as_json = _json_format(output)
    reports: list[dict[str, object]] = []
    worst = ExitCode.CLEAR
    for path in files:
        try:
            loaded = load_watchlist(
                path,
                encoding=encoding,
                max_field_bytes=max_field_bytes,
                max_age_days=None,
                allow_partial=True,
            )
        except ScreeningError as error:
            worst = ExitCode.CONFIG
            reports.append(
                {
                    "path": str(path),
                    "ok": False,
                    "error": {"code": error.code, "message": error.message},
                }
            )
            if not as_json:
                _out(f"{path}: error: {error.message}")
            continue
        problems = loaded.info.problems
        if problems:
            worst = ExitCode.CONFIG
        reports.append(
            {
                "path": str(path),
                "ok": not problems,
                "entries": loaded.info.entries,
                "problems": [
                    {"line": p.line, "column": p.column, "message": p.message} for p in problems
                ],
            }
        )
        if not as_json:
            for problem in problems:
                _out(_problem_line(problem))
            summary = (
                f"{path}: OK, {loaded.info.entries} entries"
                if not problems
                else f"{path}: INVALID, {len(problems)} problem(s); "
                f"{loaded.info.entries} good rows would load, but screening refuses the list"
            )
            _out(summary)
            if not problems and not loaded.info.entries:
                _err(
                    f"warning: {path} has no entries; screening reports an empty list as not "
                    "checked, never as clear"
                )
    if as_json:
        _write_json({"ok": worst is ExitCode.CLEAR, "lists": reports}, output)
    return worst


# --- info ----------------------------------------------------------------------------------


@watchlist_app.command("info")
def info(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="List files; default: the configured watchlists and allowlists.", readable=False
        ),
    ] = None,
    role: Annotated[
        ListRole, typer.Option("--role", help="Role of the files given: watchlist or allowlist.")
    ] = ListRole.WATCHLIST,
    encoding: EncodingOpt = "utf-8",
    max_age: Annotated[
        float | None,
        typer.Option(
            "--max-age",
            min=0,
            help="Days after which a list is stale (default: max_list_age_days, 365).",
        ),
    ] = None,
    output: FormatOpt = OutputFormat.TABLE,
) -> ExitCode:
    """Print each list's name, role, entry count, SHA-256, age in days and whether it is stale.

    A list that does not load (missing, or any bad row) is an error: exit 6. A stale list is
    reported with the word STALE and a warning on stderr; it is not an error here.

    Example: screening watchlist info watchlists/recruiters.csv --max-age 180 --format json
    """
    from screening.config import effective_config  # noqa: PLC0415
    from screening.watchlist import load_watchlist  # noqa: PLC0415

    as_json = _json_format(output)
    config = effective_config({"max_list_age_days": max_age})
    targets: list[tuple[Path, ListRole]] = [(p, role) for p in files or ()]
    if not files:
        targets = [(p, ListRole.WATCHLIST) for p in config.watchlists]
        targets += [(p, ListRole.ALLOWLIST) for p in config.allowlists]
        if not targets:
            raise typer.BadParameter("give list files, or configure watchlists/allowlists")
    infos: list[ListInfo] = []
    errors: list[dict[str, str]] = []
    for path, list_role in targets:
        try:
            infos.append(
                load_watchlist(
                    path, role=list_role, encoding=encoding, max_age_days=config.max_list_age_days
                ).info
            )
        except WatchlistError as error:
            errors.append({"path": str(path), "code": error.code, "message": error.message})
            _err(f"error: {error.message}")
    for stale in (i for i in infos if i.stale):
        _err(f"warning: the list {stale.path} is STALE ({stale.age_days:.0f} days old)")
    if as_json:
        _write_json(
            {
                "max_age_days": config.max_list_age_days,
                "lists": [_info_json(i) for i in infos],
                "errors": errors,
            },
            output,
        )
    else:
        for item in infos:
            _print_info(item, config.max_list_age_days)
    return ExitCode.CONFIG if errors else ExitCode.CLEAR


def _print_info(item: ListInfo, max_age: float) -> None:
    """One block per list; the full hash is shown so that it can be compared by eye."""
    age = "unknown" if item.age_days is None else f"{item.age_days:.1f} days"
    entries = f"{item.entries}" + (" (empty: reported as not checked)" if not item.entries else "")
    rows = (
        ("path", item.path),
        ("role", str(item.role)),
        ("entries", entries),
        ("sha256", item.sha256),
        ("age", f"{age} (maximum {max_age:g})"),
        ("stale", "STALE" if item.stale else "no"),
    )
    _out(item.name, style="bold")
    for key, value in rows:
        _out(f"  {key:<8} {value}")


# --- import --------------------------------------------------------------------------------


def _parse_generated(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            "use an ISO date such as 2024-05-03", param_hint="--generated"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _run_import(source: ImportFormat, paths: list[Path]) -> ImportResult:
    from screening import importers  # noqa: PLC0415

    if source is ImportFormat.OFAC:
        # Recognised by column count, so the order does not matter; add.csv (addresses) is
        # accepted and ignored because addresses are not screened.
        kinds: dict[str, list[Path]] = {}
        for path in paths:
            kinds.setdefault(importers.ofac_file_kind(path), []).append(path)
        sdn, alt = kinds.get("sdn", []), kinds.get("alt", [])
        if len(sdn) != 1 or len(alt) > 1 or kinds.get("unknown"):
            raise typer.BadParameter(
                "OFAC takes one sdn.csv (12 columns), optionally one alt.csv (5 columns) and "
                "add.csv (ignored)",
                param_hint="SRC",
            )
        return importers.import_ofac(sdn[0], alt[0] if alt else None)
    if source is ImportFormat.UN:
        if len(paths) != 1:
            raise typer.BadParameter("UN takes one consolidated XML file", param_hint="SRC")
        return importers.import_un(paths[0])
    return importers.import_ftm(*paths)


def _write_checked(out: Path, text: str, *, force: bool) -> Watchlist:
    """Write `text` to a temporary file beside `out`, load it, and only then rename it."""
    from screening.watchlist import load_watchlist  # noqa: PLC0415

    if out.exists() and not force:
        raise WatchlistError(
            f"The output {out} exists; pass --force to replace it.",
            code="output_exists",
            path=str(out),
        )
    fd, tmp_name = tempfile.mkstemp(prefix=".import-", suffix=".jsonl", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        loaded = load_watchlist(tmp, name=out.stem, max_age_days=None)
        tmp.chmod(0o644)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return loaded


@watchlist_app.command("import")
def import_(
    sources: Annotated[
        list[Path],
        typer.Argument(
            metavar="SRC...",
            help="ofac: sdn.csv [alt.csv]; un: consolidated.xml; ftm: one or more .json files.",
            readable=False,
        ),
    ],
    *,
    source_format: Annotated[
        ImportFormat, typer.Option("--from", help="Source format: ofac, un or ftm.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Native JSON-lines file to write.", readable=False),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    generated: Annotated[
        str | None,
        typer.Option(
            "--generated",
            help="Publication date of the source (ISO); the UN XML carries its own.",
        ),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option("--allow-partial", help="Write the good rows even if some rows are bad."),
    ] = False,
    output: FormatOpt = OutputFormat.TABLE,
) -> ExitCode:
    """Convert an OFAC SDN CSV, UN consolidated XML or FollowTheMoney file to a native list.

    The output is JSON lines with a `# generated:` line (the source's date) and is loaded back
    before the command succeeds. Bad source rows are listed; unless --allow-partial nothing is
    written and the exit code is 6. Vessels, aircraft and non-party FtM schemas are skipped and
    counted.

    Example: screening watchlist import --from ofac sdn.csv alt.csv --out lists/ofac.jsonl
    """
    from screening.watchlist import dump_jsonl  # noqa: PLC0415

    as_json = _json_format(output)
    when = _parse_generated(generated)
    result = _run_import(source_format, sources)
    for problem in result.problems:
        _err(_problem_line(problem))
    if result.problems and not allow_partial:
        raise WatchlistError(
            f"{len(result.problems)} source row(s) could not be imported; nothing was written "
            "(pass --allow-partial to write the good rows).",
            code="import_invalid",
        )
    stamp = when or result.generated
    text = dump_jsonl(
        result.entries,
        generated=stamp,
        comment=f"imported by `screening watchlist import --from {source_format}`",
    )
    loaded = _write_checked(out, text, force=force)
    skipped = dict(sorted(result.skipped.items()))
    if as_json:
        _write_json(
            {
                "source": result.source,
                "out": str(out),
                "entries": loaded.info.entries,
                "sha256": loaded.info.sha256,
                "generated": stamp.isoformat() if stamp else None,
                "skipped": skipped,
                "problems": len(result.problems),
            },
            output,
        )
    else:
        _out(f"wrote {loaded.info.entries} entries to {out} (sha256 {loaded.info.sha256})")
        for reason, count in skipped.items():
            _out(f"skipped {count}: {reason}")
        if stamp is None:
            _out("note: the source has no date; pass --generated, else the file's mtime dates it")
    return ExitCode.CLEAR
