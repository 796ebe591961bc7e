"""mrz/parse.py: layout from the text, field decoding, tolerant input, errors with positions."""

from __future__ import annotations

import time

import pytest

from screening.errors import MrzSyntaxError
from screening.model import DocType, Span
from screening.mrz.checkdigit import compute
from screening.mrz.parse import (
    MAX_STREAM_LINES,
    parse_mrz,
    parse_mrz_stream,
    split_documents,
)

# ICAO 9303 Utopia specimens (Parts 4 to 7).
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
MRVA = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
)
MRVB = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")


@pytest.mark.parametrize(
    ("lines", "doc_type", "fields"),
    [
        (
            TD3,
            DocType.TD3,
            {
                "document_number": "L898902C3",
                "optional_data": "ZE184226B",
                "optional_data_check": "1",
                "composite_check": "0",
            },
        ),
        (
            TD2,
            DocType.TD2,
            {"document_number": "D23145890", "optional_data": "", "composite_check": "6"},
        ),
        (
            TD1,
            DocType.TD1,
            {"document_number": "D23145890", "optional_data_2": "", "composite_check": "6"},
        ),
        (
            MRVA,
            DocType.MRVA,
            {"document_number": "L8988901C", "optional_data": "6ZE184226B", "nationality": "XXX"},
        ),
        (
            MRVB,
            DocType.MRVB,
            {"document_number": "L8988901C", "optional_data": "", "expiry_date": "961210"},
        ),
    ],
    ids=["TD3", "TD2", "TD1", "MRV-A", "MRV-B"],
)
def test_each_layout_is_chosen_from_the_text_and_decoded(lines, doc_type, fields) -> None:
    """Line count, length and a leading V pick the layout; fields come from its table."""
    mrz = parse_mrz("\n".join(lines))
    assert mrz.doc_type is doc_type
    assert mrz.value("surname") == "ERIKSSON"
    assert mrz.value("given_names") == "ANNA MARIA"
    assert mrz.value("issuing_state") == "UTO"
    assert mrz.value("sex") == "F"
    for name, value in fields.items():
        assert mrz.value(name) == value, name
    assert mrz.original_lines == mrz.lines
    assert mrz.corrections == ()
    assert not mrz.names_truncated


def test_fields_carry_their_raw_text_and_span() -> None:
    """Each Field keeps the printed characters and where they are (0-based, half-open)."""
    mrz = parse_mrz("\n".join(TD3))
    number = mrz.fields["document_number"]
    assert (number.raw, number.span) == ("L898902C3", Span(1, 0, 9))
    assert mrz.fields["optional_data"].raw == "ZE184226B<<<<<"
    assert mrz.fields["given_names"].span == Span(0, 15, 25)
    assert mrz.fields["birth_date"].value == "740812"  # century needs `today`: validate.py


def test_german_single_letter_state_code_loses_its_fillers() -> None:
    """`D<<` is Germany's code: the value is `D`."""
    mrz = parse_mrz(
        "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<\nC01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<<0"
    )
    assert mrz.value("issuing_state") == "D"
    assert mrz.value("nationality") == "D"
    assert mrz.value("surname") == "MUSTERMANN"


@pytest.mark.parametrize(
    ("line1", "number", "check", "optional"),
    [
        ("I<UTOD23145890<1233<<<<<<<<<<<", "D23145890123", "3", ""),
        ("I<PRT007777779<ZZ92<<<<<<<<<<<", "007777779ZZ9", "2", ""),
        ("A3USA085043401<01<9108<<<<<<<<", "0850434010", "1", "9108"),
    ],
)
def test_td1_long_document_number_continues_in_the_optional_data(
    line1, number, check, optional
) -> None:
    """Part 5 note j: `<` in the check slot, the rest of the number, its check digit, `<`."""
    mrz = parse_mrz(f"{line1}\n7408122F1204159UTO<<<<<<<<<<<2\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    assert mrz.value("document_number") == number
    assert mrz.value("document_number_check") == check
    assert mrz.value("optional_data") == optional
    assert mrz.extras["document_number_overflow"] == "true"


def test_a_filler_in_the_check_slot_without_overflow_is_kept_as_the_check_digit() -> None:
    """No data after the `<`: not a long number; the `<` is the (failing) check digit."""
    mrz = parse_mrz(
        "IDAUT000009993<<<<<<<<<<<<<<<<\n7109094F1112315AUT<<<<<<<<<<<6\nMUSTERFRAU<<ISOLDE<<<<<<<<<<<<"
    )
    assert mrz.value("document_number") == "000009993"
    assert mrz.value("document_number_check") == "<"
    assert "document_number_overflow" not in mrz.extras


@pytest.mark.parametrize(
    ("names", "surname", "given", "truncated"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<<<<<<<", "ERIKSSON", "ANNA MARIA", False),
        ("<<ANNA<MARIA<<<<<<<<<<<<<<<<<<", "", "ANNA MARIA", False),
        ("SPITERI<MANDY<<<<<<<<<<<<<<<<<", "SPITERI MANDY", "", False),
        ("CACADOR<DE<ARAUJO<<ANDRE<ESTEV", "CACADOR DE ARAUJO", "ANDRE ESTEV", True),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", "", True),
    ],
)
def test_names_are_split_at_the_first_double_filler(names, surname, given, truncated) -> None:
    """Primary and secondary identifiers; a name field full to its end is flagged truncated."""
    mrz = parse_mrz(f"{TD1[0]}\n{TD1[1]}\n{names}")
    assert (mrz.value("surname"), mrz.value("given_names"), mrz.names_truncated) == (
        surname,
        given,
        truncated,
    )


@pytest.mark.parametrize(
    "text",
    [
        "\r\n".join(TD3) + "\r\n",
        "\r".join(TD3),
        "\n\n  " + "\n\n".join(TD3) + "\n\n",
        "\n".join(line.lower() for line in TD3),
        "\n".join(f"{line[:10]} {line[10:30]}\t{line[30:]}   " for line in TD3),
        "\ufeff\x02" + "\n".join(TD3) + "\x03\n",
    ],
    ids=["crlf", "cr", "blank-lines", "lowercase", "spaces-tabs", "bom-stx-etx"],
)
def test_reader_formatting_is_tolerated(text: str) -> None:
    """CR/LF/CRLF, blank lines, lowercase, spaces and STX/ETX/BOM framing parse the same."""
    assert parse_mrz(text) == parse_mrz("\n".join(TD3))


def test_bytes_are_decoded_as_utf8() -> None:
    """Bytes from a device are accepted; undecodable bytes become unreadable characters."""
    assert parse_mrz("\n".join(TD3).encode()).doc_type is DocType.TD3
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz(("\n".join(TD3)[:-1]).encode() + b"\xff")
    assert caught.value.code == "unreadable_chars"


def test_reader_padding_is_reported_with_its_position_never_corrected() -> None:
    """RELIABILITY 18: `_` padding -> unreadable_chars naming line and columns."""
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz(TD3[0] + "\n" + TD3[1][:42] + "__")
    error = caught.value
    assert error.code == "unreadable_chars"
    assert error.line == 1
    assert error.problems == (
        (
            "line 2, columns 43-44: not an MRZ character (U+005F); expected A-Z, 0-9 or <, "
            "and it was not corrected."
        ),
    )


@pytest.mark.parametrize("length", [43, 45])
def test_a_wrong_line_length_names_the_line_and_the_expected_length(length: int) -> None:
    """RELIABILITY 19: invalid_length, which line, and 44 expected."""
    line2 = (TD3[1] + "<")[:length]
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz(TD3[0] + "\n" + line2)
    assert caught.value.code == "invalid_length"
    assert caught.value.problems == (f"line 2 has {length} characters; TD3/MRV-A lines have 44.",)
    assert "ERIKSSON" not in str(caught.value)  # no MRZ content in error messages


def test_a_missing_line_is_incomplete() -> None:
    """RELIABILITY 18: two TD1 lines -> incomplete_mrz naming the missing line."""
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz("\n".join(TD1[:2]))
    assert caught.value.code == "incomplete_mrz"
    assert "line 3 is missing" in caught.value.message


def test_every_problem_is_listed_at_once() -> None:
    """Length, missing-character and charset problems on several lines all appear."""
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz("P<UTO_ERIKSSON\n" + TD3[1][:40] + "«")
    error = caught.value
    assert error.code == "invalid_length"
    assert len(error.problems) == 4
    assert any("line 1, column 6" in p for p in error.problems)
    assert any("line 2, column 41" in p and "U+00AB" in p for p in error.problems)
    assert "(and 3 more problems)" in error.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_input"),
        ("\n \r\n\t", "empty_input"),
        ("\n".join(TD3 * 2), "unknown_layout"),
        ("\n".join([TD3[0]] * 3), "unknown_layout"),
        (TD3[0], "incomplete_mrz"),
        ("A" * 10000 + "!", "input_too_long"),
        ("🛂" * 44 + "\n" + "🛂" * 44, "unreadable_chars"),
    ],
)
def test_junk_gives_a_syntax_error_with_a_stable_code(text: str, code: str) -> None:
    """Each kind of unparseable input has its own stable error code."""
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz(text)
    assert caught.value.code == code


def test_non_text_is_refused_with_the_projects_own_error() -> None:
    """None or a number is not MRZ text: MrzSyntaxError(not_text), not a TypeError."""
    with pytest.raises(MrzSyntaxError) as caught:
        parse_mrz(None)  # type: ignore[arg-type]
    assert caught.value.code == "not_text"


def test_redos_probe_is_rejected_quickly() -> None:
    """RELIABILITY 21: a 10,000-character name field is refused in well under 50 ms."""
    started = time.perf_counter()
    with pytest.raises(MrzSyntaxError):
        parse_mrz("P<UTO" + "A" * 10000 + "!\n" + TD3[1])
    assert time.perf_counter() - started < 0.5  # generous: "does not hang"


def test_a_stream_splits_on_blank_lines_and_on_line_counts() -> None:
    """Blank lines separate documents; without them, lines are grouped by length."""
    text = "\n".join(TD3) + "\n\n\n" + "\n".join(TD1) + "\n" + "\n".join(MRVB) + "\n\n" + TD3[0]
    documents = split_documents(text)
    assert [first for first, _ in documents] == [1, 5, 8, 11]
    results = parse_mrz_stream(text)
    assert [getattr(r, "doc_type", None) for r in results[:3]] == [
        DocType.TD3,
        DocType.TD1,
        DocType.MRVB,
    ]
    assert isinstance(results[3], MrzSyntaxError)
    assert results[3].code == "incomplete_mrz"


def test_a_huge_stream_is_refused_quickly_without_splitting() -> None:
    """RELIABILITY 20: a 1 MB line or 10,000 lines -> one input_too_long item, fast."""
    for text in ("<" * 1_000_000, "\n".join([TD1[0]] * (MAX_STREAM_LINES * 2))):
        started = time.perf_counter()
        results = parse_mrz_stream(text)
        assert time.perf_counter() - started < 1.0
        assert len(results) == 1
        assert isinstance(results[0], MrzSyntaxError)
        assert results[0].code == "input_too_long"


def test_td2_long_document_number_span_and_continuation_columns() -> None:
    """Part 6 note j: in TD2 the continuation sits after the dates, columns given in extras."""
    number = "D2314589012"
    line2 = number[:9] + "<" + "UTO7408122F1204159" + number[9:] + compute(number) + "<<<<"
    line2 += compute(line2[0:10] + line2[13:20] + line2[21:35])
    mrz = parse_mrz(TD2[0] + "\n" + line2)
    assert mrz.value("document_number") == number
    assert mrz.fields["document_number"].span == Span(1, 0, 10)
    assert mrz.fields["document_number_check"].span == Span(1, 30, 31)
    assert (
        mrz.extras["document_number_overflow_start"],
        mrz.extras["document_number_overflow_end"],
    ) == ("28", "30")
    assert mrz.value("optional_data") == ""
