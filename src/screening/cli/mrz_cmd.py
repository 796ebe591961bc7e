"""`screening mrz`: parse and validate MRZ text from files or standard input (never arguments).

Thin adapter: reads bounded bytes, splits documents with `mrz.parse.split_documents`, calls
`parse_mrz`, `validate_mrz`, `resolved_dates` and `suggest_corrections`, and hands the results
to `report.py`. Exit codes: 0 every document passes every check, 3 some check failed, 5 some
input could not be parsed or read, 2 usage; several documents exit with the worst
(5 > 3 > 0).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from screening.cli.app import ExitCode, OutputFormat, app, out_console
from screening.errors import MrzSyntaxError
from screening.mrz.parse import MAX_STREAM_CHARS, parse_mrz, split_documents
from screening.mrz.repair import repair_mrz, suggest_corrections
from screening.mrz.validate import resolved_dates, validate_mrz
from screening.report import (
    SCHEMA_VERSION,
    MrzVerdict,
    mrz_error_to_dict,
    mrz_to_dict,
    mrz_verdict,
    render_mrz,
    render_mrz_error,
)

__all__ = ["MAX_INPUT_BYTES", "mrz_command"]

MAX_INPUT_BYTES = MAX_STREAM_CHARS  # per file or stdin; read at most one byte more than this
_EXIT = {
    MrzVerdict.PASS: ExitCode.CLEAR,
    MrzVerdict.CHECKS_FAILED: ExitCode.REVIEW,
    MrzVerdict.UNREADABLE: ExitCode.NO_RESULT,
}
_RANK = {ExitCode.CLEAR: 0, ExitCode.REVIEW: 1, ExitCode.NO_RESULT: 2}


def _read(source: str, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of one source, at most `limit` bytes; MrzSyntaxError for what cannot be read."""
    if source == "-":
        data = sys.stdin.buffer.read(limit + 1)
        label = "standard input"
    else:
        path = Path(source)
        label = "the file"
        try:
            info = path.stat()
        except FileNotFoundError:
            raise MrzSyntaxError("The file does not exist.", code="file_not_found") from None
        except OSError:
            raise MrzSyntaxError("The file cannot be read.", code="unreadable_file") from None
        if not stat.S_ISREG(info.st_mode):
            raise MrzSyntaxError(
                "Not a regular file (a folder, FIFO or device); give MRZ text files.",
                code="not_regular_file",
            )
        if info.st_size > limit:
            raise MrzSyntaxError(
                f"The file is larger than {limit} bytes; split it into smaller files.",
                code="input_too_long",
            )
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except PermissionError:
            raise MrzSyntaxError(
                "Permission denied reading the file.", code="permission_denied"
            ) from None
        except OSError:
            raise MrzSyntaxError("The file cannot be read.", code="unreadable_file") from None
    if len(data) > limit:
        raise MrzSyntaxError(
            f"The MRZ text from {label} is larger than {limit} bytes.",
            code="input_too_long",
        )
    return data.decode("utf-8", errors="replace")


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(tz=dt.UTC).date()  # the CLI may read the clock; the core never
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--today") from None


def _looks_like_mrz(argument: str) -> bool:
    return "<" in argument and not os.path.lexists(argument)


def _documents(
    sources: list[str], *, max_chars: int, max_lines: int
) -> list[tuple[str, int, int, Any]]:
    """(source, index, first line, Mrz | MrzSyntaxError) for every document of every source."""
    out: list[tuple[str, int, int, Any]] = []
    for source in sources:
        try:
            text = _read(source, max_chars)
            documents = split_documents(text, max_chars=max_chars, max_lines=max_lines)
        except MrzSyntaxError as error:
            out.append((source, 1, 1, error))
            continue
        if not documents:
            out.append((source, 1, 1, MrzSyntaxError("No MRZ text was found.", code="empty_input")))
        for index, (first_line, text) in enumerate(documents, start=1):
            try:
                out.append((source, index, first_line, parse_mrz(text)))
            except MrzSyntaxError as error:
                out.append((source, index, first_line, error))
    return out


@app.command("mrz")
def mrz_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE...|-]",
            help="Files of MRZ text (several documents per file allowed); '-' or nothing "
            "reads standard input.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl (one document per line) or csv (one row per document).",
        ),
    ] = OutputFormat.TABLE,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Resolve date centuries as of YYYY-MM-DD (default: today)."),
    ] = None,
) -> ExitCode:
    """Parse and validate MRZ text from document readers against ICAO 9303.

    Prints, per document, the fields and every check (check digits, dates, country codes, fillers, character set), and suggested OCR corrections without applying them.

    MRZ text is read from files or standard input, never from the command line.

    Exit codes: 0 all checks pass, 3 a check failed, 5 input unreadable, 2 usage.

    Example: screening mrz samples/mrz/td3_valid.txt
    """  # noqa: E501 - Typer keeps source line breaks, so each paragraph is one line
    day = _today(today)
    sources = files or ["-"]
    for source in sources:
        if source != "-" and _looks_like_mrz(source):
            raise typer.BadParameter(
                "MRZ text is read from files or standard input, never from the command line "
                "(it would stay in shell history). Example: screening mrz - < mrz.txt",
                param_hint="FILE",
            )
    worst = ExitCode.CLEAR
    records: list[dict[str, Any]] = []
    from screening.config import effective_config  # noqa: PLC0415 - light: stdlib + TOML
    from screening.writers import MRZ_CSV_COLUMNS, CsvRows, mrz_csv_cells  # noqa: PLC0415

    rows = (
        CsvRows(
            sys.stdout,
            ("source", "document", "first_line", "verdict", "error_code", *MRZ_CSV_COLUMNS),
        )
        if output_format is OutputFormat.CSV
        else None
    )

    config = effective_config()
    found = _documents(sources, max_chars=config.max_text_chars, max_lines=config.max_text_lines)
    for source, index, first_line, item in found:
        label = "standard input" if source == "-" else source
        title = f"{label}, document {index} (line {first_line})"
        record: dict[str, Any] = {
            "source": label,
            "document": index,
            "first_line": first_line,
        }
        if isinstance(item, MrzSyntaxError):
            verdict = MrzVerdict.UNREADABLE
            record |= {"verdict": verdict.lower(), "mrz": None, "error": mrz_error_to_dict(item)}
            if output_format is OutputFormat.TABLE:
                out_console.print(render_mrz_error(item, title=title))
                out_console.print()
        else:
            checks = validate_mrz(item, day)
            dates = resolved_dates(item, day)
            verdict = mrz_verdict(checks)
            suggestions = suggest_corrections(item) if verdict != MrzVerdict.PASS else ()
            repaired_pass = bool(suggestions) and not any(
                c.failed and c.code != "repaired" for c in validate_mrz(repair_mrz(item), day)
            )
            record |= {
                "verdict": verdict.lower().replace(" ", "_"),
                "mrz": mrz_to_dict(item, checks, dates=dates, suggestions=suggestions),
                "suggestions_resolve_every_failure": repaired_pass,
                "error": None,
            }
            if output_format is OutputFormat.TABLE:
                out_console.print(
                    render_mrz(
                        item,
                        checks,
                        title=title,
                        dates=dates,
                        suggestions=suggestions,
                        suggestions_pass=repaired_pass,
                    )
                )
                out_console.print()
        code = _EXIT[verdict]
        if _RANK[code] > _RANK[worst]:
            worst = code
        if output_format is OutputFormat.JSONL:
            sys.stdout.write(json.dumps({"schema_version": SCHEMA_VERSION, **record}) + "\n")
            sys.stdout.flush()
        elif rows is not None:
            rows.write(
                {
                    **{k: record[k] for k in ("source", "document", "first_line", "verdict")},
                    "error_code": (record["error"] or {}).get("code", ""),
                    **mrz_csv_cells(record["mrz"]),
                }
            )
        records.append(record)
    counts = {
        verdict.lower().replace(" ", "_"): sum(
            1 for r in records if r["verdict"] == verdict.lower().replace(" ", "_")
        )
        for verdict in (MrzVerdict.PASS, MrzVerdict.CHECKS_FAILED, MrzVerdict.UNREADABLE)
    }
    if output_format is OutputFormat.JSON:
        document = {
            "schema_version": SCHEMA_VERSION,
            "today": day.isoformat(),
            "documents": records,
            "summary": {"documents": len(records), **counts},
            "exit_code": int(worst),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif output_format is OutputFormat.TABLE:
        out_console.print(
            f"{len(records)} document(s): {counts['pass']} PASS, "
            f"{counts['checks_failed']} CHECKS FAILED, {counts['unreadable']} UNREADABLE",
            markup=False,
        )
    return worst
