"""Pure: (Mrz, today) -> every check, never stopping at the first failure (ICAO Doc 9303 Part 3).

Each `Check` is pass / fail / not applicable, with expected and found values and the span.
Stable check codes (the risk policy and JSON consumers program against them):

- `check_digit:document_number`, `check_digit:birth_date`, `check_digit:expiry_date`,
  `check_digit:optional_data` (TD3 personal number; a `<` check digit passes when the field is
  all fillers), `check_digit:composite` (TD1, TD2, TD3; not applicable to MRV-A/MRV-B).
  Part 3 section 4.9, 7-3-1 weights. A `<` in a check-digit position passes only when the
  data it protects is all fillers (an empty field); otherwise it fails. A TD1/TD2 long
  document number is checked over all its characters, without the `<` (Part 5 note j).
- `date:birth_date`, `date:expiry_date`: a real calendar date (month 13 or 31 February fail
  even when the check digit passes). The century is resolved against `today`: a birth date
  is the latest one not after `today`; an expiry date the latest one not more than
  `EXPIRY_HORIZON_YEARS` after `today`. `found` holds the resolved ISO date. An all-filler
  date is not applicable (Part 3 allows an unrecorded date). Expiry is NOT judged here: that
  is risk policy; `resolved_dates()` gives the dates for it.
- `country:issuing_state`, `country:nationality`: on the ICAO code list (countries.py).
- `sex`: M, F, X or `<`.
- `document_code`: first letter fits the layout (P for TD3, V for visas, A/C/I for TD1/TD2),
  second a letter or `<`. A 2x36 `IDFRA` card (the French national ID, not an ICAO layout)
  fails here with that explanation.
- `charset`: a letter in a numeric field or a digit in an alphabetic one; one check per field,
  naming every column and what was expected. One passing `charset` check when all is well.
- `filler:surname`, `filler:given_names`, `filler:optional_data`, `filler:optional_data_2`:
  non-filler characters inside a filler run (`K`, `X`, `S`, `G` read where `<` is printed,
  the commonest OCR failure; names have no check digit to catch it).
- `names_truncated`: emitted only when the name field is full to its last character. Status
  PASS: truncation is legal (Part 3 section 4.6), but the officer should compare the name
  with the visual zone, so it is listed.
- `repaired`: emitted only when the Mrz carries OCR corrections. Status FAIL, so that a
  repaired read is never reported as a clean one; the risk policy decides its weight.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from screening.model import Check, CheckStatus, DocType, Mrz, Span
from screening.mrz.checkdigit import compute
from screening.mrz.countries import ICAO_CODES, country_name
from screening.mrz.layout import DOCUMENT_LETTERS, LAYOUTS, CharClass

if TYPE_CHECKING:
    from screening.model import Field

__all__ = [
    "EXPIRY_HORIZON_YEARS",
    "FILLER_LOOKALIKES",
    "filler_anomalies",
    "resolved_dates",
    "validate_mrz",
]

EXPIRY_HORIZON_YEARS = 20
FILLER_LOOKALIKES = frozenset("KXSGCELZ")

_PARTLY_UNKNOWN = re.compile(r"[0-9]{2}(?:<{4}|[0-9]{2}<<)")
_LOOKALIKE_RUN = re.compile(r"([KXSGCELZ])\1{2,}")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")

_PASS = CheckStatus.PASS
_FAIL = CheckStatus.FAIL
_NA = CheckStatus.NOT_APPLICABLE

_LABELS = {
    "document_number": "document number",
    "birth_date": "birth date",
    "expiry_date": "expiry date",
    "optional_data": "optional data (personal number)",
    "issuing_state": "issuing state",
    "nationality": "nationality",
}


def validate_mrz(mrz: Mrz, today: dt.date) -> tuple[Check, ...]:
    """Run every check on `mrz`; `today` resolves date centuries (the core reads no clock)."""
    checks: list[Check] = []
    checks.extend(_check_digits(mrz))
    dates = _resolve(mrz, today)
    checks.extend(dates[name][1] for name in ("birth_date", "expiry_date"))
    checks.extend(_country(mrz, name) for name in ("issuing_state", "nationality"))
    checks.append(_sex(mrz))
    checks.append(_document_code(mrz))
    checks.extend(_charset(mrz))
    checks.extend(_fillers(mrz))
    if mrz.names_truncated:
        names = mrz.fields["given_names"]
        checks.append(
            Check(
                "names_truncated",
                _PASS,
                "The name field is full to its last character: the name is probably truncated; "
                "compare it with the visual zone.",
                found="truncated",
                span=Span(names.span.line, names.span.end - 1, names.span.end),
            )
        )
    if mrz.corrections:
        count = len(mrz.corrections)
        checks.append(
            Check(
                "repaired",
                _FAIL,
                f"{count} character{'s were' if count > 1 else ' was'} changed by OCR repair; "
                "confirm each correction against the document.",
                expected="0",
                found=str(count),
            )
        )
    return tuple(checks)


# --- check digits ------------------------------------------------------------------------------


def _check_digits(mrz: Mrz) -> list[Check]:
    layout = LAYOUTS[mrz.doc_type]
    checks: list[Check] = []
    for spec in layout.checks:
        digit = mrz.fields[spec.digit]
        if spec.data:
            field = mrz.fields[spec.data]
            data = (
                field.value
                if spec.data == "document_number" and "document_number_overflow" in mrz.extras
                else field.raw
            )
            label = _LABELS[spec.data]
        else:
            data = "".join(mrz.lines[line][start:end] for line, start, end in spec.composite)
            label = "composite (upper and lower line data)"
        check = _digit_check(spec.code, label, data, digit)
        if check.failed and spec.data == "document_number" and data != field.raw:
            # Long number: ICAO does not say whether the `<` in the check-digit slot counts.
            # Most issuers leave it out; some (Belgium) include it. Accept either, and say so.
            spliced = field.value[:9] + "<" + field.value[9:]
            with_filler = _digit_check(spec.code, label, spliced, digit)
            if not with_filler.failed:
                check = Check(
                    spec.code,
                    _PASS,
                    f"The {label} check digit is correct when computed over the filler in the "
                    "check-digit slot as well (a national variant of the long-number rule).",
                    with_filler.expected,
                    with_filler.found,
                    digit.span,
                )
        checks.append(check)
    if mrz.doc_type in {DocType.MRVA, DocType.MRVB}:
        checks.append(
            Check(
                "check_digit:composite",
                _NA,
                f"{mrz.doc_type.value} visas have no composite check digit (Part 7).",
            )
        )
    return checks


def _digit_check(code: str, label: str, data: str, digit: Field) -> Check:
    expected = compute(data)
    found = digit.raw
    if found == expected:
        return Check(
            code, _PASS, f"The {label} check digit is correct.", expected, found, digit.span
        )
    if found == "<" and data.strip("<") == "":
        return Check(
            code,
            _PASS,
            f"The {label} is empty and its check digit is a filler, as Part 4 allows.",
            "<",
            found,
            digit.span,
        )
    if found == "<":
        message = f"A filler stands in the {label} check-digit position; the digit should be "
    else:
        message = f"The {label} check digit is {found}; computed from the data it should be "
    return Check(code, _FAIL, message + f"{expected}.", expected, found, digit.span)


# --- dates --------------------------------------------------------------------------------------


def _resolve(mrz: Mrz, today: dt.date) -> dict[str, tuple[dt.date | None, Check]]:
    return {
        "birth_date": _date_check(mrz.fields["birth_date"], "birth date", limit=today),
        "expiry_date": _date_check(
            mrz.fields["expiry_date"],
            "expiry date",
            limit=_add_years(today, EXPIRY_HORIZON_YEARS),
        ),
    }


def resolved_dates(mrz: Mrz, today: dt.date) -> dict[str, dt.date | None]:
    """Birth and expiry as real dates with the century resolved against `today` (or None)."""
    return {name: result[0] for name, result in _resolve(mrz, today).items()}


def _add_years(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:  # a `today` near year 9999: no later date exists
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _date_check(field: Field, label: str, *, limit: dt.date) -> tuple[dt.date | None, Check]:
    code = f"date:{field.name}"
    raw = field.raw
    if raw == "<<<<<<":
        return None, Check(code, _NA, f"No {label} is recorded (all fillers).", span=field.span)
    if _PARTLY_UNKNOWN.fullmatch(raw):
        # Part 3 allows unknown month/day to be filled with `<` (e.g. 80<<<<): no calendar
        # date can be checked, but that is not an impossible date.
        return None, Check(code, _NA, f"The {label} is only partly known ({raw}).", span=field.span)
    if not (len(raw) == 6 and raw.isascii() and raw.isdigit()):
        return None, Check(
            code,
            _FAIL,
            f"The {label} is not a date: expected six digits YYMMDD.",
            "YYMMDD",
            raw,
            field.span,
        )
    yy, month, day = int(raw[:2]), int(raw[2:4]), int(raw[4:6])
    year = (
        2000 + yy if (2000 + yy, month, day) <= (limit.year, limit.month, limit.day) else 1900 + yy
    )
    try:
        resolved = dt.date(year, month, day)
    except ValueError:
        return None, Check(
            code,
            _FAIL,
            f"The {label} is impossible: there is no day {day:02d} in month {month:02d} of {year}.",
            "a calendar date",
            raw,
            field.span,
        )
    return resolved, Check(
        code,
        _PASS,
        f"The {label} is a real date ({resolved.isoformat()}).",
        found=resolved.isoformat(),
        span=field.span,
    )


# --- codes ----------------------------------------------------------------------------------------


def _country(mrz: Mrz, name: str) -> Check:
    field = mrz.fields[name]
    code = f"country:{name}"
    if field.value in ICAO_CODES:
        return Check(
            code,
            _PASS,
            f"The {_LABELS[name]} {field.value} is an ICAO code ({country_name(field.value)}).",
            found=field.value,
            span=field.span,
        )
    return Check(
        code,
        _FAIL,
        f"The {_LABELS[name]} code is not on the ICAO 9303 list of states and organisations.",
        "an ICAO 9303 code",
        field.raw,
        field.span,
    )


def _sex(mrz: Mrz) -> Check:
    field = mrz.fields["sex"]
    if field.raw in {"M", "F", "X", "<"}:
        meaning = {"M": "male", "F": "female"}.get(field.raw, "unspecified")
        return Check("sex", _PASS, f"Sex is {meaning}.", found=field.raw, span=field.span)
    return Check(
        "sex", _FAIL, "The sex field must be M, F, X or <.", "M, F, X or <", field.raw, field.span
    )


def _document_code(mrz: Mrz) -> Check:
    field = mrz.fields["document_code"]
    letters = DOCUMENT_LETTERS[mrz.doc_type]
    expected = " or ".join(letters) + " then a letter or <"
    if mrz.doc_type is DocType.TD2 and mrz.lines[0].startswith("IDFRA"):
        return Check(
            "document_code",
            _FAIL,
            "This looks like a French national identity card (1988-2021 format): its 2x36 MRZ "
            "is not an ICAO 9303 layout, so the TD2 checks do not apply to it.",
            "an ICAO 9303 TD2 document",
            field.raw,
            field.span,
        )
    first, second = field.raw[0], field.raw[1]
    if first in letters and (second == "<" or "A" <= second <= "Z"):
        return Check(
            "document_code",
            _PASS,
            f"Document code {field.value} fits the {mrz.doc_type.value} layout.",
            found=field.raw,
            span=field.span,
        )
    return Check(
        "document_code",
        _FAIL,
        f"Document code does not fit the {mrz.doc_type.value} layout: expected {expected}.",
        expected,
        field.raw,
        field.span,
    )


# --- character classes ------------------------------------------------------------------------


def _charset(mrz: Mrz) -> list[Check]:
    layout = LAYOUTS[mrz.doc_type]
    checks: list[Check] = []
    specs: list[tuple[str, int, int, int, CharClass]] = [
        (s.name, s.line, s.start, s.end, s.chars) for s in layout.fields
    ]
    names = layout.names
    specs.append(("names", names.line, names.start, names.end, CharClass.ALPHA))
    for name, line, start, end, chars in specs:
        raw = mrz.lines[line][start:end]
        if chars is CharClass.NUMERIC:
            if _LETTERS.isdisjoint(raw):  # fast path: checked in C
                continue
            bad = [c for c in range(start, end) if "A" <= mrz.lines[line][c] <= "Z"]
            expected = "digits 0-9 (or <)"
        elif chars is CharClass.ALPHA:
            if _DIGITS.isdisjoint(raw):
                continue
            bad = [c for c in range(start, end) if "0" <= mrz.lines[line][c] <= "9"]
            expected = "letters A-Z (or <)"
        else:
            continue
        if not bad:
            continue
        columns = ", ".join(str(c + 1) for c in bad)
        field = name.replace("_", " ")
        checks.append(
            Check(
                "charset",
                _FAIL,
                f"Line {line + 1}, column{'s' if len(bad) > 1 else ''} {columns} ({field}): "
                f"expected {expected}.",
                expected,
                "".join(mrz.lines[line][c] for c in bad),
                Span(line, bad[0], bad[-1] + 1),
            )
        )
    if not checks:
        checks.append(
            Check("charset", _PASS, "Every field holds the characters its layout allows.")
        )
    return checks


# --- fillers --------------------------------------------------------------------------------


def filler_anomalies(mrz: Mrz) -> dict[str, tuple[Span, ...]]:
    """Spans of non-filler characters inside filler runs, per field (empty when clean)."""
    found: dict[str, tuple[Span, ...]] = {}
    names = LAYOUTS[mrz.doc_type].names
    raw = mrz.lines[names.line][names.start : names.end]
    surname_end = mrz.fields["surname"].span.end - names.start
    spans: dict[str, list[Span]] = {"surname": [], "given_names": []}
    for start, end in _name_anomalies(raw):
        owner = "surname" if start < surname_end else "given_names"
        spans[owner].append(Span(names.line, names.start + start, names.start + end))
    for name in ("optional_data", "optional_data_2"):
        field = mrz.fields.get(name)
        if field is not None:
            spans[name] = [
                Span(field.span.line, field.span.start + s, field.span.start + e)
                for s, e in _optional_anomalies(field.raw)
            ]
    for name, items in spans.items():
        found[name] = tuple(items)
    return found


def _name_anomalies(raw: str) -> list[tuple[int, int]]:
    """(start, end) offsets in the name field of characters that look like misread fillers."""
    body = raw.rstrip("<")
    out: list[tuple[int, int]] = []
    split = body.find("<<")
    if split >= 0:
        # Inside the secondary identifier components are separated by ONE filler: text after a
        # run of two or more is not a name part.
        i = split + 2
        while i < len(body):
            if body[i] == "<" and body.startswith("<<", i):
                run_end = i
                while run_end < len(body) and body[run_end] == "<":
                    run_end += 1
                out.append((run_end, len(body)))
                break
            i += 1
    # Three or more identical look-alikes (`KKK`) are filler runs read as letters. The regex
    # has no nested repetition, so it runs in linear time on any input.
    out.extend(
        (m.start(), m.end())
        for m in _LOOKALIKE_RUN.finditer(body)
        if not any(s <= m.start() < e for s, e in out)
    )
    return sorted(out)


def _optional_anomalies(raw: str) -> list[tuple[int, int]]:
    """Short look-alike segments (`<<K<`) after a run of two or more fillers."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(raw):
        if raw[i] != "<":
            j = i
            while j < len(raw) and raw[j] != "<":
                j += 1
            segment = raw[i:j]
            preceded = i >= 2 and raw[i - 2 : i] == "<<"
            if preceded and len(segment) <= 2 and set(segment) <= FILLER_LOOKALIKES:
                out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _fillers(mrz: Mrz) -> list[Check]:
    checks: list[Check] = []
    for name, spans in filler_anomalies(mrz).items():
        code = f"filler:{name}"
        label = name.replace("_", " ")
        if not spans:
            checks.append(Check(code, _PASS, f"The {label} field has clean filler runs."))
            continue
        first = spans[0]
        found = "".join(mrz.lines[s.line][s.start : s.end] for s in spans)
        where = "; ".join(s.describe() for s in spans)
        checks.append(
            Check(
                code,
                _FAIL,
                f"Non-filler characters inside a filler run of the {label} ({where}): often an "
                "OCR misreading of <, and not protected by any check digit.",
                "<",
                found,
                Span(first.line, first.start, spans[-1].end),
            )
        )
    return checks
