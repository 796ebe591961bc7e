"""ICAO Doc 9303 Part 3, section 4.9: the 7-3-1 check digit.

Digits count as themselves, `A`-`Z` as 10-35, the filler `<` as 0. Each value is multiplied by
the repeating weights 7, 3, 1; the check digit is the sum modulo 10. Verbs follow python-stdnum:
`compute()` gives the digit, `is_valid()` tells whether a field and its printed digit agree.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "compute", "is_valid", "value_of"]

ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
_WEIGHTS = (7, 3, 1)


def value_of(char: str) -> int:
    """The numeric value of one MRZ character; ValueError outside the MRZ alphabet."""
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"character {char!r} is not in the MRZ alphabet")


def compute(data: str) -> str:
    """The check digit ('0'-'9') of `data`, a string over the MRZ alphabet."""
    total = sum(value_of(char) * _WEIGHTS[i % 3] for i, char in enumerate(data))
    return str(total % 10)


def is_valid(data: str, check: str) -> bool:
    """True when `check` is the check digit of `data` (a `<` check digit is never valid here)."""
    try:
        return compute(data) == check
    except ValueError:
        return False
