"""Orchestration: one document in, one `ScreeningResult` out: read, validate, match, assess.

`Screener` loads the lists, their indexes and the policy once and then screens documents warm
(desk mode and batch workers keep one). Each stage that cannot proceed raises a
`ScreeningError`; `screen_source()` turns an `InputError` into a NO_RESULT result for that
input, so a batch never stops on one bad file. Lists are fail-closed: a list that does not
load stops the Screener from being built at all (configuration error), never a silent CLEAR.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from screening.errors import InputError, ScreeningError
from screening.model import (
    Assessment,
    Check,
    EntityKind,
    ListInfo,
    ListRole,
    Match,
    Mrz,
    Verdict,
    Watchlist,
)
from screening.mrz.parse import MAX_STREAM_CHARS, MAX_STREAM_LINES
from screening.watchlist import DEFAULT_MAX_FIELD_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from screening.matching import MatchIndex
    from screening.risk import Policy

__all__ = ["ReadInfo", "ScreenOptions", "Screener", "ScreeningResult", "screen", "screen_many"]

# Checks the image reader adds to the MRZ engine's, assessed with them (`screen_mrz`).
_OCR_CHECKS = frozenset({"ocr_agreement"})
# Text counts as MRZ text when some line, spaces aside, is 25 or more characters with a
# filler in it; anything else (a README, /etc/passwd) is one "no MRZ found", not one
# parse error per line. Lines with reader padding still count, so padding is reported.
_MRZ_LIKE = re.compile(r"^(?=[^\n]*<)[^\S\n]*(?:\S[^\S\n]*){25,}$", re.MULTILINE)
ALLOWLIST_SCORE = 100.0


@dataclass(frozen=True, slots=True)
class ScreenOptions:
    """Everything a screening depends on besides the document; `today` is passed in."""

    today: dt.date
    recruiter: str | None = None
    agency: str | None = None
    watchlists: tuple[Path, ...] = ()
    allowlists: tuple[Path, ...] = ()
    policy: Path | None = None
    max_list_age_days: float | None = 365.0
    list_encoding: str = "utf-8"
    possible_threshold: float | None = None
    strong_threshold: float | None = None
    ocr_timeout_s: float = 30.0
    max_pixels: int = 40_000_000
    max_pages: int = 10
    max_bytes: int = 50 * 1024 * 1024
    max_text_chars: int = MAX_STREAM_CHARS
    max_text_lines: int = MAX_STREAM_LINES
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES


@dataclass(frozen=True, slots=True)
class ReadInfo:
    """How the MRZ was obtained from an image: page, box, angle, model, confidence."""

    page: int
    box: tuple[int, int, int, int] | None
    angle: float | None
    model: str
    line_confidences: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The one object every renderer reads: the document, the evidence and the verdict."""

    source: str
    assessment: Assessment
    mrz: Mrz | None = None
    checks: tuple[Check, ...] = ()
    read: ReadInfo | None = None
    matches: Mapping[str, tuple[Match, ...]] = field(default_factory=dict)
    lists: tuple[ListInfo, ...] = ()
    recruiter: str | None = None
    agency: str | None = None
    dates: Mapping[str, str] = field(default_factory=dict)  # century-resolved ISO dates
    error_code: str | None = None
    error_message: str | None = None
    elapsed_ms: float = 0.0

    @property
    def verdict(self) -> Verdict:
        """The verdict of the assessment."""
        return self.assessment.verdict


class Screener:
    """Loaded lists, indexes and policy, ready to screen many documents quickly."""

    def __init__(self, options: ScreenOptions, *, policy: Policy | None = None) -> None:
        """Load the policy and every list; raise WatchlistError if any list is unusable."""
        from screening.risk import load_policy  # noqa: PLC0415 - keep CLI start-up light
        from screening.watchlist import load_watchlist  # noqa: PLC0415

        self.options = options
        self.policy: Policy = policy if policy is not None else load_policy(options.policy)
        now = dt.datetime.combine(options.today, dt.time(12), tzinfo=dt.UTC)

        def load(paths: tuple[Path, ...], role: ListRole) -> tuple[Watchlist, ...]:
            return tuple(
                load_watchlist(
                    path,
                    role=role,
                    encoding=options.list_encoding,
                    max_field_bytes=options.max_field_bytes,
                    max_age_days=options.max_list_age_days,
                    now=now,
                )
                for path in paths
            )

        self.watchlists = load(options.watchlists, ListRole.WATCHLIST)
        self.allowlists = load(options.allowlists, ListRole.ALLOWLIST)
        self._watch_index: MatchIndex | None = _build_index(self.watchlists)
        self._allow_index: MatchIndex | None = _build_index(self.allowlists)

    @property
    def lists(self) -> tuple[ListInfo, ...]:
        """Provenance of every list in use."""
        return tuple(w.info for w in (*self.watchlists, *self.allowlists))

    # -- entry points ------------------------------------------------------------------------

    def with_parties(self, recruiter: str | None, agency: str | None) -> Screener:
        """The same warm Screener (lists, indexes, policy) for another recruiter and agency."""
        clone = object.__new__(Screener)
        clone.__dict__.update(self.__dict__)
        clone.options = replace(self.options, recruiter=recruiter, agency=agency)
        return clone

    def screen_source(self, source: str) -> tuple[ScreeningResult, ...]:
        """Screen a file (image, PDF or MRZ text file); a failure becomes a NO_RESULT result."""
        started = time.perf_counter()
        try:
            return self._screen_path(Path(source), started)
        except InputError as error:
            # Only input problems become a NO_RESULT for this document; a missing Tesseract
            # or a list error is the machine's problem and goes to the caller (exit 7 / 6).
            return (self.unreadable(source, error.code, error.message, started),)

    def screen_text(self, text: str, source: str = "-") -> tuple[ScreeningResult, ...]:
        """Screen MRZ text (one or more documents, as a desktop reader emits them)."""
        from screening.mrz.parse import parse_mrz_stream  # noqa: PLC0415

        started = time.perf_counter()
        results: list[ScreeningResult] = []
        limit = self.options.max_text_chars
        if len(text) > limit:
            return (
                self.unreadable(
                    source,
                    "input_too_long",
                    f"The MRZ text from {_label(source)} is longer than {limit} characters.",
                    started,
                ),
            )
        if not _MRZ_LIKE.search(text.upper()):
            return (
                self.unreadable(
                    source,
                    "no_mrz_found",
                    f"No MRZ text found in {_label(source)}: no line looks like an MRZ.",
                    started,
                ),
            )
        parsed = parse_mrz_stream(
            text, max_chars=self.options.max_text_chars, max_lines=self.options.max_text_lines
        )
        if not parsed:
            return (
                self.unreadable(
                    source, "no_mrz_found", f"No MRZ text found in {_label(source)}.", started
                ),
            )
        for item in parsed:
            if isinstance(item, ScreeningError):
                results.append(self.unreadable(source, item.code, item.message, started))
            else:
                results.append(self.screen_mrz(item, source=source, started=started))
        return tuple(results)

    def screen_mrz(
        self,
        mrz: Mrz,
        *,
        source: str,
        read: ReadInfo | None = None,
        started: float | None = None,
        ocr_checks: tuple[Check, ...] = (),
    ) -> ScreeningResult:
        """Validate, match and assess one parsed MRZ.

        `ocr_checks` are the reader's own findings about a scan (`ocr_agreement`), assessed
        with the MRZ engine's.
        """
        from screening.mrz.validate import resolved_dates, validate_mrz  # noqa: PLC0415

        begin = time.perf_counter() if started is None else started
        checks = (*validate_mrz(mrz, self.options.today), *ocr_checks)
        holder = _holder_name(mrz)
        unscreened = self._unscreened(holder=True)
        matches: dict[str, tuple[Match, ...]] = {
            "holder": self._search(self._watch_index, holder, EntityKind.PERSON, mrz),
        }
        if self.options.recruiter:
            matches["recruiter"] = self._search(
                self._watch_index, self.options.recruiter, EntityKind.PERSON, None
            )
        allowlisted: bool | None = None
        legal_form: str | None = None
        if self.options.agency:
            matches["agency"] = self._search(
                self._watch_index, self.options.agency, EntityKind.ORGANIZATION, None
            )
            legal_form = _legal_form(self.options.agency)
            if self._allow_index is not None and any(w.entries for w in self.allowlists):
                allowed = self._search(
                    self._allow_index, self.options.agency, EntityKind.ORGANIZATION, None
                )
                matches["allowlist"] = allowed
                # Licensed means the same company, not a look-alike: a fuzzy "strong" score
                # is how impostors named like a licensed agency pass. Only the same words in
                # the same order (legal form, case and punctuation aside) count; anything
                # else is "not licensed" and the closest licensed names are the evidence.
                allowlisted = any(_same_name(self.options.agency, m) for m in allowed)
        assessment = self._assess(
            mrz=mrz,
            checks=checks,
            read_error=None,
            matches=matches,
            allowlisted=allowlisted,
            legal_form=legal_form,
            unscreened=unscreened,
        )
        return ScreeningResult(
            source=source,
            assessment=assessment,
            mrz=mrz,
            checks=checks,
            read=read,
            matches=matches,
            lists=self.lists,
            recruiter=self.options.recruiter,
            agency=self.options.agency,
            dates={
                name: day.isoformat()
                for name, day in resolved_dates(mrz, self.options.today).items()
                if day is not None
            },
            elapsed_ms=(time.perf_counter() - begin) * 1000,
        )

    def unreadable(
        self, source: str, code: str, message: str, started: float | None = None
    ) -> ScreeningResult:
        """A NO_RESULT result for an input that could not be screened, with its reason."""
        begin = time.perf_counter() if started is None else started
        assessment = self._assess(
            mrz=None,
            checks=(),
            read_error=code,
            matches={},
            allowlisted=None,
            legal_form=None,
            unscreened=self._unscreened(holder=False),
        )
        return ScreeningResult(
            source=source,
            assessment=assessment,
            lists=self.lists,
            recruiter=self.options.recruiter,
            agency=self.options.agency,
            error_code=code,
            error_message=message,
            elapsed_ms=(time.perf_counter() - begin) * 1000,
        )

    # -- stages ------------------------------------------------------------------------------

    def _screen_path(self, path: Path, started: float) -> tuple[ScreeningResult, ...]:
        from screening.images import Limits, sniff_format  # noqa: PLC0415

        head = _read_head(path, self.options.max_bytes)
        if sniff_format(head) is None and _looks_like_text(head):
            text = _read_text(path, self.options.max_text_chars)
            return self.screen_text(text, source=str(path))
        from screening.ocr import read_document  # noqa: PLC0415

        limits = Limits(
            max_pixels=self.options.max_pixels,
            max_pages=self.options.max_pages,
            max_bytes=self.options.max_bytes,
        )
        reads = read_document(
            path, limits=limits, ocr_timeout_s=self.options.ocr_timeout_s, today=self.options.today
        )
        results: list[ScreeningResult] = []
        for read in reads:
            info = ReadInfo(
                page=read.page,
                box=read.box,
                angle=read.angle,
                model=read.model,
                line_confidences=tuple(read.line_confidences),
                notes=tuple(read.notes),
            )
            if read.mrz is None:
                code = read.error_code or "no_mrz_found"
                results.append(
                    self.unreadable(str(path), code, _read_error_message(path, code), started)
                )
                continue
            ocr_checks = tuple(check for check in read.checks if check.code in _OCR_CHECKS)
            results.append(
                self.screen_mrz(
                    read.mrz, source=str(path), read=info, started=started, ocr_checks=ocr_checks
                )
            )
        if not results:
            raise InputError(f"No MRZ was found in {path}.", code="no_mrz_found")
        return tuple(results)

    def _search(
        self, index: MatchIndex | None, name: str, kind: EntityKind, mrz: Mrz | None
    ) -> tuple[Match, ...]:
        if index is None or not name.strip():
            return ()
        evidence: dict[str, str] = {}
        if mrz is not None:
            from screening.mrz.validate import resolved_dates  # noqa: PLC0415

            born = resolved_dates(mrz, self.options.today).get("birth_date")
            evidence = {
                "dob": born.isoformat() if born else "",
                "nationality": mrz.value("nationality"),
                "document_number": mrz.value("document_number"),
            }
        return tuple(
            index.search(
                name,
                kind=kind,
                evidence={k: v for k, v in evidence.items() if v},
                possible=self.options.possible_threshold,
                strong=self.options.strong_threshold,
            )
        )

    def _assess(
        self,
        *,
        mrz: Mrz | None,
        checks: tuple[Check, ...],
        read_error: str | None,
        matches: Mapping[str, tuple[Match, ...]],
        allowlisted: bool | None,
        legal_form: str | None,
        unscreened: tuple[str, ...],
    ) -> Assessment:
        from screening.risk import ScreeningFacts, assess  # noqa: PLC0415

        facts = ScreeningFacts(
            today=self.options.today,
            mrz=mrz,
            checks=checks,
            read_error=read_error,
            corrections=mrz.corrections if mrz is not None else (),
            holder_matches=matches.get("holder", ()),
            recruiter_name=self.options.recruiter,
            recruiter_matches=matches.get("recruiter", ()),
            agency_name=self.options.agency,
            agency_matches=matches.get("agency", ()),
            agency_allowlisted=allowlisted,
            agency_legal_form=legal_form,
            lists=self.lists,
            lists_failed=(),
            unscreened=unscreened,
        )
        return assess(facts, self.policy)

    def _unscreened(self, *, holder: bool) -> tuple[str, ...]:
        """Parties that no loaded list can check (e.g. a recruiter with only an agency list)."""
        kinds = {entry.kind for wl in self.watchlists for entry in wl.entries}
        missing: list[str] = []
        if holder and self.watchlists and EntityKind.PERSON not in kinds:
            missing.append("holder")
        if self.options.recruiter and self.watchlists and EntityKind.PERSON not in kinds:
            missing.append("recruiter")
        if self.options.agency and self.watchlists and EntityKind.ORGANIZATION not in kinds:
            missing.append("agency")
        if self.options.agency and not any(wl.entries for wl in self.allowlists):
            missing.append("agency_licence")
        return tuple(missing)


def _build_index(lists: tuple[Watchlist, ...]) -> MatchIndex | None:
    if not lists:
        return None
    from screening.index_cache import load_index  # noqa: PLC0415

    return load_index(lists)  # cached on disk, keyed by the lists' content: warm starts


def _same_name(query: str, match: Match) -> bool:
    """The query is the matched licensed name, word for word (legal form aside)."""
    from screening.names import normalize_name  # noqa: PLC0415

    if match.score < ALLOWLIST_SCORE:
        return False
    mine = normalize_name(query, EntityKind.ORGANIZATION).tokens
    return bool(mine) and mine == normalize_name(match.matched_name, EntityKind.ORGANIZATION).tokens


def _holder_name(mrz: Mrz) -> str:
    # The name field as written (SURNAME<<GIVEN<NAMES<<<): names.py reads its fillers, a cut
    # last name and fillers misread as K itself (RELIABILITY 24).
    surname, given = mrz.fields.get("surname"), mrz.fields.get("given_names")
    if surname is None or given is None:
        return f"{mrz.value('surname')} {mrz.value('given_names')}".strip()
    return f"{surname.raw}<<{given.raw}"


def _legal_form(name: str) -> str | None:
    from screening.names import legal_form_of  # noqa: PLC0415

    return legal_form_of(name)


def _label(source: str) -> str:
    return "standard input" if source == "-" else source


def _read_head(path: Path, max_bytes: int) -> bytes:
    """The first bytes of a regular file, refusing FIFOs, huge files and unreadable ones."""
    import os  # noqa: PLC0415
    import stat  # noqa: PLC0415

    try:
        st = path.stat()
    except FileNotFoundError:
        code = "broken_link" if path.is_symlink() else "file_not_found"
        raise InputError(f"{path} does not exist.", code=code) from None
    except PermissionError:
        raise InputError(
            f"{path} cannot be read: permission denied.", code="permission_denied"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"{path} is not a regular file; it was not opened.", code="not_regular_file"
        )
    if st.st_size == 0:
        raise InputError(f"{path} is empty (0 bytes).", code="empty_file")
    if st.st_size > max_bytes:
        raise InputError(
            f"{path} is larger than the limit of {max_bytes} bytes.", code="file_too_large"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            return handle.read(4096)
    except PermissionError:
        raise InputError(
            f"{path} cannot be read: permission denied.", code="permission_denied"
        ) from None
    except OSError as error:
        raise InputError(
            f"{path} cannot be read ({error.strerror}).", code="unreadable_file"
        ) from None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the 4096-byte boundary is still text.
        return error.start >= len(head) - 4
    return True


def _read_text(path: Path, limit: int) -> str:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"{path} is longer than {limit} bytes of MRZ text.", code="input_too_long")
    return data.decode("utf-8", errors="replace")


def _read_error_message(path: Path, code: str) -> str:
    if code == "no_mrz_found":
        return f"No MRZ was found in {path}."
    return f"The MRZ in {path} could not be read ({code})."


# --- Public convenience API -------------------------------------------------------------------


def screen(
    source: str | Path,
    *,
    today: dt.date,
    watchlists: Iterable[str | Path] = (),
    allowlists: Iterable[str | Path] = (),
    recruiter: str | None = None,
    agency: str | None = None,
    policy: str | Path | None = None,
) -> tuple[ScreeningResult, ...]:
    """Screen one file (an image, a PDF or an MRZ text file): one result per document in it.

    Usually one result; a PDF with a passport page and a visa page, or MRZ text with several
    documents, gives one each, so none is dropped. A file that cannot be screened gives one
    NO_RESULT result with `error_code`; a list that cannot be loaded raises `WatchlistError`
    (fail closed). For many files, use `screen_many()` or a `Screener` (lists loaded once).

    Example: `screen("samples/td3_clean.jpg", today=date.today(), watchlists=["w.csv"])[0]`.
    """
    options = _options(today, watchlists, allowlists, recruiter, agency, policy)
    return Screener(options).screen_source(str(source))


def screen_many(
    sources: Iterable[str | Path],
    *,
    today: dt.date,
    watchlists: Iterable[str | Path] = (),
    allowlists: Iterable[str | Path] = (),
    recruiter: str | None = None,
    agency: str | None = None,
    policy: str | Path | None = None,
) -> Iterator[ScreeningResult]:
    """Screen many documents with one warm Screener; every input yields at least one result."""
    options = _options(today, watchlists, allowlists, recruiter, agency, policy)
    screener = Screener(options)
    for source in sources:
        yield from screener.screen_source(str(source))


def _options(  # noqa: PLR0917 - the public functions' keywords, passed on once
    today: dt.date,
    watchlists: Iterable[str | Path],
    allowlists: Iterable[str | Path],
    recruiter: str | None,
    agency: str | None,
    policy: str | Path | None,
) -> ScreenOptions:
    return ScreenOptions(
        today=today,
        recruiter=recruiter,
        agency=agency,
        watchlists=tuple(Path(p) for p in watchlists),
        allowlists=tuple(Path(p) for p in allowlists),
        policy=Path(policy) if policy is not None else None,
    )
