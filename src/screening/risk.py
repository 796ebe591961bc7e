"""Risk policy (PURE): facts about one screening in, a verdict and its reasons out.

Each rule is a small named function of `(ScreeningFacts, Policy)` that returns the evidence of
what it found (one mapping per finding, empty when nothing); its docstring is the reason text
shown to the officer. `RULES` maps each rule to a stable finding code, and the policy (TOML,
the documented default is `screening/data/policy.toml`) maps each code to a severity and holds
the parameters (expiry window, minor age, legal forms, list age). `assess()` runs every rule,
orders the findings most severe first, names the checks that were not performed, and gives the
verdict: the worst severity, NO_RESULT when the document could not be read (ALERT when another
finding is an alert), never CLEAR on a list that is not there. No I/O except `load_policy()`.
"""

from __future__ import annotations

import functools
import inspect
import tomllib
import types
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from screening.errors import ConfigError
from screening.model import (
    Assessment,
    Check,
    CheckStatus,
    Correction,
    Finding,
    ListInfo,
    ListRole,
    Match,
    MatchStrength,
    Mrz,
    Severity,
    Verdict,
)
from screening.mrz.validate import resolved_dates

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

__all__ = [
    "NEVER_INFO",
    "RULES",
    "Evidence",
    "Policy",
    "Rule",
    "ScreeningFacts",
    "assess",
    "birth_date",
    "expiry_date",
    "load_policy",
    "parse_policy",
    "reason_text",
]

Evidence = dict[str, str]


@dataclass(frozen=True, slots=True)
class ScreeningFacts:
    """Everything the policy looks at for one screening; built by the orchestration, no I/O."""

    today: dt.date
    mrz: Mrz | None  # None when unreadable
    checks: tuple[Check, ...]
    read_error: str | None  # stable error code when the document could not be read
    corrections: tuple[Correction, ...]
    holder_matches: tuple[Match, ...]
    recruiter_name: str | None
    recruiter_matches: tuple[Match, ...]
    agency_name: str | None
    agency_matches: tuple[Match, ...]
    agency_allowlisted: bool | None  # None = allowlist not checked
    agency_legal_form: str | None  # e.g. "PT", "CV"
    lists: tuple[ListInfo, ...]
    lists_failed: tuple[str, ...]
    # Parties that were named (or read) but that no loaded list could check: "holder",
    # "recruiter" (no person entries), "agency" (no organisation entries), "agency_licence"
    # (an agency but no allowlist). Each is REVIEW: a check asked for and not done is not CLEAR.
    unscreened: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """Severities per finding code and the rules' parameters; `source` says where it came from."""

    severities: Mapping[str, Severity]
    expiry_window_days: int = 180
    minor_age: int = 18
    max_list_age_days: float = 365.0
    licensed_legal_forms: frozenset[str] = frozenset({"PT", "TBK", "PERSERO"})
    invalid_legal_forms: frozenset[str] = frozenset(
        {"CV", "UD", "FIRMA", "FA", "KOPERASI", "YAYASAN", "PERKUMPULAN"}
    )
    source: str = "default"
    overrides: tuple[str, ...] = field(default=())

    def severity(self, code: str) -> Severity:
        """The severity of a finding code (every rule code has one once the policy is loaded)."""
        return self.severities[code]

    def with_parameters(
        self,
        *,
        expiry_window_days: int | None = None,
        max_list_age_days: float | None = None,
    ) -> Policy:
        """A copy with parameters set from configuration (None keeps the policy's value)."""
        changed = self
        if expiry_window_days is not None:
            changed = replace(changed, expiry_window_days=expiry_window_days)
        if max_list_age_days is not None:
            changed = replace(changed, max_list_age_days=float(max_list_age_days))
        return changed


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rules table: the finding code and the function that detects it."""

    code: str
    check: Callable[[ScreeningFacts, Policy], Iterable[Evidence]]

    @property
    def reason(self) -> str:
        """The reason text shown to the officer: the function's docstring as one paragraph."""
        return reason_text(self.check)


@functools.cache
def reason_text(function: Callable[..., object]) -> str:
    """A rule's docstring as one paragraph (the reason text)."""
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split())


# --- date and name helpers (pure) -------------------------------------------------------------

# Codes for which a nationality different from the issuing state is expected (ICAO 9303 Part 3,
# 5: stateless persons and refugees; travel documents of international organisations).
_STATELESS_OR_REFUGEE = frozenset({"XXA", "XXB", "XXC", "XXX"})
_ORGANISATIONS = frozenset(
    {"UNO", "UNA", "UNK", "XBA", "XIM", "XCC", "XCE", "XCO", "XEC", "XPO", "XES", "XMP", "XOM"}
    | {"XDC", "EUE"}
)
# Germany writes "D" where ISO 3166 says "DEU"; both name the same state.
_SAME_STATE = {"D": "DEU"}


def _state(code: str) -> str:
    plain = code.replace("<", "").strip().upper()
    return _SAME_STATE.get(plain, plain)


def birth_date(mrz: Mrz, today: dt.date) -> dt.date | None:
    """The birth date with its century resolved against `today` (the MRZ engine's rule)."""
    return resolved_dates(mrz, today).get("birth_date")


def expiry_date(mrz: Mrz, today: dt.date) -> dt.date | None:
    """The expiry date with its century resolved against `today` (the MRZ engine's rule)."""
    return resolved_dates(mrz, today).get("expiry_date")


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# Spellings of one Indonesian legal form: "Perseroan Terbatas" is PT written out, and a listed
# company's "PT ... Tbk" is a PT (Tbk marks it as public).
_FORM_SYNONYMS = {"PERSEROANTERBATAS": "PT", "PTTBK": "PT", "PERSEROANTERBATASTBK": "PT"}


def _form(text: str | None) -> str:
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return _FORM_SYNONYMS.get(compact, compact)


def _failed(facts: ScreeningFacts, prefix: str) -> Iterable[Check]:
    return (c for c in facts.checks if c.failed and c.code.startswith(prefix))


def _check_evidence(check: Check) -> Evidence:
    evidence = {"check": check.code, "detail": check.message}
    if check.expected is not None:
        evidence["expected"] = check.expected
    if check.found is not None:
        evidence["found"] = check.found
    if check.span is not None:
        evidence["position"] = check.span.describe()
    return evidence


def _match_evidence(match: Match) -> Evidence:
    evidence = {
        "list": match.list_name,
        "entry": match.entry.id,
        "matched_name": match.matched_name,
        "score": f"{match.score:.1f}",
    }
    if match.entry.reason:
        evidence["listed_for"] = match.entry.reason
    if match.explanation:
        evidence["explanation"] = "; ".join(match.explanation)
    return evidence


def _matches(found: tuple[Match, ...], strength: MatchStrength) -> list[Evidence]:
    return [_match_evidence(m) for m in found if m.strength is strength]


def _unreadable(facts: ScreeningFacts) -> bool:
    return facts.read_error is not None or facts.mrz is None


_HANDLED_PREFIXES = ("check_digit:", "date:", "country:", "filler:")
# Failed checks that other rules report: the validator's "repaired" is `ocr_corrections`,
# the reader's "ocr_agreement" is `ocr_disagreement`.
_HANDLED_CODES = frozenset({"repaired", "ocr_agreement"})


# --- the rules: each docstring is the reason shown to the officer ----------------------------


def check_digit_mismatch(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A check digit does not match its field: possible forgery or tampering (or a misread).

    Compare the field with the printed data page before anything else.
    """
    del policy
    return [_check_evidence(c) for c in _failed(facts, "check_digit:")]


def impossible_date(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A date in the MRZ cannot be true (no such day, or expiry before birth): possible forgery."""
    del policy
    found = [_check_evidence(c) for c in _failed(facts, "date:")]
    if facts.mrz is not None:
        born = birth_date(facts.mrz, facts.today)
        expires = expiry_date(facts.mrz, facts.today)
        if born is not None and expires is not None and expires <= born:
            found.append(
                {"check": "date:order", "detail": "The expiry date is not after the birth date."}
            )
    return found


def other_mrz_check_failed(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """An MRZ field breaks the ICAO 9303 rules (sex, characters or layout): check the page."""
    del policy
    return [
        _check_evidence(c)
        for c in facts.checks
        if c.failed and not c.code.startswith(_HANDLED_PREFIXES) and c.code not in _HANDLED_CODES
    ]


def ocr_repaired(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The reader repaired characters of the MRZ: compare them with the printed page."""
    del policy
    if not facts.corrections:
        return [_check_evidence(c) for c in facts.checks if c.failed and c.code == "repaired"]
    where = ", ".join(f"line {c.line + 1} col {c.col + 1}" for c in facts.corrections[:10])
    return [{"corrections": str(len(facts.corrections)), "positions": where}]


def ocr_readings_differ(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """Two OCR readings differ where no check digit protects the text: names, nationality, sex.

    The reader chose one; compare those fields with the printed page.
    """
    del policy
    return [_check_evidence(c) for c in facts.checks if c.failed and c.code == "ocr_agreement"]


def ocr_single_reading(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """Only one OCR reading of the zone was made: names, nationality and sex are unverified.

    The other readers failed or timed out; compare those fields with the printed page.
    """
    del policy
    return [
        _check_evidence(c)
        for c in facts.checks
        if c.code == "ocr_agreement" and c.status is CheckStatus.NOT_APPLICABLE
    ]


def document_expired(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The document has expired: it is not valid for travel, whatever else is found."""
    del policy
    if facts.mrz is None:
        return []
    expires = expiry_date(facts.mrz, facts.today)
    if expires is None or expires >= facts.today:
        return []
    return [{"expiry_date": expires.isoformat(), "days_ago": str((facts.today - expires).days)}]


def document_expiring_soon(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The document expires soon: many destinations require six months of validity."""
    if facts.mrz is None:
        return []
    expires = expiry_date(facts.mrz, facts.today)
    if expires is None or expires < facts.today:
        return []
    left = (expires - facts.today).days
    if left > policy.expiry_window_days:
        return []
    return [
        {
            "expiry_date": expires.isoformat(),
            "days_left": str(left),
            "window_days": str(policy.expiry_window_days),
        }
    ]


def unknown_country_code(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The issuing state or nationality is not a known ICAO country code."""
    del policy
    return [_check_evidence(c) for c in _failed(facts, "country:")]


def _nationality_pair(facts: ScreeningFacts) -> tuple[str, str] | None:
    if facts.mrz is None:
        return None
    issuer = _state(facts.mrz.value("issuing_state"))
    nationality = _state(facts.mrz.value("nationality"))
    if not issuer or not nationality or issuer == nationality:
        return None
    return issuer, nationality


def _expected_difference(issuer: str, nationality: str) -> bool:
    return issuer in _ORGANISATIONS or nationality in _STATELESS_OR_REFUGEE


def nationality_differs(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The nationality differs from the issuing state: ask why this state issued the document."""
    del policy
    pair = _nationality_pair(facts)
    if pair is None or _expected_difference(*pair):
        return []
    return [{"issuing_state": pair[0], "nationality": pair[1]}]


def nationality_differs_expected(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The nationality differs from the issuing state, as expected for this kind of document.

    Refugee and stateless travel documents, and documents of international organisations.
    """
    del policy
    pair = _nationality_pair(facts)
    if pair is None or not _expected_difference(*pair):
        return []
    return [{"issuing_state": pair[0], "nationality": pair[1]}]


def name_filler_anomaly(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The name field has filler anomalies (misplaced or missing '<'): compare with the page."""
    del policy
    return [_check_evidence(c) for c in _failed(facts, "filler:")]


def name_truncated(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The name fills the whole MRZ field and is probably truncated: use the printed name."""
    del policy
    return [
        _check_evidence(c) for c in facts.checks if c.code == "names_truncated" and not c.failed
    ]


def holder_strong_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The traveller's name strongly matches a watchlist entry."""
    del policy
    return _matches(facts.holder_matches, MatchStrength.STRONG)


def holder_possible_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The traveller's name possibly matches a watchlist entry: compare the details."""
    del policy
    return _matches(facts.holder_matches, MatchStrength.POSSIBLE)


def recruiter_strong_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The recruiter strongly matches a flagged recruiter on a watchlist."""
    del policy
    return _matches(facts.recruiter_matches, MatchStrength.STRONG)


def recruiter_possible_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The recruiter possibly matches a flagged recruiter: compare the details."""
    del policy
    return _matches(facts.recruiter_matches, MatchStrength.POSSIBLE)


def agency_strong_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The agency strongly matches a flagged agency on a watchlist."""
    del policy
    return _matches(facts.agency_matches, MatchStrength.STRONG)


def agency_possible_match(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The agency possibly matches a flagged agency: compare the details."""
    del policy
    return _matches(facts.agency_matches, MatchStrength.POSSIBLE)


def agency_not_licensed(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The agency is not on the allowlist of licensed placement agencies."""
    del policy
    if facts.agency_name is None or facts.agency_allowlisted is not False:
        return []
    allowlists = [i.name for i in facts.lists if i.role is ListRole.ALLOWLIST]
    return [{"allowlists": ", ".join(allowlists)}]


def agency_legal_form_invalid(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The agency's legal form (e.g. CV) cannot hold a licence to place migrant workers."""
    form = _form(facts.agency_legal_form)
    if facts.agency_name is None or not form or form not in policy.invalid_legal_forms:
        return []
    return [{"legal_form": form, "licensable": ", ".join(sorted(policy.licensed_legal_forms))}]


def agency_legal_form_unusual(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The agency's legal form is not one that placement agencies are licensed under."""
    form = _form(facts.agency_legal_form)
    if (
        facts.agency_name is None
        or not form
        or form in policy.licensed_legal_forms
        or form in policy.invalid_legal_forms
    ):
        return []
    return [{"legal_form": form, "licensable": ", ".join(sorted(policy.licensed_legal_forms))}]


def minor_with_recruiter(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A minor is travelling with a recruiter or a placement agency: possible trafficking."""
    if facts.mrz is None or not (facts.recruiter_name or facts.agency_name):
        return []
    born = birth_date(facts.mrz, facts.today)
    if born is None:
        return []
    age = _age(born, facts.today)
    if age >= policy.minor_age:
        return []
    return [{"age": str(age), "minor_age": str(policy.minor_age)}]


def _is_stale(info: ListInfo, policy: Policy) -> bool:
    return info.stale or (info.age_days is not None and info.age_days > policy.max_list_age_days)


def watchlist_stale(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A list is older than the maximum age: recent additions may be missing."""
    return [
        {
            "list": info.name,
            "age_days": f"{info.age_days:.0f}" if info.age_days is not None else "unknown",
            "max_age_days": f"{policy.max_list_age_days:g}",
        }
        for info in facts.lists
        if _is_stale(info, policy)
    ]


def watchlist_failed(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A list failed to load: the names were not screened against it."""
    del policy
    return [{"list": name} for name in facts.lists_failed]


def watchlist_empty(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A list has no entries: nothing was checked against it."""
    del policy
    return [{"list": info.name, "role": str(info.role)} for info in facts.lists if not info.entries]


def watchlist_incomplete(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A list was loaded with bad rows: entries may be missing from the check."""
    del policy
    return [
        {"list": info.name, "bad_rows": str(len(info.problems))}
        for info in facts.lists
        if info.problems
    ]


def no_watchlist(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """No watchlist was given: names were not screened, only the document."""
    del policy
    if facts.lists_failed or any(i.role is ListRole.WATCHLIST for i in facts.lists):
        return []
    return [{}]


def party_not_screened(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """A name was given but no loaded list could check it: it was not screened."""
    del policy
    if not facts.lists or not any(i.role is ListRole.WATCHLIST for i in facts.lists):
        unscreened = [p for p in facts.unscreened if p == "agency_licence"]
    else:
        unscreened = list(facts.unscreened)
    return [{"party": party} for party in unscreened]


def unreadable_document(facts: ScreeningFacts, policy: Policy) -> list[Evidence]:
    """The document could not be read: it was not screened. Read it by hand or rescan it."""
    del policy
    if not _unreadable(facts):
        return []
    return [{"error": facts.read_error or "no_mrz_found"}]


RULES: tuple[Rule, ...] = (
    Rule("document_unreadable", unreadable_document),
    Rule("mrz_check_digit", check_digit_mismatch),
    Rule("mrz_impossible_date", impossible_date),
    Rule("mrz_field_invalid", other_mrz_check_failed),
    Rule("ocr_corrections", ocr_repaired),
    Rule("ocr_disagreement", ocr_readings_differ),
    Rule("ocr_unverified", ocr_single_reading),
    Rule("document_expired", document_expired),
    Rule("document_expiring", document_expiring_soon),
    Rule("unknown_country", unknown_country_code),
    Rule("nationality_differs", nationality_differs),
    Rule("nationality_differs_expected", nationality_differs_expected),
    Rule("name_filler", name_filler_anomaly),
    Rule("name_truncated", name_truncated),
    Rule("holder_watchlist_strong", holder_strong_match),
    Rule("holder_watchlist_possible", holder_possible_match),
    Rule("recruiter_watchlist_strong", recruiter_strong_match),
    Rule("recruiter_watchlist_possible", recruiter_possible_match),
    Rule("agency_watchlist_strong", agency_strong_match),
    Rule("agency_watchlist_possible", agency_possible_match),
    Rule("agency_not_licensed", agency_not_licensed),
    Rule("agency_legal_form_invalid", agency_legal_form_invalid),
    Rule("agency_legal_form_unusual", agency_legal_form_unusual),
    Rule("minor_with_recruiter", minor_with_recruiter),
    Rule("list_failed", watchlist_failed),
    Rule("list_empty", watchlist_empty),
    Rule("list_incomplete", watchlist_incomplete),
    Rule("list_stale", watchlist_stale),
    Rule("no_watchlist", no_watchlist),
    Rule("party_not_screened", party_not_screened),
)

# A list that is not there, or a document that was not read, must never end CLEAR.
NEVER_INFO = frozenset(
    {
        "document_unreadable",
        "list_failed",
        "list_empty",
        "list_incomplete",
        "no_watchlist",
        "party_not_screened",
    }
)


# --- assessment --------------------------------------------------------------------------------


def _not_checked(facts: ScreeningFacts) -> tuple[str, ...]:
    """Checks that were not performed: shown as such, never as passed."""
    missing: list[str] = []
    usable = [
        i for i in facts.lists if i.role is ListRole.WATCHLIST and i.entries and not i.problems
    ]
    if facts.mrz is None:
        missing += ["mrz", "expiry", "watchlist:holder"]
    else:
        missing += [f"mrz:{c.code}" for c in facts.checks if c.status is CheckStatus.NOT_APPLICABLE]
        if expiry_date(facts.mrz, facts.today) is None:
            missing.append("expiry")
        if not usable or "holder" in facts.unscreened:
            missing.append("watchlist:holder")
    if not facts.recruiter_name or not usable or "recruiter" in facts.unscreened:
        missing.append("watchlist:recruiter")
    if not facts.agency_name or not usable or "agency" in facts.unscreened:
        missing.append("watchlist:agency")
    if facts.agency_allowlisted is None:
        missing.append("allowlist")
    if facts.agency_name and not _form(facts.agency_legal_form):
        missing.append("agency_legal_form")
    if (facts.recruiter_name or facts.agency_name) and (
        facts.mrz is None or birth_date(facts.mrz, facts.today) is None
    ):
        missing.append("age")
    missing += [f"list:{name}" for name in facts.lists_failed]
    missing += [f"list:{info.name}" for info in facts.lists if not info.entries]
    return tuple(dict.fromkeys(missing))


def assess(facts: ScreeningFacts, policy: Policy) -> Assessment:
    """Run every rule; findings most severe first; verdict = worst severity (see module doc)."""
    findings: list[Finding] = []
    for rule in RULES:
        severity = policy.severity(rule.code)
        reason = rule.reason
        findings.extend(
            Finding(
                code=rule.code,
                severity=severity,
                message=reason,
                evidence=types.MappingProxyType(dict(evidence)),
            )
            for evidence in rule.check(facts, policy)
        )
    findings.sort(key=lambda f: -f.severity.rank)  # stable: RULES order within a severity
    worst = max((f.severity.rank for f in findings), default=Severity.INFO.rank)
    if worst == Severity.ALERT.rank:
        verdict = Verdict.ALERT
    elif _unreadable(facts):
        verdict = Verdict.NO_RESULT
    elif worst == Severity.REVIEW.rank:
        verdict = Verdict.REVIEW
    else:
        verdict = Verdict.CLEAR
    return Assessment(verdict=verdict, findings=tuple(findings), not_checked=_not_checked(facts))


# --- loading the policy ------------------------------------------------------------------------

_TOP_KEYS = frozenset({"version", "parameters", "severity"})
_PARAMETERS = frozenset(
    {
        "expiry_window_days",
        "minor_age",
        "max_list_age_days",
        "licensed_legal_forms",
        "invalid_legal_forms",
    }
)


def _invalid(source: str, problem: str) -> ConfigError:
    return ConfigError(f"The risk policy {source} is invalid: {problem}", code="policy_invalid")


def _whole(value: object, key: str, source: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(source, f"[parameters] {key} must be a whole number from {low} to {high}.")
    return value


def _forms(value: object, key: str, source: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _form(v) for v in value):
        raise _invalid(source, f"[parameters] {key} must be a list of legal forms like 'PT'.")
    return frozenset(_form(v) for v in value)


def _apply(policy: Policy, document: Mapping[str, Any], source: str) -> Policy:
    unknown = sorted(set(document) - _TOP_KEYS)
    if unknown:
        raise _invalid(source, f"unknown key(s) {', '.join(unknown)}.")
    if "version" in document and document["version"] != 1:
        raise _invalid(source, "version must be 1.")
    parameters = document.get("parameters", {})
    severities = document.get("severity", {})
    if not isinstance(parameters, dict) or not isinstance(severities, dict):
        raise _invalid(source, "[parameters] and [severity] must be tables.")
    unknown = sorted(set(parameters) - _PARAMETERS)
    if unknown:
        raise _invalid(source, f"unknown parameter(s) {', '.join(unknown)}.")
    changed = dict(policy.severities)
    codes = {rule.code for rule in RULES}
    words = {s.value for s in Severity}
    for code, word in severities.items():
        if code not in codes:
            raise _invalid(source, f"unknown finding code {code!r} in [severity].")
        if word not in words:
            raise _invalid(source, f"{code} must be one of {', '.join(sorted(words))}.")
        if code in NEVER_INFO and word == Severity.INFO.value:
            raise _invalid(source, f"{code} cannot be info: it would allow a CLEAR unscreened.")
        changed[code] = Severity(word)
    result = replace(
        policy,
        severities=types.MappingProxyType(changed),
        source=source,
        overrides=(*policy.overrides, *sorted(severities), *sorted(parameters)),
    )
    if "expiry_window_days" in parameters:
        days = _whole(parameters["expiry_window_days"], "expiry_window_days", source, 0, 3650)
        result = replace(result, expiry_window_days=days)
    if "minor_age" in parameters:
        age = _whole(parameters["minor_age"], "minor_age", source, 0, 150)
        result = replace(result, minor_age=age)
    if "max_list_age_days" in parameters:
        value = parameters["max_list_age_days"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise _invalid(source, "[parameters] max_list_age_days must be a positive number.")
        result = replace(result, max_list_age_days=float(value))
    if "licensed_legal_forms" in parameters:
        licensed = _forms(parameters["licensed_legal_forms"], "licensed_legal_forms", source)
        result = replace(result, licensed_legal_forms=licensed)
    if "invalid_legal_forms" in parameters:
        invalid = _forms(parameters["invalid_legal_forms"], "invalid_legal_forms", source)
        result = replace(result, invalid_legal_forms=invalid)
    if result.licensed_legal_forms & result.invalid_legal_forms:
        raise _invalid(source, "a legal form cannot be both licensed and invalid.")
    return result


def parse_policy(text: str, *, base: Policy | None = None, source: str = "<text>") -> Policy:
    """Parse policy TOML over `base` (the packaged default when None); keys left out are kept."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _invalid(source, f"not valid TOML ({error}).") from None
    start = base if base is not None else _default_policy()
    return _apply(start, document, source)


def _default_policy() -> Policy:
    text = resources.files("screening").joinpath("data/policy.toml").read_text(encoding="utf-8")
    empty = Policy(severities=types.MappingProxyType({}))
    policy = _apply(empty, tomllib.loads(text), "default")
    missing = sorted({rule.code for rule in RULES} - set(policy.severities))
    if missing:  # a packaging bug, not a user error: the default must cover every rule
        raise _invalid("default", f"no severity for {', '.join(missing)}.")
    return replace(policy, overrides=())


def load_policy(path: Path | None = None) -> Policy:
    """The packaged default policy, or `path` applied over it; errors exit 6 (`policy_invalid`)."""
    if path is None:
        return _default_policy()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise _invalid(str(path), f"cannot be read ({reason}).") from None
    return parse_policy(text, source=str(path))
