"""Pure: position-aware OCR repair as evidence (ICAO Doc 9303 Part 3 section 4.3 character sets).

OCR confuses look-alike glyphs (O/0, I/1, B/8, S/5, Z/2, G/6, D/0, Q/0...) and reads the filler
`<` as `K`, `X`, `S` or `G`. The MRZ says which class each position holds, so a letter in a date
is almost certainly a misread digit. `suggest_corrections(mrz)` proposes, and `repair_mrz(mrz)`
applies, only these changes, each recorded as a `Correction` with its reason:

1. charset class: a letter in a numeric field (dates, check digits) becomes the digit it
   resembles; a digit in a name becomes the letter it resembles; a digit in a country code
   becomes a letter only when that yields a code on the ICAO list;
2. check digit: in an alphanumeric field protected by a check digit (document number, TD3
   personal number) one look-alike swap is made only when it turns a failing check into a
   passing one and no other single swap does the same (the composite check breaks ties);
3. filler: look-alike letters that `validate.filler_anomalies` finds inside a filler run
   become `<`.

Characters outside the MRZ alphabet (a reader's `_`) never reach this module: the parser refuses
them. The repaired `Mrz` keeps `original_lines`, lists every `Correction`, and `validate_mrz`
reports a failing `repaired` check for it, so a corrected read never passes as a clean one.
"""

from __future__ import annotations

from collections.abc import Callable

from screening.model import Correction, Mrz
from screening.mrz.checkdigit import compute
from screening.mrz.countries import ICAO_CODES
from screening.mrz.layout import LAYOUTS, CharClass, CheckSpec
from screening.mrz.parse import build_mrz
from screening.mrz.validate import FILLER_LOOKALIKES, filler_anomalies

__all__ = ["TO_DIGIT", "TO_LETTER", "repair_mrz", "suggest_corrections"]

TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
    "T": "7",
    "A": "4",
}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
# Swaps tried inside alphanumeric fields, where either class is legal.
_Change = Callable[[int, int, str, str], None]

_SWAPS: dict[str, tuple[str, ...]] = {
    "O": ("0", "D", "Q"),
    "0": ("O", "D", "Q"),
    "D": ("0", "O"),
    "Q": ("0", "O"),
    "I": ("1", "L"),
    "1": ("I", "L"),
    "L": ("1", "I"),
    "B": ("8",),
    "8": ("B",),
    "S": ("5",),
    "5": ("S",),
    "Z": ("2",),
    "2": ("Z",),
    "G": ("6",),
    "6": ("G",),
    "A": ("4",),
    "4": ("A",),
    "T": ("7",),
    "7": ("T",),
}


def repair_mrz(mrz: Mrz) -> Mrz:
    """A new `Mrz` with the proposed corrections applied and listed (or `mrz` unchanged)."""
    corrections = suggest_corrections(mrz)
    if not corrections:
        return mrz
    lines = [list(line) for line in mrz.lines]
    for item in corrections:
        lines[item.line][item.col] = item.used
    return build_mrz(
        mrz.doc_type,
        tuple("".join(line) for line in lines),
        original_lines=mrz.original_lines or mrz.lines,
        corrections=mrz.corrections + corrections,
    )


def suggest_corrections(mrz: Mrz) -> tuple[Correction, ...]:
    """The corrections `repair_mrz` would make, in line and column order; never applied here."""
    lines = [list(line) for line in mrz.lines]
    changes: dict[tuple[int, int], Correction] = {}

    def change(line: int, col: int, used: str, reason: str) -> None:
        read = mrz.lines[line][col]
        changes[line, col] = Correction(line, col, read, used, reason)
        lines[line][col] = used

    _class_fixes(mrz, change)
    current = build_mrz(mrz.doc_type, tuple("".join(line) for line in lines))
    _check_digit_fixes(current, change)
    for spans in filler_anomalies(mrz).values():
        for span in spans:
            text = mrz.lines[span.line][span.start : span.end]
            if set(text) - {"<"} <= FILLER_LOOKALIKES:
                for col in range(span.start, span.end):
                    if mrz.lines[span.line][col] != "<":
                        change(span.line, col, "<", "letter inside a filler run read for <")
    return tuple(changes[key] for key in sorted(changes))


def _class_fixes(mrz: Mrz, change: _Change) -> None:
    layout = LAYOUTS[mrz.doc_type]
    for spec in layout.fields:
        raw = mrz.lines[spec.line][spec.start : spec.end]
        if spec.chars is CharClass.NUMERIC:
            for offset, char in enumerate(raw):
                if char in TO_DIGIT:
                    change(
                        spec.line,
                        spec.start + offset,
                        TO_DIGIT[char],
                        f"letter in a numeric field ({spec.name.replace('_', ' ')})",
                    )
        elif spec.chars is CharClass.ALPHA and any("0" <= c <= "9" for c in raw):
            fixed = "".join(TO_LETTER.get(c, c) for c in raw)
            if fixed.rstrip("<") in ICAO_CODES:
                for offset, (old, new) in enumerate(zip(raw, fixed, strict=True)):
                    if old != new:
                        change(
                            spec.line,
                            spec.start + offset,
                            new,
                            f"digit in a country code ({spec.name.replace('_', ' ')})",
                        )
    names = layout.names
    for offset, char in enumerate(mrz.lines[names.line][names.start : names.end]):
        if char in TO_LETTER:
            change(names.line, names.start + offset, TO_LETTER[char], "digit in the name field")


def _check_digit_fixes(mrz: Mrz, change: _Change) -> None:
    """One look-alike swap that makes a failing document-number or personal-number check pass."""
    layout = LAYOUTS[mrz.doc_type]
    composite = next((c for c in layout.checks if c.code == "check_digit:composite"), None)
    for name in ("document_number", "optional_data"):
        if not any(c.data == name for c in layout.checks):
            continue
        field = mrz.fields[name]
        digit = mrz.fields[f"{name}_check"].raw
        line = field.span.line
        positions = list(range(field.span.start, field.span.end))
        if name == "document_number" and "document_number_overflow" in mrz.extras:
            # The first nine characters, then the continuation in the optional data; the `<`
            # in the check-digit slot is not part of the number.
            positions = list(range(field.span.start, field.span.start + 9)) + list(
                range(
                    int(mrz.extras["document_number_overflow_start"]),
                    int(mrz.extras["document_number_overflow_end"]),
                )
            )
        data = "".join(mrz.lines[line][col] for col in positions)
        if not digit.isdigit() or compute(data) == digit:
            continue
        candidates: list[tuple[int, str]] = []
        for index, col in enumerate(positions):
            for swap in _SWAPS.get(data[index], ()):
                trial = data[:index] + swap + data[index + 1 :]
                if compute(trial) == digit:
                    candidates.append((col, swap))
        if len(candidates) > 1 and composite is not None:
            candidates = [c for c in candidates if _composite_passes(mrz, composite, line, c)]
        if len(candidates) == 1:
            col, swap = candidates[0]
            change(
                line,
                col,
                swap,
                f"look-alike swap that makes the {name.replace('_', ' ')} check digit pass",
            )


def _composite_passes(
    mrz: Mrz, composite: CheckSpec, line: int, candidate: tuple[int, str]
) -> bool:
    col, swap = candidate
    lines = list(mrz.lines)
    lines[line] = lines[line][:col] + swap + lines[line][col + 1 :]
    data = "".join(lines[ln][start:end] for ln, start, end in composite.composite)
    return compute(data) == mrz.fields["composite_check"].raw
