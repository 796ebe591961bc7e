"""Data types shared by every layer: frozen dataclasses and enums, no logic, no I/O.

The MRZ core produces `Mrz` and `Check`s, the matcher produces `Match`es, the risk policy turns
them into `Finding`s and an `Assessment`, and every renderer reads one `ScreeningResult`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Assessment",
    "Check",
    "CheckStatus",
    "Correction",
    "DocType",
    "EntityKind",
    "Field",
    "Finding",
    "ListInfo",
    "ListRole",
    "Match",
    "MatchStrength",
    "Mrz",
    "RowProblem",
    "Severity",
    "Span",
    "Verdict",
    "Watchlist",
    "WatchlistEntry",
]


class DocType(enum.StrEnum):
    """ICAO 9303 machine-readable zone layouts (Parts 4 to 7)."""

    TD1 = "TD1"  # 3 lines x 30: ID cards
    TD2 = "TD2"  # 2 lines x 36: ID cards, older travel documents
    TD3 = "TD3"  # 2 lines x 44: passports
    MRVA = "MRV-A"  # 2 lines x 44: visa, format A
    MRVB = "MRV-B"  # 2 lines x 36: visa, format B


class CheckStatus(enum.StrEnum):
    """Outcome of one check. NOT_APPLICABLE is never shown as a pass."""

    PASS = "pass"  # noqa: S105 - a status word, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


class Severity(enum.StrEnum):
    """How much a finding weighs in the risk policy, lowest first."""

    INFO = "info"
    REVIEW = "review"
    ALERT = "alert"

    @property
    def rank(self) -> int:
        """Order for sorting: higher is more severe."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.REVIEW: 1, Severity.ALERT: 2}


class Verdict(enum.StrEnum):
    """What the officer sees first. NO_RESULT: the document could not be screened."""

    CLEAR = "clear"
    REVIEW = "review"
    ALERT = "alert"
    NO_RESULT = "no_result"


@dataclass(frozen=True, slots=True)
class Span:
    """Where something is in the MRZ text: 0-based line, 0-based half-open columns."""

    line: int
    start: int
    end: int

    def describe(self) -> str:
        """Human position, 1-based as officers and ICAO tables count: `line 2, columns 1-9`."""
        if self.end - self.start <= 1:
            return f"line {self.line + 1}, column {self.start + 1}"
        return f"line {self.line + 1}, columns {self.start + 1}-{self.end}"


@dataclass(frozen=True, slots=True)
class Field:
    """One MRZ field: the characters as printed (`raw`) and their decoded meaning (`value`)."""

    name: str
    raw: str
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Correction:
    """A character the OCR repair changed: evidence, never silent. `read` was replaced by `used`."""

    line: int
    col: int
    read: str
    used: str
    reason: str


@dataclass(frozen=True, slots=True)
class Check:
    """One validation outcome: a failing check digit is data (`status=FAIL`), not an exception.

    `code` is stable and machine-readable (e.g. `check_digit:document_number`, `date:birth_date`,
    `country:issuing_state`, `filler:names`); `message` is a sentence for the officer.
    """

    code: str
    status: CheckStatus
    message: str
    expected: str | None = None
    found: str | None = None
    span: Span | None = None

    @property
    def failed(self) -> bool:
        """True when the check ran and failed."""
        return self.status is CheckStatus.FAIL


@dataclass(frozen=True, slots=True)
class Mrz:
    """A parsed machine-readable zone.

    `lines` is the text the engine used; `original_lines` is what was read before any repair
    (equal to `lines` when nothing was corrected). `fields` are keyed by stable names:
    document_code, issuing_state, document_number, document_number_check, birth_date,
    birth_date_check, sex, expiry_date, expiry_date_check, nationality, optional_data,
    optional_data_check (TD3: personal number check), optional_data_2 (TD1), composite_check,
    surname, given_names.
    """

    doc_type: DocType
    lines: tuple[str, ...]
    fields: Mapping[str, Field]
    original_lines: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    names_truncated: bool = False
    extras: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """The decoded value of a field, or '' when the layout has no such field."""
        found = self.fields.get(name)
        return found.value if found is not None else ""


# --- Watchlists and matching (issue 4) -------------------------------------------------------


class EntityKind(enum.StrEnum):
    """What a watchlist entry or a name query is."""

    PERSON = "person"
    ORGANIZATION = "organization"


class ListRole(enum.StrEnum):
    """A watchlist flags entities; an allowlist (licensed agencies) vouches for them."""

    WATCHLIST = "watchlist"
    ALLOWLIST = "allowlist"


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    """One flagged (or licensed) person or organisation, with optional identifying evidence."""

    id: str
    kind: EntityKind
    name: str
    aliases: tuple[str, ...] = ()
    reason: str = ""
    source: str = ""
    listed_on: str = ""
    dob: tuple[str, ...] = ()  # ISO dates or years, as the list gives them
    nationality: tuple[str, ...] = ()  # ICAO/ISO alpha-3 where known
    document_numbers: tuple[str, ...] = ()  # passport / ID numbers
    registration_numbers: tuple[str, ...] = ()  # company registration or licence numbers
    # Aliases the list itself calls weak/low quality (UN "Low", OFAC "weak aka"): kept, but a
    # matcher should not alert on them without corroborating evidence (dob, nationality).
    weak_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad row in a list file: where (1-based line and column) and what is wrong."""

    path: str
    line: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class ListInfo:
    """Provenance of a loaded list, shown with every result: name, size, hash, age."""

    name: str
    path: str
    role: ListRole
    entries: int
    sha256: str
    age_days: float | None
    stale: bool
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class Watchlist:
    """A loaded list: its entries and where they came from."""

    info: ListInfo
    entries: tuple[WatchlistEntry, ...]


class MatchStrength(enum.StrEnum):
    """Thresholded strength of a match; thresholds are options with documented defaults."""

    POSSIBLE = "possible"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate entry for a query, with the evidence: which name matched and why."""

    list_name: str
    entry: WatchlistEntry
    query: str
    matched_name: str
    score: float  # 0-100
    strength: MatchStrength | None
    explanation: tuple[str, ...] = ()


# --- Risk (issue 5) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason for the verdict: stable code, severity, a sentence, and its evidence."""

    code: str
    severity: Severity
    message: str
    evidence: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict, its reasons (most severe first) and what could not be checked."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    not_checked: tuple[str, ...] = ()
