"""ICAO 9303 Part 3 section 4.9 check digits: worked examples and the 7-3-1 properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.mrz import checkdigit

# (data, digit) from the ICAO 9303 specimens (Part 4 TD3, Part 5 TD1) and Part 3's worked example.
ICAO_EXAMPLES = [
    ("520727", "3"),  # Part 3 section 4.9 worked example (a date)
    ("L898902C3", "6"),  # TD3 specimen document number
    ("740812", "2"),  # specimen birth date
    ("120415", "9"),  # specimen expiry date
    ("ZE184226B<<<<<", "1"),  # TD3 specimen personal number
    ("L898902C36740812212041 59ZE184226B<<<<<1".replace(" ", ""), "0"),  # TD3 composite
    ("D23145890", "7"),  # TD1/TD2 specimen document number
    ("<<<<<<<<<<<<<<", "0"),  # an all-filler field
]


@pytest.mark.parametrize(("data", "digit"), ICAO_EXAMPLES)
def test_icao_worked_examples(data: str, digit: str) -> None:
    """compute() reproduces the check digits printed on the ICAO specimens."""
    assert checkdigit.compute(data) == digit
    assert checkdigit.is_valid(data, digit)


def test_values_follow_part_3() -> None:
    """Digits are themselves, A-Z are 10-35 and the filler is 0."""
    assert [checkdigit.value_of(c) for c in "09AZ<"] == [0, 9, 10, 35, 0]


@pytest.mark.parametrize("char", ["a", "_", " ", "«", "é", ""])
def test_characters_outside_the_alphabet_are_refused(char: str) -> None:
    """value_of and compute raise ValueError outside A-Z, 0-9 and <; is_valid says False."""
    if len(char) == 1:
        with pytest.raises(ValueError, match="MRZ alphabet"):
            checkdigit.value_of(char)
        with pytest.raises(ValueError, match="MRZ alphabet"):
            checkdigit.compute("AB" + char)
        assert not checkdigit.is_valid("AB" + char, "0")


def test_a_filler_is_never_a_valid_check_digit_here() -> None:
    """is_valid compares digits only; the `<`-for-empty-field rule lives in validate.py."""
    assert not checkdigit.is_valid("<<<<", "<")


@pytest.mark.property
@settings(max_examples=60)
@given(
    data=st.text(alphabet="0123456789", min_size=1, max_size=20),
    index=st.integers(min_value=0, max_value=19),
    replacement=st.sampled_from("0123456789"),
)
def test_replacing_one_digit_with_another_changes_the_check_digit(
    data: str, index: int, replacement: str
) -> None:
    """Weights 7, 3 and 1 are coprime to 10, so a digit-for-digit substitution always shows."""
    index %= len(data)
    if data[index] == replacement:
        return
    changed = data[:index] + replacement + data[index + 1 :]
    assert checkdigit.compute(changed) != checkdigit.compute(data)


def test_known_blind_spots_of_the_scheme() -> None:
    """`A` (10) and `0`, `<` (0) and `0` give the same digit, so the scheme cannot see them."""
    assert checkdigit.compute("A12") == checkdigit.compute("012")
    assert checkdigit.compute("<12") == checkdigit.compute("012")
