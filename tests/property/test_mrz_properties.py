"""Round-trip and mutation properties of the MRZ engine over generated valid MRZs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Generated, mrz_documents

from screening.errors import MrzSyntaxError
from screening.model import DocType, Mrz
from screening.mrz.checkdigit import value_of
from screening.mrz.parse import parse_mrz, parse_mrz_stream
from screening.mrz.repair import repair_mrz
from screening.mrz.validate import validate_mrz

TODAY = dt.date(2026, 11, 28)
pytestmark = pytest.mark.property


@settings(max_examples=80, deadline=None)
@given(document=mrz_documents())
def test_a_generated_valid_mrz_parses_back_and_passes_every_check(document: Generated) -> None:
    """Layout, every field value and an all-pass verdict come back from the generated lines."""
    mrz = parse_mrz(document.text)
    assert mrz.doc_type is document.doc_type
    for name, value in document.expected.items():
        assert mrz.value(name) == value, name
    failed = [c for c in validate_mrz(mrz, TODAY) if c.failed]
    assert failed == []


@settings(max_examples=40, deadline=None)
@given(document=mrz_documents(), style=st.sampled_from(["crlf", "cr", "lower", "spaces", "blank"]))
def test_reader_formatting_does_not_change_the_result(document: Generated, style: str) -> None:
    """CRLF, CR, lowercase, inner spaces and blank lines parse exactly like the canonical text."""
    text = {
        "crlf": "\r\n".join(document.lines) + "\r\n",
        "cr": "\r".join(document.lines),
        "lower": document.text.lower(),
        "spaces": "\n".join(f" {line[:7]} {line[7:]}  " for line in document.lines),
        "blank": "\n\n" + "\n".join(document.lines) + "\n\n",
    }[style]
    assert parse_mrz(text) == parse_mrz(document.text)


@settings(max_examples=120, deadline=None)
@given(document=mrz_documents(), data=st.data())
def test_a_changed_character_under_a_check_digit_makes_that_check_fail(
    document: Generated, data: st.DataObject
) -> None:
    """Replacing a covered character by one of a different value (mod 10) fails its check.

    The scheme's known blind spots are excluded by construction: `A`, `K`, `U` share 0 with
    `0` and `<` modulo 10 (and so on), and such a swap cannot be seen by any check digit.
    """
    field, line, col = data.draw(st.sampled_from(document.covered))
    old = document.lines[line][col]
    is_check_slot = col in {9, 14, 19, 27, 35, 42, 43, 29, 6} and field != "optional_data_2"
    alphabet = "0123456789" if is_check_slot else "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
    new = data.draw(
        st.sampled_from([c for c in alphabet if value_of(c) % 10 != value_of(old) % 10])
    )
    lines = list(document.lines)
    lines[line] = lines[line][:col] + new + lines[line][col + 1 :]
    mrz = parse_mrz("\n".join(lines))
    failed = {c.code for c in validate_mrz(mrz, TODAY) if c.failed}
    assert f"check_digit:{field}" in failed


@settings(max_examples=30, deadline=None)
@given(documents=st.lists(mrz_documents(), min_size=1, max_size=5), blank=st.booleans())
def test_a_stream_of_documents_is_split_into_each_document(
    documents: list[Generated], blank: bool
) -> None:
    """Several documents in one stream, with or without blank lines, come back in order."""
    separator = "\n\n" if blank else "\n"
    results = parse_mrz_stream(separator.join(d.text for d in documents))
    assert [getattr(r, "lines", None) for r in results] == [d.lines for d in documents]


@settings(max_examples=40, deadline=None)
@given(document=mrz_documents())
def test_repair_leaves_a_valid_mrz_alone(document: Generated) -> None:
    """A clean read gets no corrections: repair is only for failing checks or wrong classes."""
    mrz = parse_mrz(document.text)
    assert repair_mrz(mrz) is mrz


@settings(max_examples=60, deadline=None)
@given(document=mrz_documents(doc_type=DocType.TD3), data=st.data())
def test_a_letter_for_digit_misread_in_a_date_is_repaired_and_listed(
    document: Generated, data: st.DataObject
) -> None:
    """O/0, I/1, S/5, B/8, Z/2, G/6 in a date are put back, listed, and the original kept."""
    confusable = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
    candidates = [c for c in range(13, 19) if document.lines[1][c] in confusable]
    if not candidates:
        return
    col = data.draw(st.sampled_from(candidates))
    lines = list(document.lines)
    lines[1] = lines[1][:col] + confusable[lines[1][col]] + lines[1][col + 1 :]
    read = parse_mrz("\n".join(lines))
    repaired = repair_mrz(read)
    assert repaired.lines == document.lines
    assert repaired.original_lines == tuple(lines)
    assert [(c.line, c.col, c.used) for c in repaired.corrections] == [
        (1, col, document.lines[1][col])
    ]
    assert {c.code for c in validate_mrz(repaired, TODAY) if c.failed} == {"repaired"}


_JUNK = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<\n\r _KXSG", max_size=200),
    st.binary(max_size=200),
    mrz_documents().map(lambda d: d.text),
)


@settings(max_examples=150, deadline=None)
@given(junk=_JUNK)
def test_junk_gives_only_findings_or_the_projects_own_error(junk: str | bytes) -> None:
    """Every public entry point: an Mrz with checks, or MrzSyntaxError; nothing else escapes."""
    outcome: Mrz | MrzSyntaxError
    try:
        outcome = parse_mrz(junk)  # type: ignore[arg-type]
    except MrzSyntaxError as error:
        outcome = error
    if isinstance(outcome, MrzSyntaxError):
        assert outcome.code
        assert outcome.problems
    else:
        validate_mrz(outcome, TODAY)
        validate_mrz(repair_mrz(outcome), TODAY)
    for item in parse_mrz_stream(junk):  # type: ignore[arg-type]
        assert isinstance(item, (Mrz, MrzSyntaxError))
