"""Adapter (output): JSON shaping and Rich renderables for screening results.

JSON dictionaries carry positions 1-based (`line`, `start`, `end` inclusive, as officers and the
ICAO tables count) and every output document has `"schema_version": "1"`. Rich renderables
never interpolate untrusted text into markup: MRZ text, names and file names go into
`rich.text.Text` objects after `clean_text()` has removed control characters (ESC, BEL...), so
neither markup such as `[bold]` nor terminal escape sequences from the input reach the screen.
Verdicts are words (PASS, CHECKS FAILED, UNREADABLE), never colour alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from screening.model import CheckStatus

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from rich.console import RenderableType

    from screening.errors import MrzSyntaxError
    from screening.model import Check, Correction, Mrz, Span

__all__ = [
    "SCHEMA_VERSION",
    "MrzVerdict",
    "check_to_dict",
    "clean_text",
    "correction_to_dict",
    "mrz_error_to_dict",
    "mrz_to_dict",
    "mrz_verdict",
    "render_mrz",
    "render_mrz_error",
    "span_to_dict",
]

SCHEMA_VERSION = "1"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class MrzVerdict:
    """The words shown for one MRZ document (also the JSON `verdict` values, lowercased)."""

    PASS = "PASS"  # noqa: S105 - a verdict word, not a password
    CHECKS_FAILED = "CHECKS FAILED"
    UNREADABLE = "UNREADABLE"


_STYLE = {
    MrzVerdict.PASS: "bold green",
    MrzVerdict.CHECKS_FAILED: "bold yellow",
    MrzVerdict.UNREADABLE: "bold red",
}
_STATUS_WORD = {
    CheckStatus.PASS: ("pass", "green"),
    CheckStatus.FAIL: ("FAIL", "bold red"),
    CheckStatus.NOT_APPLICABLE: ("n/a", "dim"),
}
_FIELD_ORDER = (
    "document_code",
    "issuing_state",
    "surname",
    "given_names",
    "document_number",
    "document_number_check",
    "nationality",
    "birth_date",
    "birth_date_check",
    "sex",
    "expiry_date",
    "expiry_date_check",
    "optional_data",
    "optional_data_check",
    "optional_data_2",
    "composite_check",
)


def clean_text(text: str) -> str:
    """Untrusted text made safe for a terminal: control and bidi characters become `?`."""
    return _CONTROL.sub("?", text)


def mrz_verdict(checks: Iterable[Check]) -> str:
    """PASS when no check failed, else CHECKS FAILED (not-applicable checks do not fail)."""
    return MrzVerdict.CHECKS_FAILED if any(c.failed for c in checks) else MrzVerdict.PASS


def span_to_dict(span: Span | None) -> dict[str, int] | None:
    """A span as 1-based line and inclusive 1-based columns."""
    if span is None:
        return None
    return {"line": span.line + 1, "start": span.start + 1, "end": span.end}


def check_to_dict(check: Check) -> dict[str, Any]:
    """One check as JSON."""
    return {
        "code": check.code,
        "status": check.status.value,
        "message": check.message,
        "expected": check.expected,
        "found": check.found,
        "position": span_to_dict(check.span),
    }


def correction_to_dict(correction: Correction) -> dict[str, Any]:
    """One OCR correction as JSON (1-based line and column)."""
    return {
        "line": correction.line + 1,
        "column": correction.col + 1,
        "read": correction.read,
        "used": correction.used,
        "reason": correction.reason,
    }


def mrz_to_dict(
    mrz: Mrz,
    checks: Iterable[Check] = (),
    *,
    dates: Mapping[str, dt.date | None] | None = None,
    suggestions: Iterable[Correction] = (),
) -> dict[str, Any]:
    """A parsed MRZ, its checks, resolved dates and suggested (unapplied) corrections."""
    checks = tuple(checks)
    return {
        "doc_type": mrz.doc_type.value,
        "lines": list(mrz.lines),
        "original_lines": list(mrz.original_lines or mrz.lines),
        "fields": {
            name: {"value": field.value, "raw": field.raw, "position": span_to_dict(field.span)}
            for name, field in mrz.fields.items()
        },
        "dates": {
            name: (None if value is None else value.isoformat())
            for name, value in (dates or {}).items()
        },
        "names_truncated": mrz.names_truncated,
        "extras": dict(mrz.extras),
        "corrections": [correction_to_dict(c) for c in mrz.corrections],
        "checks": [check_to_dict(c) for c in checks],
        "failed_checks": [c.code for c in checks if c.failed],
        "suggested_corrections": [correction_to_dict(c) for c in suggestions],
    }


def mrz_error_to_dict(error: MrzSyntaxError) -> dict[str, Any]:
    """An unparseable document: stable code, sentence, every problem."""
    return {"code": error.code, "message": error.message, "problems": list(error.problems)}


# --- Rich -----------------------------------------------------------------------------------------


def _verdict_line(verdict: str, title: str, detail: str) -> Text:
    line = Text()
    line.append(verdict, style=_STYLE[verdict])
    line.append("  ")
    line.append(clean_text(title), style="bold")
    if detail:
        line.append(f"  {detail}")
    return line


def render_mrz(
    mrz: Mrz,
    checks: Iterable[Check],
    *,
    title: str,
    dates: Mapping[str, dt.date | None] | None = None,
    suggestions: Iterable[Correction] = (),
    suggestions_pass: bool = False,
) -> RenderableType:
    """Verdict line, a table of fields, a table of checks and any suggested corrections."""
    checks = tuple(checks)
    suggestions = tuple(suggestions)
    verdict = mrz_verdict(checks)
    failed = [c for c in checks if c.failed]
    detail = f"{mrz.doc_type.value}; " + (
        f"{len(failed)} check(s) failed" if failed else "every check passed"
    )
    parts: list[RenderableType] = [_verdict_line(verdict, title, detail)]

    fields = Table(title="Fields", title_justify="left", show_lines=False)
    fields.add_column("Field")
    fields.add_column("Value")
    fields.add_column("As printed")
    fields.add_column("Position")
    resolved = dates or {}
    for name in _FIELD_ORDER:
        field = mrz.fields.get(name)
        if field is None:
            continue
        value = field.value
        if resolved.get(name) is not None:
            value = f"{resolved[name]}"
        fields.add_row(
            Text(name.replace("_", " ")),
            Text(clean_text(value)),
            Text(clean_text(field.raw)),
            Text(field.span.describe()),
        )
    parts.append(fields)

    table = Table(title="Checks", title_justify="left")
    table.add_column("Result")
    table.add_column("Check", overflow="fold", min_width=12)
    table.add_column("Expected")
    table.add_column("Found")
    table.add_column("Position")
    table.add_column("Detail")
    for check in sorted(checks, key=lambda c: c.status is not CheckStatus.FAIL):
        word, style = _STATUS_WORD[check.status]
        table.add_row(
            Text(word, style=style),
            Text(check.code),
            Text(clean_text(check.expected or "")),
            Text(clean_text(check.found or "")),
            Text(check.span.describe() if check.span else ""),
            Text(clean_text(check.message)),
        )
    parts.append(table)

    if mrz.corrections:
        parts.append(
            _corrections_table(
                mrz.corrections, "Corrections APPLIED by OCR repair (the original is kept)"
            )
        )
    if suggestions:
        outcome = (
            "applying them would leave no other failing check"
            if suggestions_pass
            else "failing checks would remain even with them"
        )
        parts.append(
            _corrections_table(
                suggestions,
                f"Suggested OCR corrections, NOT applied: the verdict is for the text as read; "
                f"{outcome}",
            )
        )
    return Group(*parts)


def _corrections_table(corrections: Iterable[Correction], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Position")
    table.add_column("Read")
    table.add_column("Suggested")
    table.add_column("Why")
    for item in corrections:
        table.add_row(
            Text(f"line {item.line + 1}, column {item.col + 1}"),
            Text(clean_text(item.read)),
            Text(clean_text(item.used)),
            Text(item.reason),
        )
    return table


def render_mrz_error(error: MrzSyntaxError, *, title: str) -> RenderableType:
    """UNREADABLE, the error code, and every problem (positions only, never MRZ text)."""
    lines: list[RenderableType] = [_verdict_line(MrzVerdict.UNREADABLE, title, f"({error.code})")]
    lines.extend(Text(f"  - {clean_text(problem)}") for problem in error.problems)
    return Group(*lines)
