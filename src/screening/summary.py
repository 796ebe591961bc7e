"""The risk summary of one screening: JSON shaping and the Rich verdict panel an officer reads.

ADAPTER (output). Every format is built from the same `ScreeningResult`. The panel is readable
without colour (`NO_COLOR`, pipes, `TERM=dumb`): the verdict is a word, severities are words,
and nothing from the document, a list or a file name is ever interpreted as Rich markup or
passed to the terminal as a control sequence (`clean()` strips them; only `Text` objects are
used for untrusted strings), so a hostile name cannot spoof the verdict line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from screening.model import CheckStatus, Severity, Verdict
from screening.report import check_to_dict, clean_text, correction_to_dict

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rich.console import RenderableType

    from screening.model import ListInfo, Match, Mrz
    from screening.screen import ScreeningResult

__all__ = [
    "NEXT_STEP",
    "SCHEMA_VERSION",
    "clean",
    "result_panel",
    "result_to_dict",
    "summary_table",
]

SCHEMA_VERSION = "1"

NEXT_STEP = {
    Verdict.CLEAR: "No concern found: continue the normal inspection.",
    Verdict.REVIEW: (
        "Look at each reason against the document and the traveller; "
        "refer to a supervisor if it is not resolved."
    ),
    Verdict.ALERT: (
        "Do not clear. Keep the document and refer the traveller to a supervisor "
        "(possible forgery or trafficking)."
    ),
    Verdict.NO_RESULT: (
        "The document could not be screened: rescan it or type the MRZ, "
        "and inspect it by hand. This is not a clearance."
    ),
}

_STYLE = {
    Verdict.CLEAR: "bold white on green",
    Verdict.REVIEW: "bold black on yellow",
    Verdict.ALERT: "bold white on red",
    Verdict.NO_RESULT: "bold white on blue",
}
_SEVERITY_STYLE = {Severity.ALERT: "bold red", Severity.REVIEW: "yellow", Severity.INFO: "dim"}


def clean(text: object) -> str:
    """Untrusted text made safe to display: control and bidi characters become `?`."""
    return clean_text("" if text is None else str(text))


# --- JSON -------------------------------------------------------------------------------------


def _mrz_to_dict(mrz: Mrz, dates: Mapping[str, str]) -> dict[str, Any]:
    return {
        "doc_type": mrz.doc_type.value,
        "lines": list(mrz.lines),
        "original_lines": list(mrz.original_lines or mrz.lines),
        "corrected": bool(mrz.corrections),
        "corrections": [correction_to_dict(c) for c in mrz.corrections],
        "names_truncated": mrz.names_truncated,
        "fields": {name: f.value for name, f in mrz.fields.items()},
        "dates": dict(dates),
    }


def _match_to_dict(match: Match) -> dict[str, Any]:
    return {
        "list": match.list_name,
        "entity_id": match.entry.id,
        "entity_name": match.entry.name,
        "kind": match.entry.kind.value,
        "matched_name": match.matched_name,
        "score": round(match.score, 1),
        "strength": match.strength.value if match.strength else None,
        "reason": match.entry.reason,
        "explanation": list(match.explanation),
    }


def _list_to_dict(info: ListInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "path": info.path,
        "role": info.role.value,
        "entries": info.entries,
        "sha256": info.sha256,
        "age_days": None if info.age_days is None else round(info.age_days, 1),
        "stale": info.stale,
    }


def result_to_dict(result: ScreeningResult) -> dict[str, Any]:
    """The JSON object for one screening (schema: `screening/data/result.schema.json`)."""
    assessment = result.assessment
    read = result.read
    return {
        "schema_version": SCHEMA_VERSION,
        "source": result.source,
        "page": None if read is None else read.page + 1,
        "verdict": assessment.verdict.value,
        "next_step": NEXT_STEP[assessment.verdict],
        "reasons": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message,
                "evidence": dict(f.evidence),
            }
            for f in assessment.findings
        ],
        "not_checked": list(assessment.not_checked),
        "document": None if result.mrz is None else _mrz_to_dict(result.mrz, result.dates),
        "checks": [check_to_dict(c) for c in result.checks],
        "read": None
        if read is None
        else {
            "page": read.page + 1,
            "box": None
            if not read.box
            else dict(zip(("x", "y", "width", "height"), read.box, strict=True)),
            "angle": read.angle,
            "model": read.model,
            "line_confidences": list(read.line_confidences),
            "notes": list(read.notes),
        },
        "recruiter": result.recruiter,
        "agency": result.agency,
        "matches": {
            role: [_match_to_dict(m) for m in found] for role, found in result.matches.items()
        },
        "lists": [_list_to_dict(info) for info in result.lists],
        "error": None
        if result.error_code is None
        else {"code": result.error_code, "message": result.error_message},
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


# --- Rich -------------------------------------------------------------------------------------

_FIELD_ORDER = (
    ("document_code", "Document code"),
    ("issuing_state", "Issuing state"),
    ("document_number", "Document number"),
    ("surname", "Surname"),
    ("given_names", "Given names"),
    ("nationality", "Nationality"),
    ("birth_date", "Date of birth"),
    ("sex", "Sex"),
    ("expiry_date", "Date of expiry"),
    ("optional_data", "Optional data"),
)


def _verdict_line(result: ScreeningResult) -> Text:
    verdict = result.assessment.verdict
    word = verdict.value.replace("_", " ").upper()
    line = Text()
    line.append(f" {word} ", style=_STYLE[verdict])
    line.append("  ")
    line.append(clean(result.source))
    if result.read is not None:
        line.append(f"  (page {result.read.page + 1})")
    return line


def _evidence_line(evidence: Mapping[str, str]) -> str:
    """One line of evidence: the detail sentence if there is one, else key=value pairs."""
    if evidence.get("detail"):
        where = f" ({evidence['position']})" if evidence.get("position") else ""
        return evidence["detail"] + where
    if evidence.get("entry") and evidence.get("matched_name"):
        listed = f"; listed for: {evidence['listed_for']}" if evidence.get("listed_for") else ""
        return (
            f"{evidence.get('list', '')}:{evidence['entry']} {evidence['matched_name']}, "
            f"score {evidence.get('score', '?')}{listed}"
        )
    return ", ".join(f"{key}={value}" for key, value in evidence.items())


def _reasons(result: ScreeningResult) -> RenderableType:
    """Reasons, most severe first; findings sharing a code show the reason once."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("reason")
    previous: str | None = None
    for finding in result.assessment.findings:
        evidence = _evidence_line(finding.evidence)
        if finding.code != previous:
            text = Text(clean(finding.message))
            if evidence:
                text.append("\n- " + clean(evidence), style="dim")
            table.add_row(
                Text(finding.severity.value.upper(), style=_SEVERITY_STYLE[finding.severity]),
                Text(clean(finding.code)),
                text,
            )
        elif evidence:
            table.add_row(Text(""), Text(""), Text("- " + clean(evidence), style="dim"))
        previous = finding.code
    if not result.assessment.findings:
        table.add_row(Text("-"), Text(""), Text("No reasons: every check that ran passed."))
    return table


def _document(result: ScreeningResult) -> RenderableType | None:
    mrz = result.mrz
    if mrz is None:
        return None
    table = Table(title=f"MRZ ({mrz.doc_type.value})", title_justify="left", show_header=True)
    table.add_column("Field")
    table.add_column("MRZ value")
    table.add_column("Check")
    failing = {c.code.split(":", 1)[-1] for c in result.checks if c.failed}
    for name, label in _FIELD_ORDER:
        if name not in mrz.fields:
            continue
        value = mrz.fields[name].value or "-"
        if name in result.dates:  # YYMMDD as printed, and the date it means
            value = f"{value} ({result.dates[name]})"
        table.add_row(
            Text(label),
            Text(clean(value)),
            Text("FAIL", style="bold red") if name in failing else Text("ok"),
        )
    if mrz.corrections:
        table.caption = f"{len(mrz.corrections)} character(s) corrected by OCR repair; see reasons."
    return table


def _matches(result: ScreeningResult) -> RenderableType | None:
    rows = [(role, m) for role, found in result.matches.items() for m in found if m.strength]
    if not rows:
        return None
    table = Table(title="Watchlist and allowlist matches", title_justify="left")
    for column in ("Who", "Match", "Score", "List", "Entry", "Why"):
        table.add_column(column)
    for role, match in rows:
        table.add_row(
            Text(role),
            Text(match.strength.value.upper() if match.strength else ""),
            Text(f"{match.score:.0f}"),
            Text(clean(match.list_name)),
            Text(clean(f"{match.entry.id}: {match.matched_name}")),
            Text(clean("; ".join(match.explanation))),
        )
    return table


def _lists(result: ScreeningResult) -> RenderableType:
    if not result.lists:
        return Text("Lists: none loaded (names were not checked).", style="yellow")
    parts = []
    for info in result.lists:
        age = "age unknown" if info.age_days is None else f"{info.age_days:.0f} days old"
        stale = " STALE" if info.stale else ""
        parts.append(
            f"{clean(info.name)} ({info.role.value}, {info.entries} entries, "
            f"sha256 {info.sha256[:12]}, {age}{stale})"
        )
    return Text("Lists: " + "; ".join(parts))


def _parties(result: ScreeningResult) -> Text | None:
    """The recruiter and agency names as screened, with the outcome, hit or not."""
    lines = []
    for role, name in (("Recruiter", result.recruiter), ("Agency", result.agency)):
        if not name:
            continue
        found = [m for m in result.matches.get(role.lower(), ()) if m.strength]
        outcome = (
            f"{found[0].strength.upper() if found[0].strength else ''} match"
            if found
            else "no watchlist match"
        )
        lines.append(f"{role} screened: {clean(name)} - {outcome}")
    return Text("\n".join(lines)) if lines else None


def result_panel(result: ScreeningResult) -> RenderableType:
    """The verdict panel: verdict word, next step, reasons, MRZ fields, matches, lists."""
    verdict = result.assessment.verdict
    parts: list[RenderableType] = [
        _verdict_line(result),
        Text("Next: " + NEXT_STEP[verdict], style="bold"),
        Text(""),
        _reasons(result),
    ]
    if result.assessment.not_checked:
        parts.append(
            Text("Not checked: " + ", ".join(clean(n) for n in result.assessment.not_checked))
        )
    if result.error_message:
        parts.append(Text(clean(result.error_message), style="yellow"))
    parties = _parties(result)
    if parties is not None:
        parts.append(parties)
    for extra in (_document(result), _matches(result)):
        if extra is not None:
            parts.extend([Text(""), extra])
    parts.extend([Text(""), _lists(result)])
    return Panel(Group(*parts), title=verdict.value.replace("_", " ").upper(), expand=False)


def summary_table(counts: dict[str, int], total: int, elapsed_s: float) -> RenderableType:
    """The end-of-batch table: how many inputs got each verdict; they add up to the total."""
    table = Table(title="Batch summary", title_justify="left")
    table.add_column("Verdict")
    table.add_column("Documents", justify="right")
    for verdict in (Verdict.ALERT, Verdict.REVIEW, Verdict.NO_RESULT, Verdict.CLEAR):
        table.add_row(verdict.value.replace("_", " ").upper(), str(counts.get(verdict.value, 0)))
    table.add_row("TOTAL", str(total), style="bold")
    table.caption = f"{elapsed_s:.1f} s"
    return table


def status_word(status: CheckStatus) -> str:
    """A check status as a word for tables: PASS, FAIL or N/A."""
    return {CheckStatus.PASS: "PASS", CheckStatus.FAIL: "FAIL"}.get(status, "N/A")
