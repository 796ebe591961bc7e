"""mrz/repair.py: OCR repair as evidence - only class fixes and check-digit-proven swaps, all listed."""

from __future__ import annotations

from conftest import TODAY
from screening.model import Correction
from screening.mrz.checkdigit import compute
from screening.mrz.parse import parse_mrz
from screening.mrz.repair import repair_mrz, suggest_corrections
from screening.mrz.validate import validate_mrz

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")


def test_ocr_confused_td3_is_restored_to_the_specimen_with_every_correction_listed() -> None:
    """cheminfo's confused TD3 (0/O, 5/S, 1/I, B/8, Z/2): every change is a Correction."""
    read = parse_mrz(
        "P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<\nL898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O"
    )
    repaired = repair_mrz(read)
    assert repaired.lines == TD3
    assert repaired.original_lines == read.lines
    assert [(c.line, c.col, c.read, c.used) for c in repaired.corrections] == [
        (0, 4, "0", "O"),
        (0, 9, "5", "S"),
        (0, 10, "5", "S"),
        (0, 23, "1", "I"),
        (1, 16, "B", "8"),
        (1, 17, "I", "1"),
        (1, 18, "Z", "2"),
        (1, 19, "Z", "2"),
        (1, 26, "S", "5"),
        (1, 43, "O", "0"),
    ]
    assert all(c.reason for c in repaired.corrections)


def test_ocr_confused_td2_is_restored_to_the_specimen() -> None:
    """cheminfo's confused TD2 comes back as the ICAO TD2 specimen."""
    read = parse_mrz("I<UTOERIK55ON<<ANNA<MAR1A<<<<<<<<<<<\nD231458907UT0740BIZZF12O4IS9<<<<<<<G")
    assert repair_mrz(read).lines == TD2


def test_a_repaired_read_never_passes_as_clean() -> None:
    """validate_mrz reports a failing `repaired` check for any Mrz with corrections."""
    read = parse_mrz(TD3[0] + "\n" + TD3[1][:16] + "B" + TD3[1][17:])
    repaired = repair_mrz(read)
    failed = [c for c in validate_mrz(repaired, TODAY) if c.failed]
    assert [c.code for c in failed] == ["repaired"]
    assert failed[0].found == "1"


def test_a_look_alike_swap_is_made_only_when_it_makes_the_check_digit_pass() -> None:
    """An `O` read for the `0` inside a document number is swapped back: the check proves it."""
    line2 = "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"  # 0 -> O at column 6
    repaired = repair_mrz(parse_mrz(TD3[0] + "\n" + line2))
    assert repaired.lines == TD3
    assert repaired.corrections == (
        Correction(
            1, 5, "O", "0", "look-alike swap that makes the document number check digit pass"
        ),
    )


def test_a_real_wrong_check_digit_gets_no_invented_fix() -> None:
    """A check digit that is simply wrong (no look-alike explains it) is left failing."""
    line2 = TD3[1][:9] + "5" + TD3[1][10:]
    mrz = parse_mrz(TD3[0] + "\n" + line2)
    assert suggest_corrections(mrz) == ()
    assert repair_mrz(mrz) is mrz


def test_an_ambiguous_swap_is_not_made() -> None:
    """Two different single swaps both satisfy the check digit and the composite: no choice."""
    # The true number has a letter O at column 1 and a digit 0 at column 4; OCR read both as O.
    # Columns 1 and 4 weigh 7 in the number and in the composite, so swapping either O to 0
    # satisfies every check: the engine must not pick one.
    number = "OBC0EFGH1"
    line2 = number + compute(number) + TD3[1][10:43]
    line2 = line2[:43] + compute(line2[0:10] + line2[13:20] + line2[21:43])
    misread = "OBCOEFGH1" + line2[9:]
    for fixed in ("0BCOEFGH1", "OBC0EFGH1"):  # each single swap alone satisfies the digit
        assert compute(fixed) == line2[9]
    assert suggest_corrections(parse_mrz(TD3[0] + "\n" + misread)) == ()


def test_filler_lookalikes_in_names_are_suggested_back_to_fillers() -> None:
    """`K` read for `<` in the given-names filler run is suggested as `<`, and listed."""
    line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<K<<KK<<<<<<<<<<"
    suggestions = suggest_corrections(parse_mrz(line1 + "\n" + TD3[1]))
    assert [(c.col, c.read, c.used) for c in suggestions] == [
        (29, "K", "<"),
        (32, "K", "<"),
        (33, "K", "<"),
    ]


def test_country_code_digits_are_fixed_only_into_a_known_code() -> None:
    """`UT0` becomes `UTO` (on the list); `Z0Z` stays as read (no known code results)."""
    fixed = suggest_corrections(parse_mrz(TD3[0] + "\n" + TD3[1][:10] + "UT0" + TD3[1][13:]))
    assert [(c.col, c.used) for c in fixed] == [(12, "O")]
    untouched = suggest_corrections(parse_mrz(TD3[0] + "\n" + TD3[1][:10] + "Z9Z" + TD3[1][13:]))
    assert untouched == ()


def test_repair_is_pure_and_keeps_the_input() -> None:
    """The input Mrz is not changed; repairing twice gives the same result."""
    read = parse_mrz("P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<\n" + TD3[1])
    before = read.lines
    assert repair_mrz(read) == repair_mrz(read)
    assert read.lines == before
    assert read.corrections == ()
