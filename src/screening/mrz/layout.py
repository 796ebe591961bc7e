"""Pure data: where every field sits in each ICAO Doc 9303 layout (Parts 4 to 7).

One `Layout` per `DocType`: line count, line length and a table of `FieldSpec`s (line,
0-based half-open columns, character class), plus which check digit protects which data
(`CheckSpec`). TD3 follows Part 4 section 4.2.2, MRV-A and MRV-B Part 7 section 4.2.2, TD1
Part 5 section 4.2.2 and TD2 Part 6 section 4.2.2. The variable parts (the name split into
surname and given names, a TD1/TD2 document number that overflows into the optional data) are
decoded by `parse.py`; this module holds only the fixed table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from screening.model import DocType

__all__ = [
    "DOCUMENT_LETTERS",
    "LAYOUTS",
    "LINE_LENGTHS",
    "CharClass",
    "CheckSpec",
    "FieldSpec",
    "Layout",
    "layout_for",
]


class CharClass(enum.StrEnum):
    """What a field may contain besides the filler `<` (Part 3 section 4.3)."""

    ALPHA = "alpha"  # A-Z: codes, names
    NUMERIC = "numeric"  # 0-9: dates, check digits
    ALNUM = "alnum"  # A-Z and 0-9: document number, optional data
    SEX = "sex"  # M, F, X or <
    CODE = "code"  # document code: a letter, then a letter or <


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A fixed field: 0-based line and half-open columns, and its character class."""

    name: str
    line: int
    start: int
    end: int
    chars: CharClass


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check digit: the stable check code, the data field and the check-digit field.

    For the composite check `data` is empty and `composite` lists the (line, start, end)
    slices that are concatenated, in order.
    """

    code: str
    data: str
    digit: str
    composite: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """One MRZ layout: geometry, fixed fields, check digits and where the name field is."""

    doc_type: DocType
    line_count: int
    line_length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]
    names: FieldSpec
    overflow: bool  # TD1/TD2: the document number may continue in the optional data

    def spec(self, name: str) -> FieldSpec | None:
        """The fixed field called `name`, or None."""
        for item in self.fields:
            if item.name == name:
                return item
        return None


A = CharClass.ALPHA
N = CharClass.NUMERIC
X = CharClass.ALNUM


def _line2(*, optional_end: int, has_optional_check: bool, line: int = 1) -> tuple[FieldSpec, ...]:
    """Line 2 of TD2/TD3/MRV: identical up to column 28, then optional data."""
    specs = [
        FieldSpec("document_number", line, 0, 9, X),
        FieldSpec("document_number_check", line, 9, 10, N),
        FieldSpec("nationality", line, 10, 13, A),
        FieldSpec("birth_date", line, 13, 19, N),
        FieldSpec("birth_date_check", line, 19, 20, N),
        FieldSpec("sex", line, 20, 21, CharClass.SEX),
        FieldSpec("expiry_date", line, 21, 27, N),
        FieldSpec("expiry_date_check", line, 27, 28, N),
        FieldSpec("optional_data", line, 28, optional_end, X),
    ]
    if has_optional_check:
        specs.append(FieldSpec("optional_data_check", line, optional_end, optional_end + 1, N))
    return tuple(specs)


def _line1() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("document_code", 0, 0, 2, CharClass.CODE),
        FieldSpec("issuing_state", 0, 2, 5, A),
    )


_DOC = CheckSpec("check_digit:document_number", "document_number", "document_number_check")
_BIRTH = CheckSpec("check_digit:birth_date", "birth_date", "birth_date_check")
_EXPIRY = CheckSpec("check_digit:expiry_date", "expiry_date", "expiry_date_check")
_OPTIONAL = CheckSpec("check_digit:optional_data", "optional_data", "optional_data_check")

TD3 = Layout(
    doc_type=DocType.TD3,
    line_count=2,
    line_length=44,
    fields=(
        *_line1(),
        *_line2(optional_end=42, has_optional_check=True),
        FieldSpec("composite_check", 1, 43, 44, N),
    ),
    checks=(
        _DOC,
        _BIRTH,
        _EXPIRY,
        _OPTIONAL,
        CheckSpec(
            "check_digit:composite", "", "composite_check", ((1, 0, 10), (1, 13, 20), (1, 21, 43))
        ),
    ),
    names=FieldSpec("names", 0, 5, 44, A),
    overflow=False,
)

MRVA = Layout(
    doc_type=DocType.MRVA,
    line_count=2,
    line_length=44,
    fields=(*_line1(), *_line2(optional_end=44, has_optional_check=False)),
    checks=(_DOC, _BIRTH, _EXPIRY),
    names=FieldSpec("names", 0, 5, 44, A),
    overflow=False,
)

TD2 = Layout(
    doc_type=DocType.TD2,
    line_count=2,
    line_length=36,
    fields=(
        *_line1(),
        *_line2(optional_end=35, has_optional_check=False),
        FieldSpec("composite_check", 1, 35, 36, N),
    ),
    checks=(
        _DOC,
        _BIRTH,
        _EXPIRY,
        CheckSpec(
            "check_digit:composite", "", "composite_check", ((1, 0, 10), (1, 13, 20), (1, 21, 35))
        ),
    ),
    names=FieldSpec("names", 0, 5, 36, A),
    overflow=True,
)

MRVB = Layout(
    doc_type=DocType.MRVB,
    line_count=2,
    line_length=36,
    fields=(*_line1(), *_line2(optional_end=36, has_optional_check=False)),
    checks=(_DOC, _BIRTH, _EXPIRY),
    names=FieldSpec("names", 0, 5, 36, A),
    overflow=False,
)

TD1 = Layout(
    doc_type=DocType.TD1,
    line_count=3,
    line_length=30,
    fields=(
        *_line1(),
        FieldSpec("document_number", 0, 5, 14, X),
        FieldSpec("document_number_check", 0, 14, 15, N),
        FieldSpec("optional_data", 0, 15, 30, X),
        FieldSpec("birth_date", 1, 0, 6, N),
        FieldSpec("birth_date_check", 1, 6, 7, N),
        FieldSpec("sex", 1, 7, 8, CharClass.SEX),
        FieldSpec("expiry_date", 1, 8, 14, N),
        FieldSpec("expiry_date_check", 1, 14, 15, N),
        FieldSpec("nationality", 1, 15, 18, A),
        FieldSpec("optional_data_2", 1, 18, 29, X),
        FieldSpec("composite_check", 1, 29, 30, N),
    ),
    checks=(
        _DOC,
        _BIRTH,
        _EXPIRY,
        CheckSpec(
            "check_digit:composite",
            "",
            "composite_check",
            ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        ),
    ),
    names=FieldSpec("names", 2, 0, 30, A),
    overflow=True,
)

LAYOUTS: dict[DocType, Layout] = {layout.doc_type: layout for layout in (TD1, TD2, TD3, MRVA, MRVB)}
LINE_LENGTHS = frozenset({30, 36, 44})
# The first letter of the document code each layout allows (Parts 4 to 7): P for passports,
# V for visas, A, C or I for cards.
DOCUMENT_LETTERS: dict[DocType, str] = {
    DocType.TD3: "P",
    DocType.MRVA: "V",
    DocType.MRVB: "V",
    DocType.TD1: "ACI",
    DocType.TD2: "ACI",
}


def layout_for(line_count: int, line_length: int, first_char: str) -> Layout | None:
    """The layout for this geometry; a leading `V` selects the visa layouts (Part 7)."""
    if line_count == 3 and line_length == 30:
        return TD1
    if line_count == 2 and line_length == 44:
        return MRVA if first_char == "V" else TD3
    if line_count == 2 and line_length == 36:
        return MRVB if first_char == "V" else TD2
    return None
