"""`screening read`: find and read the MRZ in scans, photos and PDFs, then validate it.

Thin adapter: one `screening.ocr.read_document` call per file, then the MRZ engine's checks
and `report.py` renderers. A file that cannot be decoded or has no MRZ is reported on its own
line and the batch carries on. Exit codes: 0 every file read and every check passes, 3 some
check failed (a corrected read counts as failed: `repaired`), 5 some file unreadable or
without an MRZ, 7 Tesseract missing; several files exit with the worst (5 > 3 > 0).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path  # noqa: TC003 - Typer reads the annotation at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from screening.cli.app import ExitCode, OcrTimeoutOpt, OutputFormat, app, out_console
from screening.errors import InputError
from screening.report import (
    SCHEMA_VERSION,
    MrzVerdict,
    clean_text,
    correction_to_dict,
    mrz_to_dict,
    mrz_verdict,
    render_mrz,
)

if TYPE_CHECKING:
    from screening.ocr import ReadResult

__all__ = ["read_command"]

_RANK = {ExitCode.CLEAR: 0, ExitCode.REVIEW: 1, ExitCode.NO_RESULT: 2}
_VERDICT_EXIT = {
    MrzVerdict.PASS: ExitCode.CLEAR,
    MrzVerdict.CHECKS_FAILED: ExitCode.REVIEW,
    MrzVerdict.UNREADABLE: ExitCode.NO_RESULT,
}


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(tz=dt.UTC).date()  # the CLI may read the clock; the core never
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--today") from None


def _read_to_dict(read: ReadResult, day: dt.date) -> dict[str, Any]:
    from screening.mrz.validate import resolved_dates  # noqa: PLC0415

    x, y, width, height = read.box
    record: dict[str, Any] = {
        "page": read.page + 1,
        "box": {"x": x, "y": y, "width": width, "height": height},
        "angle": read.angle,
        "model": read.model,
        "line_confidences": list(read.line_confidences),
        "text_as_read": list(read.original_text),
        "corrections": [correction_to_dict(c) for c in read.corrections],
        "ocr_calls": read.ocr_calls,
        "elapsed_ms": read.elapsed_ms,
        "notes": list(read.notes),
    }
    if read.mrz is None:
        record |= {"verdict": "unreadable", "mrz": None, "error": {"code": read.error_code}}
    else:
        verdict = mrz_verdict(read.checks)
        dates = resolved_dates(read.mrz, day)
        record |= {
            "verdict": verdict.lower().replace(" ", "_"),
            "mrz": mrz_to_dict(read.mrz, read.checks, dates=dates),
            "error": None,
        }
    return record


def _where(read: ReadResult) -> Text:
    x, y, width, height = read.box
    confidences = ", ".join(f"{value:.0f}" for value in read.line_confidences)
    line = Text(
        f"  found on page {read.page + 1} at x={x} y={y} {width}x{height} px, "
        f"turned {read.angle:.1f} degrees; model {read.model}; "
        f"line confidence {confidences}; {read.ocr_calls} OCR call(s), {read.elapsed_ms:.0f} ms"
    )
    if read.corrections:
        line.append(
            f"\n  {len(read.corrections)} character(s) corrected by OCR arbitration "
            "(listed below); the text as read was:"
        )
        for text in read.original_text:
            line.append("\n    ")
            line.append(clean_text(text))
    for note in read.notes:
        line.append(f"\n  note: {clean_text(note)}")
    return line


def _print_unreadable(title: str, detail: str) -> None:
    """One UNREADABLE line: the verdict word, the (escaped) title, then why."""
    out_console.print(
        Text.assemble(
            (MrzVerdict.UNREADABLE, "bold red"), "  ", (clean_text(title), "bold"), detail
        )
    )


def _print_read(read: ReadResult, label: str, day: dt.date) -> None:
    from screening.mrz.validate import resolved_dates  # noqa: PLC0415

    title = f"{label}, page {read.page + 1}"
    if read.mrz is None:
        _print_unreadable(
            title, f"  the zone was found but could not be parsed ({read.error_code})"
        )
        return
    dates = resolved_dates(read.mrz, day)
    out_console.print(render_mrz(read.mrz, read.checks, title=title, dates=dates))
    mrz_text = Text("  MRZ:")
    for text in read.text:
        mrz_text.append("\n    ")
        mrz_text.append(clean_text(text))
    out_console.print(mrz_text)
    out_console.print(_where(read))
    out_console.print()


@app.command("read")
def read_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Images (JPEG, PNG, TIFF, BMP, WebP) or PDFs; every page is searched.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl (one file per line) or csv (one row per page).",
        ),
    ] = OutputFormat.TABLE,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Resolve date centuries as of YYYY-MM-DD (default: today)."),
    ] = None,
    ocr_timeout: OcrTimeoutOpt = None,
) -> ExitCode:
    """Find and read the machine-readable zone in scans, photos and PDFs, then validate it.

    The zone is found at any rotation, read with Tesseract and an OCR-B model, and the
    check digits choose between readings; every correction is listed with its reason and
    counts as a failed check (`repaired`), so a corrected read is never shown as clean.
    Exit codes: 0 all checks pass, 3 a check failed, 5 unreadable file or no MRZ found,
    7 Tesseract missing, 2 usage.

    Example: screening read samples/td3_clean.jpg samples/td3_and_visa.pdf
    """
    from screening.config import effective_config  # noqa: PLC0415 - light: stdlib + TOML
    from screening.images import Limits  # noqa: PLC0415 - OpenCV loads only when reading
    from screening.ocr import read_document  # noqa: PLC0415
    from screening.writers import MRZ_CSV_COLUMNS, CsvRows, mrz_csv_cells  # noqa: PLC0415

    rows = (
        CsvRows(sys.stdout, ("file", "page", "verdict", "error_code", *MRZ_CSV_COLUMNS, "angle"))
        if output_format is OutputFormat.CSV
        else None
    )
    day = _today(today)
    config = effective_config({} if ocr_timeout is None else {"ocr_timeout_s": ocr_timeout})
    limits = Limits(
        max_pixels=config.max_pixels, max_pages=config.max_pages, max_bytes=config.max_bytes
    )
    worst = ExitCode.CLEAR
    records: list[dict[str, Any]] = []
    for path in files:
        label = str(path)
        record: dict[str, Any] = {"file": label}
        try:
            reads = read_document(
                path, limits=limits, ocr_timeout_s=config.ocr_timeout_s, today=day
            )
        except InputError as error:  # unreadable file or no MRZ: report it, carry on
            code = ExitCode.NO_RESULT
            record |= {
                "verdict": "unreadable",
                "pages": [],
                "error": {"code": error.code, "message": error.message},
            }
            if output_format is OutputFormat.TABLE:
                _print_unreadable(label, f"  {error.code}: {clean_text(error.message)}")
                out_console.print()
        else:
            pages = [_read_to_dict(read, day) for read in reads]
            verdicts = [
                mrz_verdict(read.checks) if read.mrz is not None else MrzVerdict.UNREADABLE
                for read in reads
            ]
            code = max((_VERDICT_EXIT[v] for v in verdicts), key=_RANK.__getitem__)
            record |= {
                "verdict": {v: k for k, v in _VERDICT_EXIT.items()}[code].lower().replace(" ", "_"),
                "pages": pages,
                "error": None,
            }
            if output_format is OutputFormat.TABLE:
                for read in reads:
                    _print_read(read, label, day)
        if _RANK[code] > _RANK[worst]:
            worst = code
        if output_format is OutputFormat.JSONL:
            sys.stdout.write(json.dumps({"schema_version": SCHEMA_VERSION, **record}) + "\n")
            sys.stdout.flush()
        elif rows is not None:
            unread = {"page": "", "verdict": record["verdict"], "mrz": None}
            for page in record["pages"] or [unread]:
                problem = page.get("error") or record["error"] or {}
                rows.write(
                    {
                        "file": label,
                        "page": page["page"],
                        "verdict": page["verdict"],
                        "error_code": problem.get("code", ""),
                        **mrz_csv_cells(page["mrz"]),
                        "angle": page.get("angle", ""),
                    }
                )
        records.append(record)
    if output_format is OutputFormat.JSON:
        document = {
            "schema_version": SCHEMA_VERSION,
            "today": day.isoformat(),
            "files": records,
            "exit_code": int(worst),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif output_format is OutputFormat.TABLE:
        counts = {
            v: sum(1 for r in records if r["verdict"] == v)
            for v in ("pass", "checks_failed", "unreadable")
        }
        out_console.print(
            f"{len(records)} file(s): {counts['pass']} PASS, "
            f"{counts['checks_failed']} CHECKS FAILED, "
            f"{counts['unreadable']} UNREADABLE or NO MRZ",
            markup=False,
        )
    return worst
