"""mrz/validate.py: one test per check, and every failure of one MRZ reported at once."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import TODAY
from screening.model import CheckStatus, Span
from screening.mrz.checkdigit import compute
from screening.mrz.parse import parse_mrz
from screening.mrz.validate import resolved_dates, validate_mrz

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)


def _td3(line2: str, line1: str = TD3[0]) -> tuple[str, str]:
    """Recompute the composite so that a test changes exactly one thing."""
    body = line2[:43]
    return line1, body + compute(body[0:10] + body[13:20] + body[21:43])


def checks_of(*lines: str, today: dt.date = TODAY):
    return {c.code: c for c in validate_mrz(parse_mrz("\n".join(lines)), today)}


def failed_codes(*lines: str) -> set[str]:
    return {c.code for c in validate_mrz(parse_mrz("\n".join(lines)), TODAY) if c.failed}


def test_the_specimen_passes_every_check() -> None:
    """The ICAO TD3 specimen: nothing fails; each check digit reports expected and found."""
    checks = checks_of(*TD3)
    assert not [c for c in checks.values() if c.failed]
    document = checks["check_digit:document_number"]
    assert (document.status, document.expected, document.found, document.span) == (
        CheckStatus.PASS,
        "6",
        "6",
        Span(1, 9, 10),
    )


def test_a_wrong_check_digit_fails_with_expected_and_found() -> None:
    """RELIABILITY 22: check_digit:<field> with the computed and the printed digit."""
    line2 = TD3[1][:9] + "5" + TD3[1][10:]
    check = checks_of(TD3[0], line2)["check_digit:document_number"]
    assert (check.status, check.expected, check.found) == (CheckStatus.FAIL, "6", "5")
    assert failed_codes(TD3[0], line2) == {"check_digit:document_number", "check_digit:composite"}


def test_several_failures_are_all_reported() -> None:
    """Check digits, a date, a country, sex and fillers fail together, none hidden."""
    line1 = "P<UTQERIKSSON<<ANNA<MARIA<<<<K<<<<<<<<<<<<<<"
    line2 = "L898902C35UTO7413122Q1204158ZE184226B<<<<<10"
    assert {
        "check_digit:document_number",
        "check_digit:expiry_date",
        "check_digit:composite",
        "date:birth_date",
        "country:issuing_state",
        "sex",
        "filler:given_names",
    } <= failed_codes(line1, line2)


def test_td3_empty_personal_number_accepts_a_filler_or_zero_check_digit() -> None:
    """Part 4: an all-filler personal number may carry `<` (or its computed 0) as check."""
    for digit in "<0":
        line2 = _td3("L898902C36UTO7408122F1204159<<<<<<<<<<<<<<" + digit)
        assert checks_of(*line2)["check_digit:optional_data"].status is CheckStatus.PASS


def test_a_filler_check_digit_over_data_fails() -> None:
    """A `<` standing in a check-digit position over non-empty data is a failure."""
    line1, line2 = _td3("L898902C36UTO7408122F1204159ZE184226B<<<<<<")
    check = checks_of(line1, line2)["check_digit:optional_data"]
    assert (check.status, check.expected, check.found) == (CheckStatus.FAIL, "1", "<")


@pytest.mark.parametrize(
    ("line1", "variant"),
    [
        ("I<UTOD23145890<1233<<<<<<<<<<<", "without"),  # ICAO: the `<` is not counted
        ("IDBEL000590240<6013<<<<<<<<<<<", "with"),  # Belgium counts it
    ],
)
def test_long_document_number_check_accepts_both_national_variants(
    line1: str, variant: str
) -> None:
    """The long-number check digit passes computed with or without the filler in the slot."""
    check = checks_of(line1, *TD1[1:])["check_digit:document_number"]
    assert check.status is CheckStatus.PASS
    assert ("filler in the check-digit slot" in check.message) is (variant == "with")


@pytest.mark.parametrize(
    ("birth", "reason"),
    [("741312", "month 13"), ("740231", "31 February"), ("740229", "29 February 1974")],
)
def test_an_impossible_date_fails_even_with_a_passing_check_digit(birth: str, reason: str) -> None:
    """RELIABILITY 23: date:birth_date fails; the check digit itself passes."""
    line1, line2 = _td3(TD3[1][:13] + birth + compute(birth) + TD3[1][20:])
    checks = checks_of(line1, line2)
    assert checks["check_digit:birth_date"].status is CheckStatus.PASS, reason
    assert checks["date:birth_date"].status is CheckStatus.FAIL, reason
    assert checks["date:birth_date"].found == birth


def test_a_leap_day_is_valid_in_a_leap_year() -> None:
    """29 February 2000 is a real date (the century is resolved before the calendar check)."""
    line1, line2 = _td3(TD3[1][:13] + "000229" + compute("000229") + TD3[1][20:])
    assert checks_of(line1, line2)["date:birth_date"].found == "2000-02-29"


@pytest.mark.parametrize(
    ("birth", "expiry", "today", "resolved"),
    [
        ("740812", "120415", TODAY, ("1974-08-12", "2012-04-15")),
        ("261231", "461128", TODAY, ("1926-12-31", "2046-11-28")),  # birth never in the future
        ("261128", "461129", TODAY, ("2026-11-28", "1946-11-29")),  # expiry at most 20 years ahead
        ("991231", "990101", dt.date(2000, 6, 1), ("1999-12-31", "1999-01-01")),
    ],
)
def test_centuries_are_resolved_against_today(birth, expiry, today, resolved) -> None:
    """Birth is the latest date not after today; expiry not more than 20 years ahead."""
    line2 = TD3[1][:13] + birth + compute(birth) + "F" + expiry + compute(expiry) + TD3[1][28:]
    mrz = parse_mrz("\n".join(_td3(line2)))
    dates = resolved_dates(mrz, today)
    assert (dates["birth_date"].isoformat(), dates["expiry_date"].isoformat()) == resolved


def test_an_all_filler_expiry_date_is_not_applicable() -> None:
    """Some ID cards have no expiry: `<<<<<<` with check 0 is n/a, not a failure."""
    line2 = "7408122F<<<<<<0UTO<<<<<<<<<<<6"
    checks = checks_of(TD1[0], line2, TD1[2])
    assert checks["date:expiry_date"].status is CheckStatus.NOT_APPLICABLE
    assert (
        resolved_dates(parse_mrz("\n".join((TD1[0], line2, TD1[2]))), TODAY)["expiry_date"] is None
    )


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("UTO", True),
        ("D<<", True),
        ("IDN", True),
        ("XXA", True),
        ("GBD", True),
        ("EUE", True),
        ("RKS", True),
        ("UNO", True),
        ("XPO", True),
        ("ZZZ", False),
        ("SI<", False),
        ("<<<", False),
    ],
)
def test_country_codes_are_checked_against_the_icao_list(code: str, ok: bool) -> None:
    """ISO 3166-1 alpha-3 plus ICAO's own codes; anything else fails country:<field>."""
    line2 = TD3[1][:10] + code + TD3[1][13:]
    check = checks_of(*_td3(line2))["country:nationality"]
    assert (check.status is CheckStatus.PASS) is ok


@pytest.mark.parametrize(
    ("sex", "ok"), [("M", True), ("F", True), ("X", True), ("<", True), ("K", False)]
)
def test_sex_is_m_f_x_or_filler(sex: str, ok: bool) -> None:
    """ICAO allows M, F, X and `<`; anything else fails `sex`."""
    line2 = TD3[1][:20] + sex + TD3[1][21:]
    assert (checks_of(*_td3(line2))["sex"].status is CheckStatus.PASS) is ok


def test_document_code_must_fit_the_layout() -> None:
    """A TD3 must start with P; an `I` there fails document_code."""
    line1 = "I" + TD3[0][1:]
    check = checks_of(line1, TD3[1])["document_code"]
    assert check.status is CheckStatus.FAIL
    assert check.found == "I<"


def test_charset_names_the_columns_and_what_was_expected() -> None:
    """A letter in a date and a digit in a name are `charset` failures with positions."""
    line1 = "P<UTOERIK55ON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    line2 = TD3[1][:16] + "B" + TD3[1][17:]
    charset = [
        c for c in validate_mrz(parse_mrz(f"{line1}\n{line2}"), TODAY) if c.code == "charset"
    ]
    assert {(c.found, c.span) for c in charset} == {("B", Span(1, 16, 17)), ("55", Span(0, 9, 11))}
    assert any("column 17 (birth date)" in c.message for c in charset)


@pytest.mark.parametrize(
    ("names", "field", "found"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<K<<<<<<<<<<<<<<", "filler:given_names", "K"),
        ("ERIKSSON<<ANNA<MARIA<<<<KXK<<<<<<<<<<<<", "filler:given_names", "KXK"),
        ("ERIKSSON<<ANNA<MARIAKKKKKKKKKKKKKKKKKKK", "filler:given_names", "KKKKKKKKKKKKKKKKKKK"),
        (
            "ERIKSSONKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK",
            "filler:surname",
            "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK",
        ),
    ],
)
def test_non_filler_characters_inside_filler_runs_are_flagged(
    names: str, field: str, found: str
) -> None:
    """RELIABILITY 24: K/X/S/G read for `<` in a name (no check digit protects names)."""
    check = checks_of("P<UTO" + names, TD3[1])[field]
    assert check.status is CheckStatus.FAIL
    assert check.found == found


def test_ordinary_names_have_clean_fillers() -> None:
    """Doubled letters, initials and compound names are not filler anomalies."""
    for names in ("ERIKSSON<<ANNA<K<MARIA", "VAN<DER<BERG<<X", "KOWALSKA<KWIATKOWSKA<<JOANNA"):
        checks = checks_of("P<UTO" + (names + "<" * 39)[:39], TD3[1])
        assert checks["filler:surname"].status is CheckStatus.PASS
        assert checks["filler:given_names"].status is CheckStatus.PASS


def test_a_lookalike_in_the_optional_data_filler_run_is_flagged() -> None:
    """`ZE184226B<<K<<` in the personal number: filler:optional_data."""
    assert "filler:optional_data" in failed_codes(
        *_td3("L898902C36UTO7408122F1204159ZE184226B<<K<<10")
    )


def test_a_truncated_name_is_listed_but_passes() -> None:
    """names_truncated is information for the officer: status PASS, only when truncated."""
    names = "CACADOR<DE<ARAUJO<<ANDRE<ESTEV"
    checks = checks_of(TD1[0], TD1[1], names)
    assert checks["names_truncated"].status is CheckStatus.PASS
    assert "names_truncated" not in checks_of(*TD1)


def test_visas_have_no_composite_check() -> None:
    """MRV-A/MRV-B: check_digit:composite is not applicable, never a pass."""
    mrva = (
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
    )
    assert checks_of(*mrva)["check_digit:composite"].status is CheckStatus.NOT_APPLICABLE


def test_checks_do_not_depend_on_anything_but_their_arguments() -> None:
    """Pure: the same MRZ and today give equal results twice."""
    mrz = parse_mrz("\n".join(TD3))
    assert validate_mrz(mrz, TODAY) == validate_mrz(mrz, TODAY)
