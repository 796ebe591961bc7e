"""The risk policy: one test per rule, the verdict, not-checked items and policy files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TODAY
from screening import risk
from screening.errors import ConfigError, ScreeningError
from screening.model import (
    Assessment,
    Check,
    CheckStatus,
    Correction,
    DocType,
    EntityKind,
    Field,
    ListInfo,
    ListRole,
    Match,
    MatchStrength,
    Mrz,
    RowProblem,
    Severity,
    Span,
    Verdict,
    WatchlistEntry,
)
from screening.mrz.validate import resolved_dates
from screening.risk import RULES, ScreeningFacts, assess, load_policy, parse_policy

POLICY = load_policy()


def make_mrz(**values: str) -> Mrz:
    """A TD3 MRZ for the fictional specimen (UTO), with fields overridden by `values`."""
    base = {
        "document_code": "P",
        "issuing_state": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "740812",
        "sex": "F",
        "expiry_date": "300415",
    }
    base.update(values)
    fields = {
        name: Field(name=name, raw=value, value=value, span=Span(1, 0, len(value)))
        for name, value in base.items()
    }
    return Mrz(doc_type=DocType.TD3, lines=("P<UTO", "L898902C3"), fields=fields)


def watch_info(name: str = "flagged.csv", entries: int = 3, **kw: object) -> ListInfo:
    values: dict[str, object] = {
        "name": name,
        "path": f"/lists/{name}",
        "role": ListRole.WATCHLIST,
        "entries": entries,
        "sha256": "0" * 64,
        "age_days": 2.0,
        "stale": False,
    }
    values.update(kw)
    return ListInfo(**values)  # type: ignore[arg-type]


def allow_info() -> ListInfo:
    return watch_info("licensed.csv", role=ListRole.ALLOWLIST)


def facts(**changes: object) -> ScreeningFacts:
    """Facts for a clean screening (valid MRZ, one non-empty watchlist, nothing found)."""
    base = ScreeningFacts(
        today=TODAY,
        mrz=make_mrz(),
        checks=(),
        read_error=None,
        corrections=(),
        holder_matches=(),
        recruiter_name=None,
        recruiter_matches=(),
        agency_name=None,
        agency_matches=(),
        agency_allowlisted=None,
        agency_legal_form=None,
        lists=(watch_info(),),
        lists_failed=(),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def failed(code: str) -> Check:
    return Check(
        code=code,
        status=CheckStatus.FAIL,
        message=f"{code} failed",
        expected="1",
        found="2",
        span=Span(1, 0, 1),
    )


def match(strength: MatchStrength | None, kind: EntityKind = EntityKind.PERSON) -> Match:
    entry = WatchlistEntry(id="R-001", kind=kind, name="BUDI SANTOSO", reason="fake job offers")
    return Match(
        list_name="flagged.csv",
        entry=entry,
        query="Budi Santoso",
        matched_name="BUDI SANTOSO",
        score=97.0 if strength is MatchStrength.STRONG else 85.0,
        strength=strength,
        explanation=("token order",),
    )


def codes(assessment: Assessment) -> list[str]:
    return [f.code for f in assessment.findings]


# --- the rules table ---------------------------------------------------------------------------


def test_every_rule_has_a_docstring_reason() -> None:
    """Each rule is a named function whose docstring is a non-trivial reason sentence."""
    for rule in RULES:
        assert rule.check.__doc__, rule.code
        assert rule.reason.endswith("."), rule.code
        assert len(rule.reason) > 30, rule.code


def test_rule_codes_are_unique_and_all_have_a_default_severity() -> None:
    """Every code in RULES is unique and the packaged policy gives each one a severity."""
    found = [rule.code for rule in RULES]
    assert len(found) == len(set(found))
    assert set(found) == set(POLICY.severities)


def test_finding_message_is_the_rule_docstring() -> None:
    """The reason shown to the officer is the rule's docstring, not a separate string."""
    result = assess(facts(checks=(failed("check_digit:document_number"),)), POLICY)
    finding = result.findings[0]
    assert finding.message == risk.reason_text(risk.check_digit_mismatch)


# --- the verdict -------------------------------------------------------------------------------


def test_clean_document_is_clear() -> None:
    """A valid MRZ, a loaded watchlist and no finding gives CLEAR with no findings."""
    result = assess(facts(), POLICY)
    assert result.verdict is Verdict.CLEAR
    assert result.findings == ()


def test_unreadable_document_is_no_result_never_clear() -> None:
    """A read error gives NO_RESULT with the error code as evidence."""
    result = assess(facts(mrz=None, read_error="corrupt_image"), POLICY)
    assert result.verdict is Verdict.NO_RESULT
    assert codes(result) == ["document_unreadable"]
    assert result.findings[0].evidence["error"] == "corrupt_image"
    assert {"mrz", "expiry", "watchlist:holder"} <= set(result.not_checked)


def test_missing_mrz_without_error_code_is_still_no_result() -> None:
    """mrz=None without a read_error is treated as unreadable (no_mrz_found), not CLEAR."""
    result = assess(facts(mrz=None), POLICY)
    assert result.verdict is Verdict.NO_RESULT
    assert result.findings[0].evidence["error"] == "no_mrz_found"


def test_unreadable_document_with_flagged_recruiter_is_alert() -> None:
    """An alert that does not need the document (a flagged recruiter) outranks NO_RESULT."""
    result = assess(
        facts(
            mrz=None,
            read_error="no_mrz_found",
            recruiter_name="Budi",
            recruiter_matches=(match(MatchStrength.STRONG),),
        ),
        POLICY,
    )
    assert result.verdict is Verdict.ALERT


def test_findings_are_sorted_most_severe_first() -> None:
    """Alert findings come before review findings, which come before info."""
    result = assess(
        facts(
            mrz=make_mrz(nationality="XXB"),
            corrections=(Correction(1, 3, "O", "0", "digit field"),),
            checks=(failed("check_digit:birth_date"),),
        ),
        POLICY,
    )
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert codes(result) == ["mrz_check_digit", "ocr_corrections", "nationality_differs_expected"]
    assert result.verdict is Verdict.ALERT


def test_info_findings_do_not_change_a_clear_verdict() -> None:
    """An info finding is shown but the verdict stays CLEAR."""
    result = assess(facts(mrz=make_mrz(nationality="XXA")), POLICY)
    assert codes(result) == ["nationality_differs_expected"]
    assert result.verdict is Verdict.CLEAR


def test_several_failures_are_all_reported() -> None:
    """Every failing check becomes its own finding; none is dropped after the first."""
    checks = (
        failed("check_digit:document_number"),
        failed("check_digit:composite"),
        failed("date:birth_date"),
        failed("country:nationality"),
        failed("filler:given_names"),
        failed("sex"),
    )
    result = assess(facts(checks=checks), POLICY)
    assert codes(result) == [
        "mrz_check_digit",
        "mrz_check_digit",
        "mrz_impossible_date",
        "mrz_field_invalid",
        "unknown_country",
        "name_filler",
    ]


# --- one test per rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check_code", "finding_code", "verdict"),
    [
        ("check_digit:document_number", "mrz_check_digit", Verdict.ALERT),
        ("check_digit:composite", "mrz_check_digit", Verdict.ALERT),
        ("date:birth_date", "mrz_impossible_date", Verdict.ALERT),
        ("date:expiry_date", "mrz_impossible_date", Verdict.ALERT),
        ("country:issuing_state", "unknown_country", Verdict.REVIEW),
        ("country:nationality", "unknown_country", Verdict.REVIEW),
        ("filler:given_names", "name_filler", Verdict.REVIEW),
        ("sex", "mrz_field_invalid", Verdict.REVIEW),
        ("charset", "mrz_field_invalid", Verdict.REVIEW),
    ],
)
def test_failing_check_maps_to_finding(
    check_code: str, finding_code: str, verdict: Verdict
) -> None:
    """Each family of failing MRZ checks becomes its finding with the check as evidence."""
    result = assess(facts(checks=(failed(check_code),)), POLICY)
    assert codes(result) == [finding_code]
    assert result.verdict is verdict
    evidence = result.findings[0].evidence
    assert evidence["check"] == check_code
    assert evidence["expected"] == "1"
    assert evidence["found"] == "2"
    assert evidence["position"] == "line 2, column 1"


def test_passing_checks_give_no_finding() -> None:
    """Passed and not-applicable checks are not findings."""
    checks = (
        Check("check_digit:document_number", CheckStatus.PASS, "ok"),
        Check("check_digit:optional_data", CheckStatus.NOT_APPLICABLE, "empty"),
    )
    result = assess(facts(checks=checks), POLICY)
    assert result.findings == ()
    assert "mrz:check_digit:optional_data" in result.not_checked


def test_expiry_before_birth_is_an_impossible_date() -> None:
    """Dates that are each valid but in an impossible order are flagged."""
    result = assess(facts(mrz=make_mrz(birth_date="900101", expiry_date="891231")), POLICY)
    assert "mrz_impossible_date" in codes(result)


def test_ocr_corrections_need_review() -> None:
    """Characters repaired by the reader give REVIEW with their positions."""
    fixes = (Correction(1, 4, "O", "0", "digit"), Correction(0, 2, "K", "<", "filler"))
    result = assess(facts(corrections=fixes), POLICY)
    assert codes(result) == ["ocr_corrections"]
    assert result.findings[0].evidence["corrections"] == "2"
    assert result.findings[0].evidence["positions"] == "line 2 col 5, line 1 col 3"
    assert result.verdict is Verdict.REVIEW


def test_single_ocr_reading_needs_review() -> None:
    """A scan read by one reader only (the others failed or timed out) is REVIEW: its names
    were not cross-checked. Two readings that agree are no finding."""
    single = Check("ocr_agreement", CheckStatus.NOT_APPLICABLE, "one reading")
    result = assess(facts(checks=(single,)), POLICY)
    assert codes(result) == ["ocr_unverified"]
    assert result.verdict is Verdict.REVIEW
    agreed = Check("ocr_agreement", CheckStatus.PASS, "two readings agree")
    assert codes(assess(facts(checks=(agreed,)), POLICY)) == []


def test_validator_repaired_check_is_reported_once_as_ocr_corrections() -> None:
    """The validator's failing `repaired` check is the OCR-corrections finding, not a second one."""
    repaired = failed("repaired")
    fix = (Correction(1, 4, "O", "0", "digit"),)
    assert codes(assess(facts(checks=(repaired,)), POLICY)) == ["ocr_corrections"]
    assert codes(assess(facts(checks=(repaired,), corrections=fix), POLICY)) == ["ocr_corrections"]


def test_truncated_name_is_shown_as_info() -> None:
    """A name that fills its field is an info finding (the printed name is the full one)."""
    check = Check("names_truncated", CheckStatus.PASS, "probably truncated", found="truncated")
    result = assess(facts(checks=(check,)), POLICY)
    assert codes(result) == ["name_truncated"]
    assert result.verdict is Verdict.CLEAR


def test_expired_document_is_an_alert() -> None:
    """A document that expired yesterday is not valid for travel: ALERT."""
    result = assess(facts(mrz=make_mrz(expiry_date="261127")), POLICY)
    assert codes(result) == ["document_expired"]
    assert result.findings[0].evidence == {"expiry_date": "2026-11-27", "days_ago": "1"}
    assert result.verdict is Verdict.ALERT


def test_document_expiring_today_is_still_valid_but_expiring() -> None:
    """Expiring today is not expired; it is within the window."""
    result = assess(facts(mrz=make_mrz(expiry_date="261128")), POLICY)
    assert codes(result) == ["document_expiring"]
    assert result.findings[0].evidence["days_left"] == "0"


@pytest.mark.parametrize(("expiry", "flagged"), [("270527", True), ("270528", False)])
def test_expiry_window_boundary(expiry: str, flagged: bool) -> None:
    """180 days ahead is inside the default window, 181 days is not."""
    result = assess(facts(mrz=make_mrz(expiry_date=expiry)), POLICY)
    assert ("document_expiring" in codes(result)) is flagged


def test_expiry_date_resolves_to_the_right_century() -> None:
    """YY is resolved: expiry up to 20 years ahead, otherwise last century."""
    mrz = make_mrz(expiry_date="460101")
    assert risk.expiry_date(mrz, TODAY) == dt.date(2046, 1, 1)
    assert risk.expiry_date(make_mrz(expiry_date="470101"), TODAY) == dt.date(1947, 1, 1)
    assert risk.birth_date(make_mrz(birth_date="261128"), TODAY) == dt.date(2026, 11, 28)
    assert risk.birth_date(make_mrz(birth_date="261129"), TODAY) == dt.date(1926, 11, 29)


def test_policy_dates_are_the_mrz_engines_dates() -> None:
    """The policy resolves centuries exactly as the MRZ engine does (one rule, not two)."""
    for mrz in (make_mrz(birth_date="100101"), make_mrz(expiry_date="460101")):
        dates = resolved_dates(mrz, TODAY)
        assert risk.birth_date(mrz, TODAY) == dates["birth_date"]
        assert risk.expiry_date(mrz, TODAY) == dates["expiry_date"]


def test_a_today_near_the_end_of_the_calendar_does_not_crash() -> None:
    """`--today 9999-12-31` gives findings, not an internal error."""
    result = assess(facts(today=dt.date(9999, 12, 31)), POLICY)
    assert result.verdict is not None


def test_unparseable_expiry_is_not_checked_not_passed() -> None:
    """An expiry we cannot read is reported as not checked, never as valid."""
    result = assess(facts(mrz=make_mrz(expiry_date="30<<15")), POLICY)
    assert "expiry" in result.not_checked
    assert "document_expired" not in codes(result)


@pytest.mark.parametrize(
    ("issuer", "nationality", "code"),
    [
        ("UTO", "IDN", "nationality_differs"),
        ("IDN", "MYS", "nationality_differs"),
        ("DEU", "XXB", "nationality_differs_expected"),  # refugee travel document
        ("UTO", "XXA", "nationality_differs_expected"),  # stateless person
        ("UNO", "UTO", "nationality_differs_expected"),  # UN laissez-passer
        ("D<<", "DEU", None),  # Germany's D and DEU are the same state
        ("D<<", "D<<", None),
        ("UTO", "UTO", None),
    ],
)
def test_nationality_against_issuing_state(issuer: str, nationality: str, code: str | None) -> None:
    """A difference is REVIEW, expected patterns are INFO, D and DEU are the same state."""
    result = assess(facts(mrz=make_mrz(issuing_state=issuer, nationality=nationality)), POLICY)
    assert codes(result) == ([code] if code else [])


@pytest.mark.parametrize(
    ("field", "strong_code", "possible_code"),
    [
        ("holder_matches", "holder_watchlist_strong", "holder_watchlist_possible"),
        ("recruiter_matches", "recruiter_watchlist_strong", "recruiter_watchlist_possible"),
        ("agency_matches", "agency_watchlist_strong", "agency_watchlist_possible"),
    ],
)
def test_watchlist_matches(field: str, strong_code: str, possible_code: str) -> None:
    """A strong match is ALERT, a possible one REVIEW, below-threshold candidates nothing."""
    names = {"recruiter_name": "Budi", "agency_name": "PT Maju", "agency_legal_form": "PT"}
    strong = assess(facts(**names, **{field: (match(MatchStrength.STRONG),)}), POLICY)
    assert codes(strong) == [strong_code]
    assert strong.verdict is Verdict.ALERT
    evidence = strong.findings[0].evidence
    assert evidence["entry"] == "R-001"
    assert evidence["matched_name"] == "BUDI SANTOSO"
    assert evidence["score"] == "97.0"
    assert evidence["listed_for"] == "fake job offers"
    possible = assess(facts(**names, **{field: (match(MatchStrength.POSSIBLE),)}), POLICY)
    assert codes(possible) == [possible_code]
    assert possible.verdict is Verdict.REVIEW
    weak = assess(facts(**names, **{field: (match(None),)}), POLICY)
    assert codes(weak) == []


def test_agency_absent_from_allowlist_needs_review() -> None:
    """An agency the allowlist does not vouch for is REVIEW, naming the allowlist."""
    result = assess(
        facts(
            agency_name="PT Maju",
            agency_legal_form="PT",
            agency_allowlisted=False,
            lists=(watch_info(), allow_info()),
        ),
        POLICY,
    )
    assert codes(result) == ["agency_not_licensed"]
    assert result.findings[0].evidence["allowlists"] == "licensed.csv"
    assert result.verdict is Verdict.REVIEW


def test_allowlisted_agency_is_clear() -> None:
    """An allowlisted PT with no watchlist hit gives CLEAR and the allowlist counts as checked."""
    result = assess(
        facts(agency_name="PT Maju", agency_legal_form="PT", agency_allowlisted=True), POLICY
    )
    assert result.verdict is Verdict.CLEAR
    assert "allowlist" not in result.not_checked


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ("CV", "agency_legal_form_invalid"),
        ("c.v.", "agency_legal_form_invalid"),
        ("UD", "agency_legal_form_invalid"),
        ("LTD", "agency_legal_form_unusual"),
        ("PT", None),
        ("PT.", None),
        ("Tbk", None),
    ],
)
def test_agency_legal_form(form: str, code: str | None) -> None:
    """A CV cannot place migrant workers (ALERT); an unknown form needs REVIEW; PT is fine."""
    result = assess(facts(agency_name="X Maju", agency_legal_form=form), POLICY)
    assert codes(result) == ([code] if code else [])


@pytest.mark.parametrize(
    ("birth", "recruiter", "agency", "flagged"),
    [
        ("081129", "Budi", None, True),  # 17 years old, turns 18 tomorrow
        ("081128", "Budi", None, False),  # 18 today
        ("100101", None, "PT Maju", True),
        ("100101", None, None, False),  # a minor travelling alone: not this rule
    ],
)
def test_minor_with_recruiter_or_agency(
    birth: str, recruiter: str | None, agency: str | None, flagged: bool
) -> None:
    """A traveller under 18 with a recruiter or an agency gives ALERT."""
    result = assess(
        facts(
            mrz=make_mrz(birth_date=birth),
            recruiter_name=recruiter,
            agency_name=agency,
            agency_legal_form="PT" if agency else None,
        ),
        POLICY,
    )
    assert ("minor_with_recruiter" in codes(result)) is flagged
    if flagged:
        assert result.verdict is Verdict.ALERT


def test_stale_list_needs_review() -> None:
    """A list flagged stale by its loader, or older than the policy's maximum, gives REVIEW."""
    by_flag = assess(facts(lists=(watch_info(stale=True),)), POLICY)
    assert codes(by_flag) == ["list_stale"]
    assert by_flag.verdict is Verdict.REVIEW
    strict = parse_policy("[parameters]\nmax_list_age_days = 30\n")
    by_age = assess(facts(lists=(watch_info(age_days=31.0),)), strict)
    assert codes(by_age) == ["list_stale"]
    assert by_age.findings[0].evidence == {
        "list": "flagged.csv",
        "age_days": "31",
        "max_age_days": "30",
    }
    assert assess(facts(lists=(watch_info(age_days=31.0),)), POLICY).findings == ()


def test_failed_list_is_never_clear() -> None:
    """A list that failed to load gives REVIEW and its check is listed as not performed."""
    result = assess(facts(lists=(), lists_failed=("flagged.csv",)), POLICY)
    assert codes(result) == ["list_failed"]
    assert result.verdict is Verdict.REVIEW
    assert {"list:flagged.csv", "watchlist:holder"} <= set(result.not_checked)


def test_empty_list_is_not_checked_and_never_clear() -> None:
    """A list with 0 entries checks nothing: REVIEW and `not_checked`, never CLEAR."""
    result = assess(facts(lists=(watch_info(entries=0),)), POLICY)
    assert codes(result) == ["list_empty"]
    assert result.verdict is Verdict.REVIEW
    assert "list:flagged.csv" in result.not_checked
    assert "watchlist:holder" in result.not_checked


def test_list_with_bad_rows_is_incomplete() -> None:
    """A list loaded with bad rows gives REVIEW: entries may be missing."""
    problem = RowProblem(path="/lists/flagged.csv", line=4, column="name", message="empty")
    result = assess(facts(lists=(watch_info(problems=(problem,)),)), POLICY)
    assert codes(result) == ["list_incomplete"]
    assert result.findings[0].evidence["bad_rows"] == "1"


def test_no_watchlist_at_all_is_shown() -> None:
    """Without any watchlist the names were not screened: REVIEW (never CLEAR) plus not_checked."""
    result = assess(facts(lists=()), POLICY)
    assert codes(result) == ["no_watchlist"]
    assert result.verdict is Verdict.REVIEW
    assert {"watchlist:holder", "watchlist:recruiter", "watchlist:agency"} <= set(
        result.not_checked
    )


def test_not_checked_names_what_was_not_given() -> None:
    """No recruiter, no agency, no allowlist: each is `not_checked`, never passed."""
    result = assess(facts(), POLICY)
    assert "watchlist:recruiter" in result.not_checked
    assert "watchlist:agency" in result.not_checked
    assert "allowlist" in result.not_checked
    assert "watchlist:holder" not in result.not_checked


def test_agency_without_legal_form_is_not_checked() -> None:
    """An agency given without a legal form: the legal-form check was not performed."""
    result = assess(facts(agency_name="Maju Jaya"), POLICY)
    assert "agency_legal_form" in result.not_checked


# --- policy files ------------------------------------------------------------------------------


def test_policy_file_override_changes_the_outcome(tmp_path: Path) -> None:
    """Raising `nationality_differs_expected` to alert and widening the window change verdicts."""
    path = tmp_path / "policy.toml"
    path.write_text(
        '[severity]\nnationality_differs_expected = "alert"\n'
        "[parameters]\nexpiry_window_days = 400\nminor_age = 21\n",
        encoding="utf-8",
    )
    custom = load_policy(path)
    assert custom.source == str(path)
    refugee = facts(mrz=make_mrz(nationality="XXB"))
    assert assess(refugee, POLICY).verdict is Verdict.CLEAR
    assert assess(refugee, custom).verdict is Verdict.ALERT
    later = facts(mrz=make_mrz(expiry_date="271201"))
    assert assess(later, POLICY).verdict is Verdict.CLEAR
    assert assess(later, custom).verdict is Verdict.REVIEW
    # keys the file leaves out keep the packaged default
    assert custom.severity("mrz_check_digit") is Severity.ALERT


def test_policy_can_lower_a_severity() -> None:
    """A checkpoint can decide expired documents only need review."""
    custom = parse_policy('[severity]\ndocument_expired = "review"\n')
    result = assess(facts(mrz=make_mrz(expiry_date="200101")), custom)
    assert result.verdict is Verdict.REVIEW


def test_with_parameters_applies_configuration() -> None:
    """Configuration values (expiry window, list age) override the policy's parameters."""
    changed = POLICY.with_parameters(expiry_window_days=10, max_list_age_days=1)
    assert changed.expiry_window_days == 10
    assert changed.max_list_age_days == 1.0
    assert POLICY.with_parameters() == POLICY


@pytest.mark.parametrize(
    "text",
    [
        "this is not toml = = =",
        "[severity]\nmrz_chek_digit = 'alert'\n",  # typo in a code
        "[severity]\nmrz_check_digit = 'critical'\n",
        "[severity]\nlist_failed = 'info'\n",  # would allow CLEAR on a missing list
        "[severity]\ndocument_unreadable = 'info'\n",
        "[severity]\nno_watchlist = 'info'\n",
        "[parameters]\nexpiry_window_days = -1\n",
        "[parameters]\nexpiry_window_days = 'soon'\n",
        "[parameters]\nminor_age = true\n",
        "[parameters]\nmax_list_age_days = 0\n",
        "[parameters]\nlicensed_legal_forms = 'PT'\n",
        "[parameters]\nlicensed_legal_forms = ['PT', 'CV']\n",
        "[parameters]\nunknown = 1\n",
        "version = 2\n",
        "severity = 'alert'\n",
        "[rules]\nx = 1\n",
    ],
)
def test_malformed_policy_is_a_config_error(tmp_path: Path, text: str) -> None:
    """A bad policy file raises ConfigError code `policy_invalid`, naming the file."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert isinstance(caught.value, ScreeningError)
    assert caught.value.code == "policy_invalid"
    assert str(path) in caught.value.message


def test_missing_or_binary_policy_file_is_a_config_error(tmp_path: Path) -> None:
    """A policy path that does not exist or is not text raises `policy_invalid`."""
    with pytest.raises(ConfigError, match="cannot be read"):
        load_policy(tmp_path / "absent.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_policy(binary)


def test_packaged_policy_documents_every_code() -> None:
    """Every finding code appears, with a comment, in the shipped policy.toml."""
    text = (Path(risk.__file__).parent / "data" / "policy.toml").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"\n{rule.code} = " in text, rule.code


def test_policy_module_is_pure() -> None:
    """Importing risk loads neither typer, rich, cv2 nor sqlite3 (pure core)."""
    code = "import sys, screening.risk; print(sorted(m for m in ('typer','rich','cv2','sqlite3','rapidfuzz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rule_functions_take_facts_and_policy() -> None:
    """Each rule has the same small signature (facts, policy)."""
    for rule in RULES:
        assert list(inspect.signature(rule.check).parameters) == ["facts", "policy"]


# --- with the real MRZ engine on the shared specimens --------------------------------------


def test_shared_specimens_failing_check_digits_are_alerts(shared_data: Path) -> None:
    """Real specimen MRZs: printed check-digit failures give ALERT, valid ones no digit finding."""
    import json  # noqa: PLC0415

    from screening.errors import InputError  # noqa: PLC0415
    from screening.mrz.parse import parse_mrz  # noqa: PLC0415
    from screening.mrz.validate import validate_mrz  # noqa: PLC0415

    screened = 0
    for line in (shared_data / "mrz" / "strings.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["type"] not in {"TD1", "TD2", "TD3", "MRVA", "MRVB"}:
            continue
        try:
            mrz = parse_mrz("\n".join(row["lines"]))
        except InputError:
            continue
        checks = validate_mrz(mrz, TODAY)
        result = assess(facts(mrz=mrz, checks=checks, corrections=mrz.corrections), POLICY)
        digit_fields = {
            f.evidence["check"].removeprefix("check_digit:")
            for f in result.findings
            if f.code == "mrz_check_digit"
        }
        expected = set(row["which_checks_fail"])
        assert digit_fields == expected, row["lines"]
        if expected:
            assert result.verdict is Verdict.ALERT
        assert result.verdict is not Verdict.NO_RESULT
        screened += 1
    assert screened >= 35


# --- invariants (hypothesis) -----------------------------------------------------------------

_CHECK_CODES = (
    "check_digit:document_number",
    "date:birth_date",
    "country:nationality",
    "filler:surname",
    "sex",
    "repaired",
)


@st.composite
def random_facts(draw: st.DrawFn) -> ScreeningFacts:
    """Arbitrary combinations of facts, including junk in the MRZ date and country fields."""
    junk = st.text(alphabet="0123456789<ABCXYZ ", max_size=8)
    mrz = draw(
        st.one_of(
            st.none(),
            st.builds(
                make_mrz,
                birth_date=junk,
                expiry_date=junk,
                issuing_state=junk,
                nationality=junk,
            ),
        )
    )
    checks = tuple(
        Check(code, draw(st.sampled_from(list(CheckStatus))), "m")
        for code in draw(st.lists(st.sampled_from(_CHECK_CODES), max_size=4))
    )
    strengths = st.sampled_from([None, MatchStrength.POSSIBLE, MatchStrength.STRONG])
    matches = st.lists(strengths.map(match), max_size=2).map(tuple)
    lists = st.lists(
        st.builds(
            watch_info,
            name=st.sampled_from(["a.csv", "b.csv"]),
            entries=st.integers(0, 3),
            stale=st.booleans(),
            role=st.sampled_from(list(ListRole)),
        ),
        max_size=3,
    ).map(tuple)
    return facts(
        mrz=mrz,
        checks=checks,
        read_error=draw(st.sampled_from([None, "corrupt_image"])),
        holder_matches=draw(matches),
        recruiter_name=draw(st.sampled_from([None, "Budi"])),
        recruiter_matches=draw(matches),
        agency_name=draw(st.sampled_from([None, "Maju"])),
        agency_matches=draw(matches),
        agency_allowlisted=draw(st.sampled_from([None, True, False])),
        agency_legal_form=draw(st.sampled_from([None, "PT", "CV", "LTD", ""])),
        lists=draw(lists),
        lists_failed=draw(st.lists(st.sampled_from(["x.csv"]), max_size=1).map(tuple)),
    )


@pytest.mark.property
@settings(max_examples=150, deadline=None)
@given(case=random_facts())
def test_verdict_invariants(case: ScreeningFacts) -> None:
    """Never CLEAR when unread or a list is missing/empty; verdict = worst severity; sorted."""
    result = assess(case, POLICY)
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    worst = max(ranks, default=0)
    if case.mrz is None or case.read_error is not None:
        assert result.verdict in {Verdict.NO_RESULT, Verdict.ALERT}
    elif worst == Severity.ALERT.rank:
        assert result.verdict is Verdict.ALERT
    elif worst == Severity.REVIEW.rank:
        assert result.verdict is Verdict.REVIEW
    else:
        assert result.verdict is Verdict.CLEAR
    if case.lists_failed or any(not i.entries for i in case.lists):
        assert result.verdict is not Verdict.CLEAR
    assert all(isinstance(v, str) for f in result.findings for v in f.evidence.values())


def test_ocr_readings_that_differ_need_review() -> None:
    """A failing `ocr_agreement` (readers differ where no check digit helps) is REVIEW, once,
    as `ocr_disagreement` and not as an invalid MRZ field."""
    differ = failed("ocr_agreement")
    result = assess(facts(checks=(differ,)), POLICY)
    assert codes(result) == ["ocr_disagreement"]
    assert result.verdict is Verdict.REVIEW
