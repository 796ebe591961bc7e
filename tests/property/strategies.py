"""Hypothesis strategies: valid MRZs of every ICAO 9303 layout, check digits computed.

`mrz_documents()` draws a `Generated`: the layout, the lines and the field values the parser
must give back. Names come from a small list of fictional name parts (no accidental `KKK`
filler-like runs); dates are real and resolvable against `conftest.TODAY`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

from screening.model import DocType
from screening.mrz.checkdigit import compute

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
NAME_PARTS = (
    "ERIKSSON",
    "ANNA",
    "MARIA",
    "BUDI",
    "SITI",
    "AMINAH",
    "WATI",
    "NUR",
    "PUTRI",
    "SPECIMEN",
    "UTAMA",
    "DEWI",
    "RAHMAT",
    "JO",
    "LEE",
    "VAN",
    "DER",
    "BERG",
)
COUNTRIES = ("UTO", "D", "IDN", "MYS", "XXA", "XXB", "GBD", "UNO", "EUE", "RKS", "PHL", "SGP")
WIDTH = {DocType.TD1: 30, DocType.TD2: 36, DocType.TD3: 44, DocType.MRVA: 44, DocType.MRVB: 36}


@dataclass(frozen=True)
class Generated:
    """A generated MRZ and what parsing it must give."""

    doc_type: DocType
    lines: tuple[str, ...]
    expected: dict[str, str]
    # (field whose check digit protects the position, line, column) for every covered data char
    covered: tuple[tuple[str, int, int], ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


@st.composite
def _names(draw: st.DrawFn, width: int) -> tuple[str, str, str]:
    """(name field, surname, given names), never filling the field (no truncation)."""
    while True:
        surname = draw(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=2))
        given = draw(st.lists(st.sampled_from(NAME_PARTS), min_size=0, max_size=2))
        field = "<".join(surname) + ("<<" + "<".join(given) if given else "")
        if len(field) < width:
            return _pad(field, width), " ".join(surname), " ".join(given)


@st.composite
def mrz_documents(draw: st.DrawFn, doc_type: DocType | None = None) -> Generated:
    """A valid MRZ of `doc_type` (or any layout) with every check digit computed."""
    kind = doc_type or draw(st.sampled_from(list(DocType)))
    state = draw(st.sampled_from(COUNTRIES))
    nationality = draw(st.sampled_from(COUNTRIES))
    birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2026, 11, 28)))
    expiry = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2045, 12, 31)))
    sex = draw(st.sampled_from("MFX<"))
    long_number = kind in {DocType.TD1, DocType.TD2} and draw(st.booleans())
    max_extra = 4 if kind is DocType.TD2 else 6
    number = draw(
        st.text(
            alphabet=ALPHA + DIGITS,
            min_size=10 if long_number else 1,
            max_size=9 + max_extra if long_number else 9,
        )
    )
    birth_s, expiry_s = _yymmdd(birth), _yymmdd(expiry)
    expected = {
        "issuing_state": state,
        "nationality": nationality,
        "document_number": number,
        "birth_date": birth_s,
        "expiry_date": expiry_s,
        "sex": sex,
    }
    covered: list[tuple[str, int, int]] = []
    if kind is DocType.TD1:
        code = "I<"
        if long_number:
            head = number[:9] + "<" + number[9:] + compute(number)
            optional = ""
        else:
            head = _pad(number, 9) + compute(_pad(number, 9))
            optional = draw(st.text(alphabet=ALPHA + DIGITS, max_size=14 - len(head) + 10))
        l1 = _pad(code + state, 5) + _pad(
            head + ("<" + optional if long_number and optional else optional), 25
        )
        l2 = birth_s + compute(birth_s) + sex + expiry_s + compute(expiry_s) + _pad(nationality, 3)
        optional_2 = draw(st.text(alphabet=DIGITS, max_size=11))
        l2 += _pad(optional_2, 11)
        l2 += compute(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        names, surname, given = draw(_names(30))
        lines: tuple[str, ...] = (l1, l2, names)
        expected |= {"optional_data": optional, "optional_data_2": optional_2}
        if not long_number:
            covered += [("document_number", 0, c) for c in range(5, 15)]
        covered += [("birth_date", 1, c) for c in range(7)]
        covered += [("expiry_date", 1, c) for c in range(8, 15)]
        covered += [("composite", 1, c) for c in range(18, 30)]
    else:
        width = WIDTH[kind]
        code = (
            "V<"
            if kind in {DocType.MRVA, DocType.MRVB}
            else ("P<" if kind is DocType.TD3 else "I<")
        )
        names, surname, given = draw(_names(width - 5))
        l1 = code + _pad(state, 3) + names
        if long_number:
            doc = number[:9] + "<"
            opt_width = 7
            optional = number[9:] + compute(number)
            optional_value = ""
        else:
            doc = _pad(number, 9) + compute(_pad(number, 9))
            opt_width = {DocType.TD3: 14, DocType.MRVA: 16, DocType.TD2: 7, DocType.MRVB: 8}[kind]
            optional = draw(st.text(alphabet=ALPHA + DIGITS, max_size=opt_width))
            optional_value = optional
        l2 = doc + _pad(nationality, 3) + birth_s + compute(birth_s) + sex + expiry_s
        l2 += compute(expiry_s) + _pad(optional, opt_width)
        if kind is DocType.TD3:
            empty_check = draw(st.sampled_from("<0"))
            l2 += compute(_pad(optional, 14)) if optional else empty_check
            covered += [("optional_data", 1, c) for c in range(28, 43)]
        if kind in {DocType.TD3, DocType.TD2}:
            end = 43 if kind is DocType.TD3 else 35
            l2 += compute(l2[0:10] + l2[13:20] + l2[21:end])
            covered += [("composite", 1, end)]
        lines = (l1, l2)
        expected |= {"optional_data": optional_value}
        if not long_number:
            covered += [("document_number", 1, c) for c in range(10)]
        covered += [("birth_date", 1, c) for c in range(13, 20)]
        covered += [("expiry_date", 1, c) for c in range(21, 28)]
    expected |= {"surname": surname, "given_names": given}
    return Generated(kind, lines, expected, tuple(covered))
