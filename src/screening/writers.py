"""Report writers for many results: JSON lines, JSON, CSV; atomic files, spreadsheet-safe cells.

ADAPTER (output files). Items are plain dicts already shaped by `report.py` (each carries
`schema_version`). JSON lines are flushed after every item so that a crash or Ctrl-C loses
nothing already screened; the closing `summary` line says whether the run was complete. A file
target is written to a private temporary file beside it and renamed into place at the end, so
a reader never sees half a report, and an existing file is replaced only with `force`.
CSV cells that a spreadsheet would execute (`=`, `+`, `-`, `@`, tab, CR) are prefixed with `'`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from screening.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "CSV_COLUMNS",
    "MRZ_CSV_COLUMNS",
    "CsvRows",
    "ReportWriter",
    "csv_row",
    "csv_safe",
    "mrz_csv_cells",
    "read_report_sources",
]

SCHEMA_VERSION = "1"

# The MRZ fields every CSV output carries, in this order.
_MRZ_FIELD_COLUMNS = (
    "doc_type",
    "issuing_state",
    "nationality",
    "document_number",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "expiry_date",
)

CSV_COLUMNS = (
    "source",
    "page",
    "verdict",
    "reason_codes",
    "error_code",
    *_MRZ_FIELD_COLUMNS,
    "elapsed_ms",
)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: object) -> str:
    """Text for one CSV cell that no spreadsheet will run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


# MRZ columns of the `mrz` and `read` CSV outputs (one row per document or page).
MRZ_CSV_COLUMNS = (*_MRZ_FIELD_COLUMNS, "failed_checks", "corrections")


def mrz_csv_cells(mrz: Mapping[str, Any] | None) -> dict[str, object]:
    """The `MRZ_CSV_COLUMNS` cells of one `report.mrz_to_dict` object (empty when None)."""
    if mrz is None:
        return dict.fromkeys(MRZ_CSV_COLUMNS, "")
    fields = mrz.get("fields") or {}
    dates = mrz.get("dates") or {}
    cells: dict[str, object] = {
        name: (fields.get(name) or {}).get("value", "") for name in MRZ_CSV_COLUMNS
    }
    for name in ("birth_date", "expiry_date"):
        if dates.get(name):
            cells[name] = dates[name]
    cells["doc_type"] = mrz.get("doc_type", "")
    cells["failed_checks"] = ";".join(mrz.get("failed_checks") or ())
    cells["corrections"] = len(mrz.get("corrections") or ())
    return cells


class CsvRows:
    """CSV with a header row, every cell spreadsheet-safe, flushed after each row."""

    def __init__(self, stream: IO[str], columns: tuple[str, ...]) -> None:
        """Write the header for `columns` to `stream`."""
        self._out = stream
        self._columns = columns
        self._writer = csv.writer(stream)
        self._writer.writerow(columns)

    def write(self, row: Mapping[str, object]) -> None:
        """One row; columns missing from `row` are empty."""
        self._writer.writerow([csv_safe(row.get(name)) for name in self._columns])
        self._out.flush()


def csv_row(item: Mapping[str, Any]) -> list[str]:
    """The `CSV_COLUMNS` cells of one screening item (`summary.result_to_dict`), made safe."""
    document = item.get("document") or {}
    fields = document.get("fields") or {}
    error = item.get("error") or {}
    reasons = item.get("reasons") or []
    row = {
        "source": item.get("source"),
        "page": item.get("page"),
        "verdict": item.get("verdict"),
        "reason_codes": ";".join(str(reason.get("code")) for reason in reasons),
        "error_code": error.get("code"),
        "doc_type": document.get("doc_type"),
        "elapsed_ms": item.get("elapsed_ms"),
    }
    for name in CSV_COLUMNS:
        if name not in row:
            row[name] = fields.get(name)
    return [csv_safe(row[name]) for name in CSV_COLUMNS]


class ReportWriter:
    """Write items as they come, then a summary; to a stream or atomically to a file."""

    def __init__(
        self, fmt: str, target: Path | None, stream: IO[str], *, force: bool = False
    ) -> None:
        """Open the output. `target=None` writes to `stream` (standard output)."""
        if fmt not in ("jsonl", "json", "csv"):
            raise ValueError(f"unsupported report format {fmt}")
        self.fmt = fmt
        self.target = target
        self._items: list[Mapping[str, Any]] = []
        self._tmp_path: Path | None = None
        if target is None:
            self._out = stream
        else:
            if target.exists() and not force:
                raise InputError(
                    f"Report file {target} already exists; use --force to replace it.",
                    code="output_exists",
                )
            directory = target.parent if str(target.parent) else Path()
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
            self._tmp_path = Path(tmp)
            self._out = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._csv: Any = None
        if fmt == "csv":
            self._csv = csv.writer(self._out)
            self._csv.writerow(CSV_COLUMNS)

    def write_item(self, item: Mapping[str, Any]) -> None:
        """Record one item; JSON lines and CSV are written and flushed at once."""
        if self.fmt == "jsonl":
            self._out.write(json.dumps({"type": "item", **item}, ensure_ascii=False) + "\n")
            self._out.flush()
        elif self.fmt == "csv":
            self._csv.writerow(csv_row(item))
            self._out.flush()
        else:
            self._items.append(item)

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Write the summary (with `complete`) and, for a file, rename it into place."""
        if self.fmt == "jsonl":
            line = {"type": "summary", "schema_version": SCHEMA_VERSION, **summary}
            self._out.write(json.dumps(line, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            document = {"schema_version": SCHEMA_VERSION, **summary, "items": self._items}
            json.dump(document, self._out, ensure_ascii=False, indent=2)
            self._out.write("\n")
        self._out.flush()
        if self._tmp_path is not None and self.target is not None:
            self._out.close()
            self._tmp_path.replace(self.target)
            self._tmp_path = None

    def abandon(self) -> None:
        """Remove the temporary file after a failure that left nothing worth keeping."""
        if self._tmp_path is not None:
            self._out.close()
            self._tmp_path.unlink(missing_ok=True)
            self._tmp_path = None


def read_report_sources(path: Path) -> tuple[set[str], list[dict[str, Any]]]:
    """The sources already screened in an earlier report (JSON lines or JSON) and their items.

    Items whose screening was cut short (`interrupted`) are not counted as done.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(
            f"Report {path} cannot be read for --resume ({error.strerror}).", code="resume_failed"
        ) from None
    items: list[dict[str, Any]] = []
    stripped = text.lstrip()
    try:
        if stripped.startswith("{") and "\n{" not in stripped.rstrip():
            document = json.loads(stripped)
            items = list(document.get("items", []))
        else:
            for line in io.StringIO(text):
                if not line.strip():
                    continue
                record = json.loads(line)
                if record.get("type") == "item":
                    items.append(record)
    except (json.JSONDecodeError, AttributeError, TypeError):
        raise InputError(
            f"Report {path} is not a screening JSON or JSON lines report; --resume needs one "
            "(CSV reports cannot be resumed: write the report with --format jsonl).",
            code="resume_failed",
        ) from None
    done = [item for item in items if (item.get("error") or {}).get("code") != "interrupted"]
    return {str(item.get("source")) for item in done}, _without_type(done)


def _without_type(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in item.items() if key != "type"} for item in items]
