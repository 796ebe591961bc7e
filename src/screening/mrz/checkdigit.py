"""ICAO Doc 9303 Part 3, section 4.9: the 7-3-1 check digit.

Digits count as themselves, `A`-`Z` as 10-35, the filler `<` as 0. Each value is multiplied by
the repeating weights 7, 3, 1; the check digit is the sum modulo 10. Verbs follow python-stdnum:
`compute()` gives the digit, `is_valid()` tells whether a field and its printed digit agree.
The values are looked up in a table built once, because the OCR pipeline calls this thousands
of times per document while it arbitrates between hypotheses.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "compute", "is_valid", "value_of"]

ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
_WEIGHTS = (7, 3, 1)
_VALUES: dict[str, int] = {
    **{chr(ord("0") + i): i for i in range(10)},
    **{chr(ord("A") + i): i + 10 for i in range(26)},
    "<": 0,
}


def value_of(char: str) -> int:
    """The numeric value of one MRZ character; ValueError outside the MRZ alphabet."""
    try:
        return _VALUES[char]
    except KeyError:
        raise ValueError(f"character {char!r} is not in the MRZ alphabet") from None


def compute(data: str) -> str:
    """The check digit ('0'-'9') of `data`, a string over the MRZ alphabet."""
    values = _VALUES
    total = 0
    try:
        for i, char in enumerate(data):
            total += values[char] * _WEIGHTS[i % 3]
    except KeyError:
        raise ValueError("data contains a character outside the MRZ alphabet") from None
    return str(total % 10)


def is_valid(data: str, check: str) -> bool:
    """True when `check` is the check digit of `data` (a `<` check digit is never valid here)."""
    try:
        return compute(data) == check
    except ValueError:
        return False
