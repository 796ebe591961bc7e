"""Reading the MRZ from images: real Tesseract on real specimen images and generated samples.

Assertions are on validated fields (document number, dates, names), not on raw OCR text. The
arbitration tests are pure and run without Tesseract.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, TODAY
from screening.errors import ImageUnreadable, MrzNotFound
from screening.model import DocType
from screening.mrz import checkdigit
from screening.ocr import read_document
from screening.ocr.arbitrate import (
    Hypothesis,
    ReadLine,
    arbitrate,
    disagreements,
    score_lines,
    vote,
)
from screening.ocr.recognise import find_tuned_model, reading_models

if TYPE_CHECKING:
    from collections.abc import Callable

    from screening.ocr import ReadResult

SAMPLES = ROOT / "samples"
TESSERACT = shutil.which("tesseract") is not None
needs_tesseract = pytest.mark.skipif(not TESSERACT, reason="tesseract is not installed")

ICAO_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def _manifest() -> dict[str, dict]:
    rows = [json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text().splitlines()]
    return {row["file"]: row for row in rows}


def _shared_rows(shared_data: Path) -> dict[str, dict]:
    text = (shared_data / "mrz" / "images.jsonl").read_text()
    return {row["file"]: row for row in map(json.loads, text.splitlines())}


def _read_derived(
    shared_data: Path, tmp_path: Path, name: str, derive: Callable[[Any], Any]
) -> ReadResult:
    """Read one shared specimen image after `derive` (an OpenCV image -> image) changed it."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    image = cv2.imread(str(shared_data / "mrz" / "images" / name))
    target = tmp_path / "derived.png"
    cv2.imwrite(str(target), derive(image))
    (result,) = read_document(target, today=TODAY)
    return result


def _turn(image: Any, degrees: float) -> Any:
    """An OpenCV image turned `degrees` counter-clockwise on a canvas grown to hold it."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    grown = (int(height * sin + width * cos), int(height * cos + width * sin))
    matrix[0, 2] += grown[0] / 2 - width / 2
    matrix[1, 2] += grown[1] / 2 - height / 2
    return cv2.warpAffine(image, matrix, grown, borderValue=(255, 255, 255))


def _glare(image: Any, centre: tuple[float, float]) -> Any:
    """A laminate's reflection: a soft white spot (70% white at its centre, as wide as a
    fifth of the page) at `centre`, given as fractions of the page's width and height."""
    import numpy as np  # noqa: PLC0415 - only the OCR tests need NumPy

    height, width = image.shape[:2]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = centre[0] * width, centre[1] * height
    spot = 0.7 * np.exp(-(((x - cx) / (0.2 * width)) ** 2 + ((y - cy) / (0.15 * height)) ** 2))
    out = image * (1 - spot[..., None]) + 255 * spot[..., None]
    return out.clip(0, 255).astype(np.uint8)


def _assert_printed_failures_reported(result: ReadResult, row: dict[str, Any]) -> None:
    """Every check digit the specimen fails as printed fails in the read, as a forgery would."""
    failed = {check.code for check in result.checks if check.failed}
    assert {f"check_digit:{code}" for code in row["failing_checks_as_printed"]} <= failed


# --- arbitration (pure) ------------------------------------------------------------------------


def test_clean_read_has_no_corrections() -> None:
    """A read that passes every check digit is kept exactly as read, with nothing corrected."""
    best = arbitrate([[ReadLine(line, 90.0, "0/gray") for line in ICAO_TD3]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    assert best.corrections == ()
    assert best.consistent


def test_filler_read_as_k_is_restored_and_recorded() -> None:
    """`<` read as K inside the trailing name filler becomes `<`, and the change is recorded."""
    line1 = ICAO_TD3[0][:30] + "K" + ICAO_TD3[0][31:]
    best = arbitrate([[ReadLine(line1, 80.0, "a"), ReadLine(ICAO_TD3[1], 90.0, "a")]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    assert [(c.line, c.col, c.read, c.used) for c in best.corrections] == [(0, 30, "K", "<")]


@pytest.mark.parametrize("letter", ["O", "C"])
def test_letter_in_date_becomes_digit(letter: str) -> None:
    """`O` (or `C`, an open 0 at half resolution) in a date field is read as the digit 0
    (field class), recorded as a correction."""
    line2 = ICAO_TD3[1].replace("7408122", f"74{letter}8122")
    best = arbitrate([[ReadLine(ICAO_TD3[0], 90.0, "a"), ReadLine(line2, 90.0, "a")]])
    assert best is not None
    assert best.lines[1] == ICAO_TD3[1]
    assert any(c.read == letter and c.used == "0" for c in best.corrections)
    assert not best.failed_checks


def test_short_line_is_padded_with_recorded_fillers() -> None:
    """A line missing trailing fillers is padded to the layout length; each pad is listed."""
    best = arbitrate([[ReadLine(ICAO_TD3[0][:-3], 90.0, "a"), ReadLine(ICAO_TD3[1], 90.0, "a")]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    assert len(best.corrections) == 3


def test_lines_from_two_passes_are_combined_by_check_digits() -> None:
    """Line 2 from the pass whose check digits pass wins over a misread one."""
    bad = ICAO_TD3[1].replace("7408122", "7406122")
    first = [ReadLine(ICAO_TD3[0], 95.0, "a"), ReadLine(bad, 95.0, "a")]
    second = [ReadLine(ICAO_TD3[0], 70.0, "b"), ReadLine(ICAO_TD3[1], 70.0, "b")]
    best = arbitrate([first, second])
    assert best is not None
    assert best.lines[1] == ICAO_TD3[1]
    assert not best.failed_checks


def test_wrong_digit_keeps_a_failing_check() -> None:
    """A digit misread as another digit cannot be guessed: the check stays failed."""
    bad = ICAO_TD3[1].replace("7408122", "7406122")
    best = arbitrate([[ReadLine(ICAO_TD3[0], 90.0, "a"), ReadLine(bad, 90.0, "a")]])
    assert best is not None
    assert "check_digit:birth_date" in best.failed_checks
    assert not best.consistent


def test_text_that_is_not_an_mrz_gives_no_hypothesis() -> None:
    """Short lines of ordinary text never become an MRZ."""
    assert (
        arbitrate([[ReadLine("REPUBLIC OF UTOPIA", 90.0, "a"), ReadLine("PASSPORT", 90.0, "a")]])
        is None
    )
    assert score_lines(["ABC", "DEF"]) is None


def test_misread_issuing_state_takes_the_nationality_one_letter_away() -> None:
    """`OTO` (no ICAO code) beside nationality `UTO` becomes `UTO`, recorded with its reason."""
    line1 = ICAO_TD3[0].replace("P<UTO", "P<OTO")
    best = arbitrate([[ReadLine(line1, 90.0, "a"), ReadLine(ICAO_TD3[1], 90.0, "a")]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    [fix] = best.corrections
    assert (fix.line, fix.col, fix.read, fix.used) == (0, 2, "O", "U")
    assert "not an ICAO code" in fix.reason


def test_misread_nationality_takes_the_only_lookalike_code() -> None:
    """Both codes unknown: each takes the single known code one look-alike letter away."""
    line1 = ICAO_TD3[0].replace("P<UTO", "P<CAM")
    line2 = ICAO_TD3[1].replace("UTO", "CAM")
    best = score_lines([line1, line2])
    assert best is not None
    assert best.lines[0][2:5] == "CAN"
    assert best.lines[1][10:13] == "CAN"
    assert len(best.corrections) == 2


def test_unknown_code_without_a_single_candidate_is_an_anomaly() -> None:
    """A code with no (or several) look-alike candidates is kept as read and marked."""
    line1 = ICAO_TD3[0].replace("P<UTO", "P<QQQ")
    line2 = ICAO_TD3[1].replace("UTO", "QQQ")
    best = score_lines([line1, line2])
    assert best is not None
    assert best.lines[0][2:5] == "QQQ"
    assert "country:0:2" in best.anomalies
    assert not best.consistent


ICAO_TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]


def test_country_code_printed_in_digits_stays_as_read() -> None:
    """A nationality printed as digits (`132` on a Romanian specimen) is not half-converted
    to letters (`I3Z`): it stays as read, an anomaly, with no correction."""
    line2 = ICAO_TD1[1].replace("UTO", "132")
    best = score_lines([ICAO_TD1[0], line2, ICAO_TD1[2]])
    assert best is not None
    assert best.lines[1][15:18] == "132"
    assert best.corrections == ()
    assert not best.consistent


def test_country_code_with_lookalike_digits_becomes_letters() -> None:
    """`UT0` (zero) becomes `UTO` when every digit in the code has a look-alike letter."""
    line2 = ICAO_TD1[1].replace("UTO", "UT0")
    best = score_lines([ICAO_TD1[0], line2, ICAO_TD1[2]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD1)
    assert [(c.read, c.used) for c in best.corrections] == [("0", "O")]


def test_card_code_read_as_lookalike_letter_is_restored() -> None:
    """A card's document code starts with A, C or I: `E` (glued to print beside it) is the
    only look-alike of those, so it becomes `I`, recorded with the reason."""
    line1 = "E" + ICAO_TD1[0][1:]
    best = score_lines([line1, ICAO_TD1[1], ICAO_TD1[2]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD1)
    [fix] = best.corrections
    assert (fix.line, fix.col, fix.read, fix.used) == (0, 0, "E", "I")
    assert "starts with A or C or I" in fix.reason


def test_visa_code_read_as_w_is_scored_as_a_visa() -> None:
    """A blurred visa's `V` read as `W` would make the zone a passport with a bad code; it is
    scored as a visa too, and the visa reading wins, with the `V` recorded as a correction."""
    visa = [
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    ]
    best = score_lines(["W" + visa[0][1:], visa[1]])
    assert best is not None
    assert best.doc_type.value == "MRV-A"
    assert best.lines == tuple(visa)
    assert [(c.read, c.used) for c in best.corrections] == [("W", "V")]


def test_document_code_without_a_lookalike_is_an_anomaly() -> None:
    """`H` has no look-alike among A, C and I: kept as read, and the read is not consistent."""
    line1 = "H" + ICAO_TD1[0][1:]
    best = score_lines([line1, ICAO_TD1[1], ICAO_TD1[2]])
    assert best is not None
    assert best.lines[0].startswith("H<UTO")
    assert "code:0:0" in best.anomalies
    assert not best.consistent


def test_single_lookalike_swap_satisfies_check_and_is_recorded() -> None:
    """Document number `O` for `0` that fails its check digit is swapped and recorded."""
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10".replace("L898902C3", "L8989O2C3")
    best = score_lines([ICAO_TD3[0], line2])
    assert best is not None
    assert best.lines[1] == ICAO_TD3[1]
    assert [(c.read, c.used) for c in best.corrections] == [("O", "0")]
    assert checkdigit.is_valid("L898902C3", "6")


def test_o_among_digits_that_passes_either_way_becomes_zero_and_is_recorded() -> None:
    """`007OO70071` and `0070070071` both pass their check digit (two O's cancel out): the
    digits are used, each swap is a recorded correction, so the read is never shown clean."""
    line1 = "P<UTOSPECIMEN<<SPECIMEN<<<<<<<<<<<<<<<<<<<<<"
    line2 = "0070070071UTO8212258F1407019<<<<<<<<<<<<<<06"
    misread = line2.replace("0070070071", "007OO70071")
    assert checkdigit.is_valid("007OO7007", "1")
    best = score_lines([line1, misread])
    assert best is not None
    assert best.lines[1] == line2
    assert [(c.col, c.read, c.used) for c in best.corrections] == [(3, "O", "0"), (4, "O", "0")]


def test_ambiguous_swap_takes_the_one_leaving_only_digits() -> None:
    """`O0000000<` fails its check digit 0; `00000000<` and `OO000000<` would both pass. The
    swap that leaves no letter among the digits is made and recorded (never shown clean)."""
    line1 = "P<UTOSPECIMEN<<SPECIMEN<<<<<<<<<<<<<<<<<<<<<"
    line2 = "00000000<0UTO5911239F1201011<<<<<<<<<<<<<<" + "0"
    line2 = line2[:43] + checkdigit.compute(line2[:10] + line2[13:20] + line2[21:43])
    assert checkdigit.is_valid("OO000000<", "0")
    best = score_lines([line1, "O" + line2[1:]])
    assert best is not None
    assert best.lines[1] == line2
    assert [(c.col, c.read, c.used) for c in best.corrections] == [(0, "O", "0")]
    assert not best.failed_checks


def test_letters_in_a_document_number_without_digits_alternative_stay() -> None:
    """An `O` whose digit reading fails the check digit is kept as read (no correction)."""
    line2 = "AB1O23456" + checkdigit.compute("AB1O23456") + ICAO_TD3[1][10:]
    best = score_lines([ICAO_TD3[0], line2])
    assert best is not None
    assert best.lines[1].startswith("AB1O23456")
    assert not best.corrections


def _single(*lines: str) -> Hypothesis:
    hypothesis = arbitrate([[ReadLine(line, 90.0, "test") for line in lines]])
    assert hypothesis is not None
    return hypothesis


def test_readings_that_differ_in_a_name_letter_are_disputed() -> None:
    """Two readings differing where no check digit protects (a name letter) are a dispute;
    a difference inside a protected field is not (its check digit decides)."""
    chosen = _single(*ICAO_TD3)
    other = _single(ICAO_TD3[0].replace("ANNA", "AMNA"), ICAO_TD3[1])
    assert disagreements(chosen, [other]) == ((0, ICAO_TD3[0].index("ANNA") + 1),)
    number = _single(ICAO_TD3[0], ICAO_TD3[1].replace("L898902C3", "L898902C8"))
    assert disagreements(chosen, [number]) == ()


def test_reading_with_an_inserted_character_is_aligned_before_comparing() -> None:
    """A reading that had to be trimmed to the layout's length (a character inserted, so
    everything after it shifts) disputes only the letters it read differently, once aligned:
    the shift alone is no dispute, a different letter after it still is."""
    chosen = _single(*ICAO_TD3)
    shifted = _single(ICAO_TD3[0].replace("ANNA", "ANWNA"), ICAO_TD3[1])
    assert any(not fix.used for fix in shifted.corrections)
    assert disagreements(chosen, [shifted]) == ()
    misread = _single(ICAO_TD3[0].replace("ANNA<MARIA", "ANWNA<NARIA"), ICAO_TD3[1])
    assert disagreements(chosen, [misread]) == ((0, ICAO_TD3[0].index("MARIA")),)


def test_name_letter_is_taken_by_majority_of_readers_and_recorded() -> None:
    """Two of three readers read `ANNA` where the chosen reading has `AMNA`: `N` wins, the
    change is a recorded correction naming the count, so the read is never shown clean."""
    chosen = _single(ICAO_TD3[0].replace("ANNA", "AMNA"), ICAO_TD3[1])
    readers = [chosen, _single(*ICAO_TD3), _single(*ICAO_TD3)]
    voted = vote(chosen, readers)
    assert voted.lines == tuple(ICAO_TD3)
    [fix] = voted.corrections
    col = ICAO_TD3[0].index("ANNA") + 1
    assert (fix.line, fix.col, fix.read, fix.used) == (0, col, "M", "N")
    assert fix.reason == "2 of 3 readings read N here"


def _line_reader(chance: float, *lines: str) -> Hypothesis:
    """A reading by our line reader, sure of every character to `chance`."""
    reads = [
        ReadLine(line, 90.0, "0/cnn", 1, probabilities=(chance,) * len(line)) for line in lines
    ]
    hypothesis = arbitrate([reads])
    assert hypothesis is not None
    return hypothesis


def test_sure_line_reader_outweighs_two_tesseract_models_that_agree() -> None:
    """Both Tesseract models read `AMNA` (they share misreadings: one is the other fine-tuned);
    our line reader read `ANNA` and was sure of it: `N` wins, recorded with its reason."""
    misread = _single(ICAO_TD3[0].replace("ANNA", "AMNA"), ICAO_TD3[1])
    voted = vote(misread, [_line_reader(0.97, *ICAO_TD3), misread, misread])
    assert voted.lines == tuple(ICAO_TD3)
    [fix] = voted.corrections
    assert (fix.read, fix.used) == ("M", "N")
    assert fix.reason == "a sure reading of 3 read N here, outweighing the rest"


def test_unsure_line_reader_is_one_vote_among_three() -> None:
    """The same line reader, unsure (probability 0.6): two readers against one, `M` stays."""
    misread = _single(ICAO_TD3[0].replace("ANNA", "AMNA"), ICAO_TD3[1])
    assert vote(misread, [_line_reader(0.6, *ICAO_TD3), misread, misread]) is misread


def test_fairly_sure_line_reader_breaks_a_three_way_split() -> None:
    """Three readers, three letters (`GAIMU`, `LAIMU`, `BAIMU`): our line reader, fairly
    sure of its `G` (0.85), breaks the tie; against two readers that agree it would not."""
    truth = ICAO_TD3[0].replace("ERIKSSON", "GAIMU<<<")
    assert ICAO_TD3[0].count("ERIKSSON") == 1
    lines = (truth, ICAO_TD3[1])
    chosen = _single(truth.replace("GAIMU", "LAIMU"), ICAO_TD3[1])
    third = _single(truth.replace("GAIMU", "BAIMU"), ICAO_TD3[1])
    voted = vote(chosen, [_line_reader(0.85, *lines), chosen, third])
    assert voted.lines == lines
    assert vote(chosen, [_line_reader(0.85, *lines), chosen, chosen]) is chosen


def test_tied_vote_keeps_the_chosen_letter() -> None:
    """One reader against one: the chosen reading stays as it is, nothing is recorded."""
    chosen = _single(*ICAO_TD3)
    other = _single(ICAO_TD3[0].replace("ANNA", "AMNA"), ICAO_TD3[1])
    assert vote(chosen, [chosen, other]) is chosen


def test_vote_never_undoes_the_document_code_fix() -> None:
    """A passport's code read `B` (one character too many on the line, so the reading was
    cut to length and is aligned as read) is fixed to `P`; our line reader, unsure, read `<`
    there (each of its lines one character long too). The two readings' `B` and `<` are no
    votes: neither may start a passport's code (blurred Australian specimen)."""
    truth = ICAO_TD3[0]
    chosen = _single("B" + truth[1:] + "J", ICAO_TD3[1])
    assert chosen.lines[0] == truth
    unsure = _line_reader(0.3, "<" + truth[1:] + "I", ICAO_TD3[1] + "I")
    assert unsure.doc_type is chosen.doc_type
    voted = vote(chosen, [unsure, chosen])
    assert voted.lines[0][0] == "P"


def test_vote_never_touches_a_field_its_check_digit_protects() -> None:
    """A document number two readers read otherwise stays as chosen: its check digit passed."""
    chosen = _single(*ICAO_TD3)
    number = _single(ICAO_TD3[0], ICAO_TD3[1].replace("L898902C3", "L898902C8"))
    assert vote(chosen, [chosen, number, number]) is chosen


def test_doubted_letter_does_not_tie_a_plain_reading() -> None:
    """Our line reader's reading was chosen, but it gave its `F` of `FRIKSSON` under one half
    (it thought another letter likelier); one Tesseract model read `ERIKSSON`. A doubted
    letter counts half a vote, so `E` wins (ICAO's specimen at JPEG quality 30)."""
    col = ICAO_TD3[0].index("ERIKSSON")
    misread = ICAO_TD3[0][:col] + "F" + ICAO_TD3[0][col + 1 :]
    chances = [0.99] * len(misread)
    chances[col] = 0.47
    reads = [
        ReadLine(misread, 90.0, "0/cnn", 1, probabilities=tuple(chances)),
        ReadLine(ICAO_TD3[1], 90.0, "0/cnn", 1, probabilities=(0.99,) * 44),
    ]
    chosen = arbitrate([reads])
    assert chosen is not None
    assert chosen.lines[0] == misread
    voted = vote(chosen, [chosen, _single(*ICAO_TD3)])
    assert voted.lines == tuple(ICAO_TD3)
    [fix] = voted.corrections
    assert (fix.col, fix.read, fix.used) == (col, "F", "E")


def test_digit_is_never_voted_into_a_name() -> None:
    """Two readings read `9RIKSSON` (a digit with no look-alike letter) against the chosen
    `ERIKSSON`: a digit cannot stand in a name, so it is no vote and the name stays."""
    chosen = _single(*ICAO_TD3)
    nine = _single(ICAO_TD3[0].replace("ERIKSSON", "9RIKSSON"), ICAO_TD3[1])
    assert "9RIKSSON" in nine.lines[0]
    assert vote(chosen, [chosen, nine, nine]) is chosen


def test_vote_aligns_a_reading_with_an_inserted_character() -> None:
    """A reader that inserted a character votes with its letters aligned, not shifted."""
    chosen = _single(ICAO_TD3[0].replace("MARIA", "NARIA"), ICAO_TD3[1])
    shifted = _single(ICAO_TD3[0].replace("ANNA", "ANWNA"), ICAO_TD3[1])
    voted = vote(chosen, [chosen, _single(*ICAO_TD3), shifted])
    assert voted.lines == tuple(ICAO_TD3)


def test_line_cut_at_the_wrong_end_takes_the_line_most_readers_read() -> None:
    """Our reader read two letters of the card's other side before the names line and cut
    the fillers off its end (`U<TEST<<MILICA<<...`); both Tesseract models read the names
    alone (`TEST<<MILICA<<...`, cut at the front). The per-column vote cannot mend a shift;
    the line two of three readers agree on is taken, every changed column recorded."""
    truth = ICAO_TD1[2].replace("ERIKSSON<<ANNA<MARIA", "TEST<<MILICA<<<<<<<<")
    lines = (ICAO_TD1[0], ICAO_TD1[1], truth)
    chosen = _single(ICAO_TD1[0], ICAO_TD1[1], "U<" + truth)
    assert chosen.lines[2] == ("U<" + truth)[:30]
    other = _single(ICAO_TD1[0], ICAO_TD1[1], "J6" + truth)
    assert other.lines[2] == truth
    voted = vote(chosen, [chosen, other, other])
    assert voted.lines == lines
    changed = [fix for fix in voted.corrections if fix.read and fix.used]
    assert changed
    assert all(fix.reason == f"2 of 3 readings read this line as {truth}" for fix in changed)
    # A line read at its own length is still voted column by column (no shift to mend).
    misread = _single(ICAO_TD1[0], ICAO_TD1[1], truth.replace("MILICA", "MILIGA"))
    voted = vote(misread, [misread, other, other])
    assert [fix.reason for fix in voted.corrections] == ["2 of 3 readings read C here"]


def test_same_line_from_two_readings_keeps_the_fewest_length_edits() -> None:
    """The same names line comes from two readings, one needing four characters cut off
    (`V787TEST...`, the second model) and one six (`WAALXWTEST...`, the first model): the
    four-edit reading stands for it, so it beats `7TEST...` (five edits, `7` read as `T`)."""
    truth = "TEST<<MILICA<<<<<<<<<<<<<<<<<<"
    first = [ReadLine(ICAO_TD1[0], 90.0, "a"), ReadLine(ICAO_TD1[1], 90.0, "a")]
    passes = [
        [*first, ReadLine("WAALXW" + truth, 80.0, "a", 0)],
        [*first, ReadLine("V787" + truth, 70.0, "b", 1)],
    ]
    best = arbitrate(passes)
    assert best is not None
    assert best.lines[2] == truth
    assert len([fix for fix in best.corrections if fix.line == 2]) == 4


def test_doubted_characters_cut_off_a_line_are_not_doubts() -> None:
    """Our reader doubted two stray characters before the zone's first line (cut off to fit
    the layout): they are not in the read, so the read stays consistent. A doubted digit
    inside the document number, whose check digit passes, is still a doubt."""
    lines = [f"4L{ICAO_TD3[0]}", ICAO_TD3[1]]
    chances = [(0.2, 0.3, *(0.99,) * 44), (0.99,) * 44]
    best = arbitrate(
        [[ReadLine(t, 90.0, "0/cnn", 1, None, c) for t, c in zip(lines, chances, strict=True)]]
    )
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    assert best.doubts == 0
    assert best.consistent
    unsure = [chances[0], (0.99, 0.3, *(0.99,) * 42)]
    best = arbitrate(
        [[ReadLine(t, 90.0, "0/cnn", 1, None, c) for t, c in zip(lines, unsure, strict=True)]]
    )
    assert best is not None
    assert best.doubts == 1
    assert not best.consistent


def test_passport_code_read_as_b_is_restored() -> None:
    """A blurred `P` read as `B` in a passport's document code is the only look-alike of `P`:
    restored and recorded, instead of an anomaly that loses to a worse reading."""
    best = score_lines(["B" + ICAO_TD3[0][1:], ICAO_TD3[1]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD3)
    assert [(c.line, c.col, c.read, c.used) for c in best.corrections] == [(0, 0, "B", "P")]
    assert not best.anomalies


# --- real images (Tesseract) -----------------------------------------------------------------

SAMPLE_CASES = [
    "td3_clean.jpg",
    "td1_clean.jpg",
    "td3_rot90.jpg",
    "td2_rot180.jpg",
    "td3_skew7.jpg",
    "td2_photo_slant35.jpg",
    "td3_photo_glare.jpg",
]


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("name", SAMPLE_CASES)
def test_generated_samples_read_to_their_fields(name: str) -> None:
    """Generated specimens (clean, rotated 90/180, skewed) read to the manifest's fields."""
    expected = _manifest()[name]
    (result,) = read_document(SAMPLES / name, today=TODAY)
    assert result.mrz is not None
    fields = expected["fields"]
    assert result.mrz.value("document_number") == fields["document_number"]
    assert result.mrz.value("birth_date") == fields["birth_date"]
    assert result.mrz.value("expiry_date") == fields["expiry_date"]
    assert result.mrz.value("surname") == fields["surname"]
    assert result.mrz.value("given_names") == fields["given_names"]
    assert not any(check.failed for check in result.checks if check.code.startswith("check_digit"))
    assert set(result.model.split("+")) <= {"cnn", "mrzb", "mrz", "eng"}


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("name", ["td3_clean.jpg", "td2_clean.jpg"])
def test_clean_scan_takes_one_tesseract_call_when_our_reader_agrees(name: str) -> None:
    """A clean scan reads consistently at once: our line reader and the first Tesseract
    model read the same, every character sure, so one Tesseract call in all; clean."""
    (result,) = read_document(SAMPLES / name, today=TODAY)
    assert result.model == "cnn+" + reading_models()[0].name
    assert result.ocr_calls == 1
    assert result.clean
    agreement = next(check for check in result.checks if check.code == "ocr_agreement")
    assert agreement.status.value == "pass"


@pytest.mark.ocr
@needs_tesseract
def test_an_inserted_letter_is_not_a_disagreement() -> None:
    """On `td1_clean.jpg` the first Tesseract model inserts a letter in the given name
    (`BWUDI`) where our reader reads `BUDI`: aligned, the two readings agree letter for
    letter, so our reader's exact-length line is used, one call, and the read is clean."""
    (result,) = read_document(SAMPLES / "td1_clean.jpg", today=TODAY)
    assert list(result.text) == _manifest()["td1_clean.jpg"]["lines"]
    assert result.ocr_calls == 1
    assert result.clean


def test_tuned_model_ships_with_its_licence() -> None:
    """The fine-tuned model for degraded print is package data, with Doubango's BSD-3 notice."""
    helper = find_tuned_model()
    assert helper is not None
    assert helper.name == "mrzb"
    folder = Path(str(helper.tessdata))
    assert (folder / "mrzb.traineddata").stat().st_size > 1_000_000
    assert "Copyright (c) 2019, DoubangoTelecom" in (folder / "LICENSE-mrzb.txt").read_text()


@pytest.mark.ocr
@needs_tesseract
def test_pdf_pages_each_give_a_result() -> None:
    """A 2-page PDF with a passport page and a visa gives one result per page, in order."""
    results = read_document(SAMPLES / "td3_and_visa.pdf", today=TODAY)
    assert [r.page for r in results] == [0, 1]
    assert [r.mrz.doc_type.value for r in results if r.mrz] == ["TD3", "MRV-A"]


@pytest.mark.ocr
@needs_tesseract
def test_negative_sample_is_no_mrz_found() -> None:
    """A card front without an MRZ raises MrzNotFound (no_mrz_found), never a guess."""
    with pytest.raises(MrzNotFound) as caught:
        read_document(SAMPLES / "td1_front_no_mrz.jpg", today=TODAY)
    assert caught.value.code == "no_mrz_found"


@pytest.mark.ocr
@needs_tesseract
def test_path_given_as_text_is_read_and_named_in_errors() -> None:
    """The Python API takes a path as a string too, and names the file when it finds no MRZ."""
    (result,) = read_document(str(SAMPLES / "td1_clean.jpg"), today=TODAY)
    assert result.mrz is not None
    assert result.path == str(SAMPLES / "td1_clean.jpg")
    with pytest.raises(MrzNotFound, match=r"td1_front_no_mrz\.jpg"):
        read_document(str(SAMPLES / "td1_front_no_mrz.jpg"), today=TODAY)


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize(
    ("name", "degrees"), [("td3_clean.jpg", 30), ("td1_clean.jpg", -40), ("visa_clean.jpg", 135)]
)
def test_document_at_a_slant_is_read_clean(tmp_path: Path, name: str, degrees: int) -> None:
    """A document at any angle between the axes (a photo taken at a slant) is found by the
    diagonal search, read clean, and its angle reported: the turn that makes it upright."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    target = tmp_path / "slant.png"
    cv2.imwrite(str(target), _turn(cv2.imread(str(SAMPLES / name)), degrees))
    (result,) = read_document(target, today=TODAY)
    assert result.mrz is not None
    assert list(result.mrz.lines) == _manifest()[name]["lines"]
    assert result.clean
    assert abs((result.angle + degrees + 180) % 360 - 180) < 3


@pytest.mark.parametrize("error", [-9.0, -3.0, 2.5, 8.0])
def test_block_tilted_by_text_beside_it_is_levelled(error: float) -> None:
    """A block rectangle whose angle is off by up to 9 degrees (text beside the zone tilted
    its blob) is turned back to the print's own angle, within a degree."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    from screening.ocr.detect import _extract, _level_turn, find_candidates  # noqa: PLC0415

    page = _turn(cv2.imread(str(SAMPLES / "td1_clean.jpg")), 10)
    found = find_candidates(page)[0]
    assert abs(found.angle + 10) < 1
    x, y, width, height = found.box
    wrong = ((x + width / 2, y + height / 2), (width * 0.9, height * 0.5), -10 + error)
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    crop, angle, _ = _extract(gray, wrong)
    assert abs(angle + _level_turn(crop) + 10) < 1


def test_diagonal_search_finds_slanted_zones_only() -> None:
    """The first search finds a straight zone and not one at 40 degrees; the diagonal search
    finds the slanted zone at its angle and nothing on the straight page, so a straight scan
    never pays Tesseract calls for it."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    from screening.ocr.detect import find_candidates  # noqa: PLC0415

    straight = cv2.imread(str(SAMPLES / "td1_clean.jpg"))
    slanted = _turn(straight, -40)
    assert find_candidates(straight)
    assert find_candidates(straight, second_look=True) == ()
    assert find_candidates(slanted) == ()
    found = find_candidates(slanted, second_look=True)
    assert found
    assert all(abs(candidate.angle - 40) < 3 for candidate in found)
    assert {candidate.finder for candidate in found} == {"ours"}


SHARED_CASES = [
    "mrz-Arg0s1080__docs_images_id_cards_Latvia.png",
    "mrz-Arg0s1080__docs_images_passports_Canada.png",
    "PassportEye__tests_data_passport-td3.jpg",
]


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("name", SHARED_CASES)
def test_real_specimens_read_exactly(shared_data: Path, name: str) -> None:
    """Real specimen scans read to their ground truth, every check digit passing."""
    row = _shared_rows(shared_data)[name]
    (result,) = read_document(shared_data / "mrz" / "images" / name, today=TODAY)
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    assert not any(check.failed for check in result.checks if check.code.startswith("check_digit"))
    assert len(result.line_confidences) == len(row["lines"])
    x, y, width, height = result.box
    assert width > 0
    assert height > 0
    assert x >= 0
    assert y >= 0


@pytest.mark.ocr
@needs_tesseract
def test_specimen_printed_with_wrong_check_digits_is_read_and_flagged(shared_data: Path) -> None:
    """A card whose printed MRZ fails three check digits (Malta "BAD" specimen) is still an
    MRZ, every field in shape: it is read as printed and the failing checks are reported,
    never dropped as "no MRZ found"."""
    name = "mrz-Arg0s1080__docs_images_id_cards_Malta_BAD.png"
    row = _shared_rows(shared_data)[name]
    (result,) = read_document(shared_data / "mrz" / "images" / name, today=TODAY)
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    failed = {check.code for check in result.checks if check.failed}
    assert {"check_digit:document_number", "check_digit:birth_date"} <= failed
    assert not result.clean


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize(
    "name",
    [
        "mrz-Arg0s1080__docs_images_id_cards_Malta_BAD.png",
        # Also printed with a nationality of fillers, an anomaly every reader reads alike.
        "mrz-Arg0s1080__docs_images_other_USA_Border_Crosser.png",
        "mrz-Arg0s1080__docs_images_passports_ICAO_Example2.png",
    ],
)
def test_failing_checks_every_reader_reads_alike_end_the_search(
    shared_data: Path, name: str
) -> None:
    """A document printed with wrong check digits (a forgery signal) used to spend the page's
    whole budget of Tesseract calls, 17 to 21 (5 to 9 s), on variants and searches that read
    the same print again. Once our line reader and both Tesseract models have read the block
    and most readings agree on every character, the failing checks are the document's: the
    read stops there, as printed, with the failing checks reported."""
    row = _shared_rows(shared_data)[name]
    (result,) = read_document(shared_data / "mrz" / "images" / name, today=TODAY)
    assert list(result.text) == row["lines"]
    _assert_printed_failures_reported(result, row)
    assert result.ocr_calls <= 5


@pytest.mark.ocr
@needs_tesseract
def test_real_specimen_rotated_180_is_read(shared_data: Path, tmp_path: Path) -> None:
    """The same real scan upside down reads to the same document number, angle about 180."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "mrz-Arg0s1080__docs_images_id_cards_Latvia.png"
    result = _read_derived(shared_data, tmp_path, name, lambda im: cv2.rotate(im, cv2.ROTATE_180))
    assert result.mrz is not None
    assert result.mrz.value("document_number") == "PA9992921"
    assert abs(result.angle - 180) < 10


@pytest.mark.ocr
@needs_tesseract
def test_blurred_card_scanned_beside_its_other_side_is_read(
    shared_data: Path, tmp_path: Path
) -> None:
    """A card's two sides scanned side by side, blurred (Gaussian, sigma 1.5): the line
    between the sides must not glue the zone to the rest of the page, and the names line,
    read with letters of the other side before it, is cut at the right end."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "mrz-Arg0s1080__docs_images_id_cards_Serbia.png"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(
        shared_data, tmp_path, name, lambda im: cv2.GaussianBlur(im, (0, 0), 1.5)
    )
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]


@pytest.mark.ocr
@needs_tesseract
def test_card_signature_beside_zone_is_left_out_at_a_quarter_turn(
    shared_data: Path, tmp_path: Path
) -> None:
    """A resident card whose holder's signature ("S Sample") stands beside the zone, turned
    a quarter: the detected block takes in the signature, which every reader then merged
    into line 1; the zone's own run of text, tried first, reads right. The box reported is
    the zone's, not the signature's."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "mrz-Arg0s1080__docs_images_resident_cards_UK.png"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(
        shared_data, tmp_path, name, lambda im: cv2.rotate(im, cv2.ROTATE_90_CLOCKWISE)
    )
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    # Turned clockwise, the zone (page columns 400 to 716 upright) lies in rows 400 to 716.
    _, y, _, h = result.box
    assert y >= 380
    assert y + h <= 730


@pytest.mark.ocr
@needs_tesseract
def test_texture_forced_into_mrz_shape_is_no_read(shared_data: Path, tmp_path: Path) -> None:
    """A US resident card turned a quarter. Read upside down, its print was forced into a
    visa's shape: every check digit passed after 17 changes, with 9 characters that no field
    could hold. That read beat the zone read the right way up (a specimen whose check digits
    fail). A read with six or more such characters is not kept; the zone is read upright."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "mrz-Arg0s1080__docs_images_resident_cards_USA_Permanent.png"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(
        shared_data, tmp_path, name, lambda im: cv2.rotate(im, cv2.ROTATE_90_CLOCKWISE)
    )
    assert result.mrz is not None
    assert result.mrz.doc_type is DocType.TD1
    assert list(result.mrz.lines) == row["lines"]


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("degrees", [30, -30])
def test_real_specimen_photographed_at_30_degrees_is_read(
    shared_data: Path, tmp_path: Path, degrees: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real passport scan turned 30 degrees either way: beyond what the search along the
    page's axes finds (about 25 degrees); the diagonal search finds it and it reads exactly.
    Nothing the search along the axes finds is shaped like a zone, so the second look goes
    first and the turned page's other print costs no Tesseract call: one call in all, and
    `ocr_calls` counts every call made."""
    from screening.ocr import recognise  # noqa: PLC0415

    made: list[int] = []
    real = recognise.run_tesseract

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(recognise, "run_tesseract", counted)
    name = "PassportEye__tests_data_passport-td3.jpg"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(shared_data, tmp_path, name, lambda im: _turn(im, degrees))
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    assert "found_by_passporteye" not in result.notes
    assert result.ocr_calls == len(made) == 1


@pytest.mark.ocr
@needs_tesseract
def test_zone_tilted_against_its_watermark_is_levelled_and_read(
    shared_data: Path, tmp_path: Path
) -> None:
    """A small US card scan (a "SAMPLE" watermark all over, the other side beside it) turned
    30 degrees: the blocks around the zone take in the watermark and come out several
    degrees off, and no reader could read their lines. Levelled by the print's row profile
    on the second look, the zone reads."""
    name = "PassportEye__passporteye_mrz_testdata_100_id-usa.jpg"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(shared_data, tmp_path, name, lambda im: _turn(im, 30))
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    assert abs((result.angle + 30 + 180) % 360 - 180) < 2


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize(
    ("name", "centre"),
    [
        # the spot over the first line's names: the first search finds the second line only
        ("mrz-Arg0s1080__docs_images_visas_MRVB_ICAO_Example.png", (0.61, 0.74)),
        # the spot over the card's zone: the first search finds no block at all
        ("mrz-Arg0s1080__docs_images_id_cards_Liechtenstein.png", (0.51, 0.87)),
        # the spot over the zone's left half: the block takes in the print around it
        ("PassportEye__passporteye_mrz_testdata_100_pass-polx.jpg", (0.46, 0.76)),
    ],
)
def test_zone_under_a_reflection_is_read_with_its_light_evened(
    shared_data: Path, tmp_path: Path, name: str, centre: tuple[float, float]
) -> None:
    """A reflection on the laminate over part of the zone (a lamp over the desk) leaves the
    print under it a third of its contrast; searched and cut with the page's light evened
    out, the zone reads exactly, every check passing."""
    row = _shared_rows(shared_data)[name]
    result = _read_derived(shared_data, tmp_path, name, lambda im: _glare(im, centre))
    assert result.mrz is not None
    assert list(result.mrz.lines) == row["lines"]
    assert not any(check.failed for check in result.checks if check.code.startswith("check_digit"))


def test_evened_light_makes_print_under_a_reflection_dark_again() -> None:
    """`_evened` stretches each pixel between the darkest and lightest grey around it: bars
    of print under a reflection come out about as dark as those beside it, the paper as
    light; a blank page's grain is not stretched into print."""
    import numpy as np  # noqa: PLC0415 - only the OCR tests need NumPy

    from screening.ocr.detect import _evened  # noqa: PLC0415

    page = np.full((200, 400), 235, np.uint8)
    page[90:110, 20:380:8] = 25  # a line of thin dark strokes
    page[90:110, 21:380:8] = 25
    lifted = _glare(np.dstack([page] * 3), (0.25, 0.5))[..., 0]
    assert lifted[100, 101] > 150  # under the spot the print is light grey
    evened = _evened(lifted, 16)  # 4% of the page, as `PageSearch.evened` does
    strokes = evened[95:105, 20:380:8]
    assert strokes.max() < 80  # every stroke dark again, under the spot too (186 before)
    assert evened[95:105, 24:380:8].min() > 180  # the paper between them light
    grain = np.random.default_rng(1).normal(235, 3, (200, 400)).clip(0, 255).astype(np.uint8)
    assert np.ptp(_evened(grain, 16).astype(int)) < 150


@pytest.mark.ocr
@needs_tesseract
def test_shared_negative_is_no_mrz_found(shared_data: Path) -> None:
    """The shared negative image (no MRZ) gives no_mrz_found."""
    with pytest.raises(MrzNotFound):
        read_document(
            shared_data / "mrz" / "images" / "PassportEye__tests_data_pacman.png", today=TODAY
        )


def test_text_file_named_jpg_is_unreadable(tmp_path: Path) -> None:
    """A text file named .jpg is rejected by the loader before any OCR."""
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image")
    with pytest.raises(ImageUnreadable):
        read_document(fake, today=TODAY)


@pytest.mark.ocr
@needs_tesseract
def test_reading_leaves_no_temporary_files(tmp_path: Path) -> None:
    """No crop or OCR file is left in (or written to) the temporary directory."""
    private = tmp_path / "tmp"
    private.mkdir()
    private.chmod(stat.S_IRWXU)
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(private)
    tempfile.tempdir = None
    try:
        read_document(SAMPLES / "td3_clean.jpg", today=TODAY)
    finally:
        if old is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old
        tempfile.tempdir = None
    assert list(private.iterdir()) == []


def test_protected_field_read_two_ways_that_both_pass_is_disputed() -> None:
    """`XS1234567` and `A51234567` share their check digit (and the composite): when two
    readings differ there and both pass, the check digit cannot choose, so it is a dispute."""
    line1 = "P<JPNGAIMU<<SAKURA<<<<<<<<<<<<<<<<<<<<<<<<<<"
    truth = "XS12345673JPN7902206F1603202<<<<<<<<<<<<<<02"
    misread = truth.replace("XS", "A5")
    chosen, other = _single(line1, misread), _single(line1, truth)
    assert chosen.consistent
    assert other.consistent
    assert disagreements(chosen, [other]) == ((1, 0), (1, 1))


def test_o_left_among_digits_after_a_swap_also_becomes_zero() -> None:
    """`XX0OOOOO` fails its check digit; one swap (`O` -> `0` at weight 1) makes it pass but
    leaves four O's that pass either way: those become 0 too, each recorded."""
    line1 = "P<INPSPECIMEN<<SAMPLE<<<<<<<<<<<<<<<<<<<<<<<"
    truth = "XX000000<0FRA7501012F19073021234567890<<<<70"
    best = score_lines([line1, truth.replace("XX000000", "XX0OOOOO")])
    assert best is not None
    assert best.lines[1] == truth
    assert [(c.col, c.read, c.used) for c in best.corrections] == [
        (5, "O", "0"),
        (3, "O", "0"),
        (4, "O", "0"),
        (6, "O", "0"),
        (7, "O", "0"),
    ]


def test_digit_for_letter_in_a_shifted_reading_is_no_dispute() -> None:
    """A reading that inserted a character and read the nationality's `O` as `0` agrees
    with `UTO` once aligned and put into the field's class: no dispute, no vote."""
    line1 = "I<UTOTELADAN<<MAYA<PUTRI<<<<<<<<<<<<"
    line2 = "M60Z3B8T11UTO0101273F3002119<<<<<<<6"
    chosen = _single(line1, line2)
    shifted = _single(line1, "M60Z3B8T11WUT00101273F3002119<<<<<<<6")
    assert disagreements(chosen, [shifted]) == ()
    assert vote(chosen, [chosen, shifted, shifted]) is chosen


def test_card_code_read_as_z_is_restored() -> None:
    """`Z` (an `I` touching print beside it, blurred) is the only look-alike of A, C or I
    among `Z`'s: it becomes `I`, recorded."""
    best = score_lines(["Z" + ICAO_TD1[0][1:], ICAO_TD1[1], ICAO_TD1[2]])
    assert best is not None
    assert best.lines == tuple(ICAO_TD1)
    assert [(c.read, c.used) for c in best.corrections] == [("Z", "I")]


def _bad_number_and_a_misread() -> tuple[list[str], str]:
    """ICAO's TD1 specimen printed with a wrong document-number check digit (a forgery, or a
    specimen like Malta's), and a misread of one number character that makes that check pass."""
    printed = [ICAO_TD1[0][:14] + "8" + ICAO_TD1[0][15:], *ICAO_TD1[1:]]
    number = printed[0][5:14]
    assert not checkdigit.is_valid(number, "8")
    for col, char in itertools.product(range(9), "0123456789"):
        misread = number[:col] + char + number[col + 1 :]
        if misread != number and checkdigit.is_valid(misread, "8"):
            return printed, printed[0][:5] + misread + printed[0][14:]
    raise AssertionError("no one-character misread passes")


def _two_readers_and_a_variant(printed: list[str], variant: str) -> list[list[ReadLine]]:
    """Our line reader and the first model read `printed`; a second variant of the first
    model reads `variant` for its first line."""
    ours = [ReadLine(line, 90.0, "0/cnn", 1, reader="cnn") for line in printed]
    first = [ReadLine(line, 80.0, "0/gray", 0, reader="mrzb") for line in printed]
    other = [ReadLine(variant, 99.0, "0/sharp", 0, reader="mrzb"), *first[1:]]
    return [ours, first, other]


def test_variant_that_makes_a_bad_check_digit_pass_does_not_beat_every_reader() -> None:
    """Our line reader and the first model both read the number as printed; one more
    preprocessing variant misreads one digit, and with it the wrong check digit passes. Every
    reader saw the printed digit there, so the faithful read stands and its check fails: a
    failing check digit is a forgery signal, never to be read away."""
    printed, misread = _bad_number_and_a_misread()
    best = arbitrate(_two_readers_and_a_variant(printed, misread))
    assert best is not None
    assert best.lines == tuple(printed)
    assert best.failed_checks == ("check_digit:document_number", "check_digit:composite")
    assert not best.corrections
    assert best.overruled == 0


@settings(max_examples=60, deadline=None)
@given(
    digit=st.sampled_from("0123456789"),
    col=st.integers(5, 13),
    char=st.sampled_from("0123456789ABDGIOSZ<"),
)
def test_no_check_passes_by_changing_what_every_reader_saw(digit: str, col: int, char: str) -> None:
    """Whatever check digit is printed for the document number, and whatever one variant
    reads at one place of the number, the number two readers both read as printed is kept:
    its check passes or fails as printed."""
    printed = [ICAO_TD1[0][:14] + digit + ICAO_TD1[0][15:], *ICAO_TD1[1:]]
    variant = printed[0][:col] + char + printed[0][col + 1 :]
    best = arbitrate(_two_readers_and_a_variant(printed, variant))
    assert best is not None
    assert best.lines[0][5:15] == printed[0][5:15]
    number_passes = checkdigit.is_valid(printed[0][5:14], digit)
    assert ("check_digit:document_number" in best.failed_checks) is not number_passes


def test_readers_that_disagree_leave_the_choice_to_the_check_digit() -> None:
    """When the readers do not all see the same character, nothing is overruled: the check
    digit chooses, as before (here the reading that passes it, against one that fails)."""
    printed, misread = _bad_number_and_a_misread()
    ours = [ReadLine(line, 90.0, "0/cnn", 1, reader="cnn") for line in (misread, *printed[1:])]
    first = [ReadLine(line, 80.0, "0/gray", 0, reader="mrzb") for line in printed]
    best = arbitrate([ours, first])
    assert best is not None
    assert best.lines[0] == misread
    assert "check_digit:document_number" not in best.failed_checks


def test_line_cut_one_column_off_does_not_beat_every_reader() -> None:
    """A variant reads the first line with a character too many inside the number; cut to
    length, its shifted number passes the check digit the printed one fails. Both readers
    read the line as printed, at its full length: the shifted cut is overruled."""
    printed, _ = _bad_number_and_a_misread()
    shifted = next(
        printed[0][:col] + char + printed[0][col:]
        for col, char in itertools.product(range(6, 15), "0123456789")
        if checkdigit.is_valid((printed[0][:col] + char + printed[0][col:])[5:14], printed[0][13])
    )
    alone = arbitrate([[ReadLine(line, 95.0, "a") for line in (shifted, *printed[1:])]])
    assert alone is not None
    assert "check_digit:document_number" not in alone.failed_checks
    best = arbitrate(_two_readers_and_a_variant(printed, shifted))
    assert best is not None
    assert best.lines == tuple(printed)
    assert not best.corrections


@pytest.mark.ocr
@needs_tesseract
def test_wrong_check_digits_upside_down_are_reported_not_read_away(
    shared_data: Path, tmp_path: Path
) -> None:
    """Malta's specimen is printed with wrong check digits (document number, birth date,
    composite). Upside down, one preprocessing variant read a `9` of the number as `Y`, and
    with it the number's check passed; that read won. Every reader saw the `9`, so the number
    is read as printed and the three failing checks are reported: a forgery signal."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "mrz-Arg0s1080__docs_images_id_cards_Malta_BAD.png"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(shared_data, tmp_path, name, lambda im: cv2.rotate(im, cv2.ROTATE_180))
    assert result.mrz is not None
    assert result.text[0][:15] == row["lines"][0][:15]
    _assert_printed_failures_reported(result, row)


@pytest.mark.ocr
@needs_tesseract
def test_passport_with_wrong_check_digits_is_not_read_as_a_visa(shared_data: Path) -> None:
    """ICAO's example passport printed with wrong check digits: both lines were read at 44
    characters, and cut to a visa's 36 they failed fewer checks (a visa has no composite), so
    it was read as a visa. A line read at exactly 44 is not cut to 36: it is read as the
    passport it is, with its failing checks reported."""
    name = "mrz-Arg0s1080__docs_images_passports_ICAO_Example2.png"
    row = _shared_rows(shared_data)[name]
    (result,) = read_document(shared_data / "mrz" / "images" / name, today=TODAY)
    assert result.mrz is not None
    assert result.mrz.doc_type is DocType.TD3
    assert list(result.text) == row["lines"]
    _assert_printed_failures_reported(result, row)


@pytest.mark.ocr
@needs_tesseract
def test_passporteye_box_read_one_column_off_does_not_hide_a_failing_check(
    shared_data: Path, tmp_path: Path
) -> None:
    """An old US resident card, printed with wrong document-number and composite check
    digits, at half resolution. Our block's readers read the number as printed; the read of
    PassportEye's box, with a character inserted into the number, passed every check and
    replaced it. Between the two blocks the readers' agreement counts too: the number is
    read as printed and both failing checks are reported."""
    import cv2  # noqa: PLC0415 - only the OCR tests need OpenCV

    name = "PassportEye__passporteye_mrz_testdata_33_id-usa.jpg"
    row = _shared_rows(shared_data)[name]
    result = _read_derived(
        shared_data,
        tmp_path,
        name,
        lambda im: cv2.resize(im, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
    )
    assert result.mrz is not None
    assert result.text[0][:15] == row["lines"][0][:15]
    _assert_printed_failures_reported(result, row)
