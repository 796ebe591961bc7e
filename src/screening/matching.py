"""Name matching against loaded lists: an index built once per list set, and explained scores.

PURE: no file or network I/O (the on-disk cache of the index lives in `index_cache.py`).
`MatchIndex(lists)` normalises every name and alias once (`names.normalize_name`), derives
token weights from the lists themselves (rare tokens weigh more; generic agency words and
name particles weigh little), and builds blocking structures: an inverted index token ->
names, a delete-one-character index over the token vocabulary for typos (SymSpell style,
hashed into numpy arrays), and an index of joined names (MAJUJAYA = MAJU JAYA). A search
scores only the few dozen best-blocked names with rapidfuzz, aligning query tokens to
candidate tokens one to one. The score and every adjustment come from a table of small
named comparison functions whose docstrings are the explanation shown to the officer
(`COMPARISONS`). Thresholds are arguments; `DEFAULT_POSSIBLE` and `DEFAULT_STRONG` are the
documented defaults, chosen on the developers' evaluation (see bench/match.py).
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.model import EntityKind, Match, MatchStrength, Watchlist, WatchlistEntry
from screening.names import NameFlag, NameKey, index_tokens, normalize_name, skeleton

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from numpy.typing import NDArray

    _Array = NDArray[Any]

__all__ = [
    "COMPARISONS",
    "DEFAULT_POSSIBLE",
    "DEFAULT_STRONG",
    "INDEX_FORMAT_VERSION",
    "Comparison",
    "Evidence",
    "MatchIndex",
    "evidence_from_mapping",
]

#: Score (0-100) from which a candidate is reported as a possible match (review).
DEFAULT_POSSIBLE = 80.0
#: Score (0-100) from which a candidate is a strong match (alert).
DEFAULT_STRONG = 90.0
#: Bumped whenever normalisation or the index layout changes: invalidates on-disk caches.
INDEX_FORMAT_VERSION = 2

_CANDIDATES = 32  # names scored in detail per query and kind, after blocking
_PRESCORE_SHARE = 0.25  # blocked names sharing less than this share of the best are dropped
_INITIAL_CREDIT = 0.3  # an initial (S.) carries this share of the name it abbreviates
_UNMATCHED_INITIAL = 0.25  # an initial that matches nothing still contradicts a little
_TRUNCATED_TAIL = 0.3  # candidate tokens past a full (truncated) MRZ field count this much
_TWO_EDITS_LENGTH = 8  # tokens this long tolerate two typos whatever their first letter
_QUERY_EXPONENT = 0.6  # how much unmatched query tokens hurt ...
_CANDIDATE_EXPONENT = 0.4  # ... versus unmatched candidate tokens (lists hold full names)
_GENERIC_CAP = 0.35  # generic agency words never weigh more than this (of the rarest token)
_PARTICLE_CAP = 0.2
_GENERIC_ONLY_SCORE = 50.0  # ceiling when nothing but generic words agrees
_SINGLE_WORD_SCORE = 70.0  # ceiling when a one-word listed name meets a longer query
_SKIP_POSTINGS = 20_000  # a token this frequent is not used for blocking when rarer ones hit

# Words that describe a travel agency or company rather than name it (Indonesian and English).
# The lists' own frequencies already lower them; this cap keeps them low in small lists too.
GENERIC_WORDS = frozenset(
    skeleton(w)
    for w in (
        "TRAVEL", "TRAVELS", "TOUR", "TOURS", "TOURISM", "WISATA", "BERKAH", "MANDIRI",
        "SEJAHTERA", "UMROH", "UMRAH", "HAJI", "HAJJ", "INTERNATIONAL", "INTERNASIONAL",
        "GLOBAL", "GROUP", "GRUP", "INDONESIA", "NUSANTARA", "ABADI", "JAYA", "PERKASA",
        "SENTOSA", "PRIMA", "UTAMA", "MAKMUR", "AMANAH", "SERVICES", "SERVICE", "TRADING",
        "TRADE", "HOLDING", "HOLDINGS", "INVESTMENT", "INVESTMENTS", "ENTERPRISE",
        "ENTERPRISES", "COMPANY", "SARANA", "MULTI", "KARYA", "BERSAMA", "AGENCY", "AGENSI",
        "TENAGA", "KERJA", "MANPOWER", "RECRUITMENT", "SOLUTIONS", "INDUSTRIES", "BANK",
    )
)  # fmt: skip
# Name particles: part of the name, but shared by thousands of unrelated people.
PARTICLES = frozenset(
    skeleton(w)
    for w in (
        "BIN", "BINTI", "BINT", "IBN", "IBNU", "AL", "EL", "UL", "UD", "ED", "BEN", "BENT",
        "OULD", "VAN", "VON", "DER", "DEN", "DE", "DA", "DI", "DOS", "DAS", "DEL", "LA", "LE",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Evidence:
    """Identifying facts about the query, when known: compared with the entry's own."""

    dob: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY
    nationality: str = ""  # ICAO 9303 code (IDN) or country name
    document_number: str = ""
    registration_number: str = ""


_NO_EVIDENCE = Evidence()


def evidence_from_mapping(values: Mapping[str, str] | None) -> Evidence:
    """Build `Evidence` from a mapping with keys dob, nationality, document_number ..."""
    if not values:
        return Evidence()
    return Evidence(
        dob=str(values.get("dob", "") or "").strip(),
        nationality=str(values.get("nationality", "") or "").strip(),
        document_number=str(values.get("document_number", "") or "").strip(),
        registration_number=str(values.get("registration_number", "") or "").strip(),
    )


# --- comparison of one query with one candidate name ------------------------------------------


@dataclass(slots=True)
class _Pair:
    """One aligned pair: query tokens i.. with candidate tokens j.. and their similarity."""

    query: tuple[int, ...]
    cand: tuple[int, ...]
    sim: float  # 0-1
    how: str  # exact | variant | fuzzy | initial | prefix | joined


@dataclass(slots=True)
class _Context:
    """Everything the comparison functions may look at for one query/candidate pair."""

    query: NameKey
    cand_surface: tuple[str, ...]
    cand_tokens: tuple[str, ...]
    cand_weights: tuple[float, ...]
    query_weights: tuple[float, ...]
    pairs: list[_Pair]
    weak_alias: bool
    entry: WatchlistEntry | None = None
    evidence: Evidence = field(default_factory=Evidence)
    score: float = 0.0
    name_score: float = 0.0
    capped_by: list[Comparison] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A named comparison: its docstring is the explanation; it returns a new score or None."""

    name: str
    apply: Callable[[_Context], float | None]

    @property
    def explanation(self) -> str:
        """First line of the function's docstring."""
        doc = self.apply.__doc__ or self.name
        return doc.strip().splitlines()[0]


def _coverage(ctx: _Context) -> tuple[float, float]:
    """Weighted share of the query and of the candidate that the aligned pairs cover."""
    qw = list(ctx.query_weights)
    cw = list(ctx.cand_weights)
    got_q = 0.0
    got_c = 0.0
    for pair in ctx.pairs:
        if pair.how == "initial":
            # An initial neither confirms nor denies much: the name it stands for counts
            # with a reduced weight on both sides, as agreeing.
            for j in pair.cand:
                cw[j] *= _INITIAL_CREDIT
        cand_weight = sum(cw[j] for j in pair.cand)
        # The query side is weighed by what it matched: a typo is not an unknown, rare token.
        share = cand_weight / len(pair.query)
        for i in pair.query:
            qw[i] = share
        got_q += pair.sim * cand_weight
        got_c += pair.sim * cand_weight
    if ctx.query.truncated:
        matched = {j for p in ctx.pairs for j in p.cand}
        for j in range(len(cw)):
            if j not in matched:
                cw[j] *= _TRUNCATED_TAIL
    total_q = sum(qw) or 1.0
    total_c = sum(cw) or 1.0
    return min(1.0, got_q / total_q), min(1.0, got_c / total_c)


def name_tokens(ctx: _Context) -> float | None:
    """Name agreement (rarer tokens weigh more; unmatched tokens on either side lower it)."""
    cov_q, cov_c = _coverage(ctx)
    if cov_q <= 0 or cov_c <= 0:
        return 0.0
    return float(100.0 * (cov_q**_QUERY_EXPONENT) * (cov_c**_CANDIDATE_EXPONENT))


def only_generic_words(ctx: _Context) -> float | None:
    """Only generic words agree; the distinctive part of the listed name is missing."""
    if not ctx.pairs:
        return None
    weights = ctx.cand_weights
    matched = {j for pair in ctx.pairs for j in pair.cand}
    if any(weights[j] > _GENERIC_CAP for j in matched):
        return None
    if any(weights[j] > _GENERIC_CAP for j in range(len(weights)) if j not in matched):
        return min(ctx.score, _GENERIC_ONLY_SCORE)
    return None


def single_word_name(ctx: _Context) -> float | None:
    """Only a one-word name matched while the query has other names: not the same person."""
    if len(ctx.cand_tokens) != 1 or ctx.query.kind is EntityKind.ORGANIZATION:
        return None
    matched = {i for pair in ctx.pairs for i in pair.query}
    others = [
        i
        for i, token in enumerate(ctx.query.tokens)
        if i not in matched and len(ctx.query.surface[i]) > 1 and token not in PARTICLES
    ]
    return min(ctx.score, _SINGLE_WORD_SCORE) if others else None


def weak_alias(ctx: _Context) -> float | None:
    """Only a weak (low-quality) alias matched: kept below a strong match."""
    if not ctx.weak_alias:
        return None
    return min(ctx.score, DEFAULT_STRONG - 1.0)


_DIGITS = re.compile(r"[^0-9A-Z]")


def _clean_number(text: str) -> str:
    return _DIGITS.sub("", text.upper())


def document_number(ctx: _Context) -> float | None:
    """The same document or registration number is on both sides: decisive."""
    if ctx.entry is None:
        return None
    mine = {
        _clean_number(ctx.evidence.document_number),
        _clean_number(ctx.evidence.registration_number),
    }
    mine.discard("")
    theirs = {
        _clean_number(n) for n in (*ctx.entry.document_numbers, *ctx.entry.registration_numbers)
    }
    theirs.discard("")
    if mine and mine & theirs:
        return 100.0
    return None


def _years(values: Iterable[str]) -> set[int]:
    out: set[int] = set()
    for value in values:
        found = re.match(r"\s*(\d{4})", value)
        if found:
            out.add(int(found.group(1)))
    return out


def birth_date_agrees(ctx: _Context) -> float | None:
    """Dates of birth agree (same date, or same year where only a year is known): raised."""
    if ctx.entry is None or not ctx.evidence.dob or not ctx.entry.dob:
        return None
    query = ctx.evidence.dob.strip()
    if any(query == d or (len(d) < len(query) and query.startswith(d)) for d in ctx.entry.dob):
        return min(100.0, ctx.score + (8.0 if len(query) >= 10 else 4.0))
    return None


def birth_date_differs(ctx: _Context) -> float | None:
    """Dates of birth differ by more than a year on both sides: lowered."""
    if ctx.entry is None or not ctx.evidence.dob or not ctx.entry.dob:
        return None
    query_years = _years([ctx.evidence.dob])
    list_years = _years(ctx.entry.dob)
    if not query_years or not list_years:
        return None
    if min(abs(a - b) for a in query_years for b in list_years) > 1:
        return max(0.0, ctx.score - 15.0)
    return None


def _nation(text: str) -> str:
    return text.strip().upper().rstrip("<")


def nationality_agrees(ctx: _Context) -> float | None:
    """Nationality agrees: raised a little."""
    if ctx.entry is None or not ctx.evidence.nationality or not ctx.entry.nationality:
        return None
    if _nation(ctx.evidence.nationality) in {_nation(n) for n in ctx.entry.nationality}:
        return min(100.0, ctx.score + 3.0)
    return None


def nationality_differs(ctx: _Context) -> float | None:
    """Nationality differs from every nationality the list gives: lowered."""
    if ctx.entry is None or not ctx.evidence.nationality or not ctx.entry.nationality:
        return None
    query = _nation(ctx.evidence.nationality)
    listed = {_nation(n) for n in ctx.entry.nationality}
    comparable = len(query) == 3 and all(len(n) == 3 for n in listed)
    if comparable and query not in listed:
        return max(0.0, ctx.score - 8.0)
    return None


#: The scoring table, applied in order; each returns the new score or None (not applicable).
COMPARISONS: tuple[Comparison, ...] = (
    Comparison("name_tokens", name_tokens),
    Comparison("only_generic_words", only_generic_words),
    Comparison("single_word_name", single_word_name),
    Comparison("weak_alias", weak_alias),
    Comparison("birth_date_agrees", birth_date_agrees),
    Comparison("birth_date_differs", birth_date_differs),
    Comparison("nationality_agrees", nationality_agrees),
    Comparison("nationality_differs", nationality_differs),
    Comparison("document_number", document_number),
)
_NAME_STAGE = COMPARISONS[:4]
_EVIDENCE_STAGE = COMPARISONS[4:]


def allowed_edits(a: str, b: str, *, same_start: bool = True) -> int:
    """Typos tolerated between two tokens.

    None when the longer has at most 3 letters; two when both have 8 or more letters, or
    (with `same_start`) 5 or more and the same first letter (SERENA/SERNRA, but not
    KARIM/HAKIM); otherwise one.
    """
    shorter, longer = sorted((len(a), len(b)))
    if longer <= 3:
        return 0
    if shorter >= _TWO_EDITS_LENGTH or (same_start and shorter >= 5 and a[:1] == b[:1]):
        return 2
    return 1


def token_similarity(a: str, b: str, *, same_start: bool = True) -> float:
    """Similarity 0-1 of two tokens: 1 - edits/length within the allowed edits (OSA)."""
    if a == b:
        return 1.0
    d = OSA.distance(a, b)
    if d > allowed_edits(a, b, same_start=same_start):
        return 0.0
    return 1.0 - d / max(len(a), len(b))


_NONE, _EXACT, _VARIANT, _FUZZY, _INITIAL, _PREFIX = range(6)
_JOINED = -1
_HOW = ("none", "exact", "variant", "fuzzy", "initial", "prefix")


def _similarity_matrix(
    key: NameKey,
    q_initial: tuple[bool, ...],
    col_tokens: list[str],
    col_surface: list[str],
    *,
    initials: bool,
) -> tuple[list[list[float]], list[list[int]]]:
    """Similarity (0-1) and kind of agreement of every query token with every column token.

    Skeletons and written forms are both compared (a typo can hit a spelling rule: JSOE ->
    JSU), within `allowed_edits`; initials and a cut MRZ token are patched in afterwards.
    """
    d_skel = process.cdist(key.tokens, col_tokens, scorer=OSA.distance, workers=1)
    d_surf = process.cdist(key.surface, col_surface, scorer=OSA.distance, workers=1)
    sims = np.maximum(
        _bounded(d_skel, key.tokens, col_tokens), _bounded(d_surf, key.surface, col_surface)
    )
    how = np.where(
        d_skel == 0,
        np.where(d_surf == 0, _EXACT, _VARIANT),
        np.where(sims > 0, _FUZZY, _NONE),
    )
    sims[d_skel == 0] = 1.0
    if initials:
        first_q = [t[0] for t in key.surface]
        first_c = [t[0] for t in col_surface]
        single_c = np.asarray([len(t) == 1 for t in col_surface], dtype=bool)
        for i, is_initial in enumerate(q_initial):
            row = np.asarray([first_q[i] == f for f in first_c])
            mask = single_c if not is_initial else np.ones_like(single_c)
            sims[i, mask] = row[mask].astype(np.float64)
            how[i, mask] = np.where(row[mask], _INITIAL, _NONE)
    if key.partial is not None and len(key.surface[key.partial]) >= 2:
        i = key.partial
        cut = key.surface[i]
        prefix = np.asarray([c.startswith(cut) and how[i, j] != _EXACT
                             for j, c in enumerate(col_surface)], dtype=bool)  # fmt: skip
        sims[i, prefix] = 0.98
        how[i, prefix] = _PREFIX
    return sims.tolist(), how.tolist()


def _bounded(
    distance: _Array, a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]
) -> _Array:
    """1 - distance/longer for every pair of tokens of `a` and `b` within `allowed_edits`."""
    a_len = np.fromiter((len(t) for t in a), dtype=np.int32, count=len(a))
    b_len = np.fromiter((len(t) for t in b), dtype=np.int32, count=len(b))
    shorter = np.minimum.outer(a_len, b_len)
    longer = np.maximum.outer(a_len, b_len)
    same_first = np.equal.outer(np.asarray([t[:1] for t in a]), np.asarray([t[:1] for t in b]))
    two = (shorter >= _TWO_EDITS_LENGTH) | ((shorter >= 5) & same_first)
    allowed = np.where(longer <= 3, 0, np.where(two, 2, 1))
    return np.where(distance <= allowed, 1.0 - distance / np.maximum(longer, 1), 0.0)


def _align(
    key: NameKey,
    cand_tokens: tuple[str, ...],
    sims: list[list[float]],
    hows: list[list[int]],
    cols: list[int],
) -> list[_Pair]:
    """Pair query tokens with candidate tokens one to one, best similarity first.

    Options are single pairs (exact, variant, fuzzy, initial, MRZ prefix) and joined runs
    (one token against 2-4 consecutive tokens of the other side); the best are taken greedily.
    """
    m = len(key.tokens)
    n = len(cand_tokens)
    options: list[tuple[float, tuple[int, ...], tuple[int, ...], int]] = []
    exact_q: set[int] = set()
    exact_c: set[int] = set()
    for i in range(m):
        row = sims[i]
        how_row = hows[i]
        for j in range(n):
            col = cols[j]
            s = row[col]
            if s > 0:
                how = how_row[col]
                options.append((s, (i,), (j,), how))
                if how in (_EXACT, _VARIANT):
                    exact_q.add(i)
                    exact_c.add(j)
    if m != n and len(exact_q) < m and len(exact_c) < n:
        options.extend(_join_options(key.tokens, cand_tokens, exact_q, exact_c, flip=False))
        options.extend(_join_options(cand_tokens, key.tokens, exact_c, exact_q, flip=True))
    if len(options) > 1:
        options.sort(key=lambda o: (-o[0], -len(o[1]) - len(o[2]), o[1], o[2]))
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[_Pair] = []
    for s, qi, cj, how in options:
        if used_q.intersection(qi) or used_c.intersection(cj):
            continue
        used_q.update(qi)
        used_c.update(cj)
        pairs.append(_Pair(qi, cj, s, _HOW[how] if how >= 0 else "joined"))
    return pairs


def _join_options(
    single: tuple[str, ...],
    other: tuple[str, ...],
    single_taken: set[int],
    other_taken: set[int],
    *,
    flip: bool,
) -> list[tuple[float, tuple[int, ...], tuple[int, ...], int]]:
    """Joined or split names: MUHAMMADDANDI = MUHAMMAD DANDI, WIJIJOKO = WIJI JOKO.

    Tokens that already agree exactly with something are left out.
    """
    out: list[tuple[float, tuple[int, ...], tuple[int, ...], int]] = []
    lengths = [len(t) for t in other]
    for i, token in enumerate(single):
        size = len(token)
        if size < 6 or i in single_taken:
            continue
        for start in range(len(other)):
            total = 0
            for end in range(start, min(start + 4, len(other))):
                if end in other_taken:
                    break
                total += lengths[end]
                if end == start:
                    continue
                if total > size + 2:
                    break
                if total < size - 2:
                    continue
                # A joined run is already a stretch: no extra typo for a shared first letter.
                joined = "".join(other[start : end + 1])
                s = token_similarity(token, joined, same_start=False)
                if s > 0:
                    run = tuple(range(start, end + 1))
                    out.append((s, run, (i,), _JOINED) if flip else (s, (i,), run, _JOINED))
    return out


def _describe_pairs(ctx: _Context) -> str:
    parts = []
    for pair in sorted(ctx.pairs, key=lambda p: p.query[0]):
        left = " ".join(ctx.query.surface[i] for i in pair.query)
        right = " ".join(ctx.cand_surface[j] for j in pair.cand)
        if pair.how == "exact":
            parts.append(left)
        elif pair.how == "fuzzy":
            parts.append(f"{left}~{right} ({pair.sim * 100:.0f}%)")
        else:
            parts.append(f"{left}~{right} ({pair.how})")
    matched_q = {i for p in ctx.pairs for i in p.query}
    matched_c = {j for p in ctx.pairs for j in p.cand}
    extra_q = [ctx.query.surface[i] for i in range(len(ctx.query.surface)) if i not in matched_q]
    extra_c = [ctx.cand_surface[j] for j in range(len(ctx.cand_surface)) if j not in matched_c]
    text = "matched: " + (", ".join(parts) or "nothing")
    if extra_q:
        text += "; only in query: " + " ".join(extra_q)
    if extra_c:
        text += "; only in list: " + " ".join(extra_c)
    return text


# --- the index ---------------------------------------------------------------------------------


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _deletes(token: str) -> list[str]:
    return [token[:k] + token[k + 1 :] for k in range(len(token))]


def _csr(keys: NDArray[np.int64], values: NDArray[np.int32], size: int) -> tuple[Any, Any]:
    order = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=size)
    ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, values[order].astype(np.int32)


def _distinct(values: _Array) -> _Array:
    """Sorted distinct values (a sort, faster than np.unique's hashing for large int arrays)."""
    ordered: _Array = np.sort(values, kind="stable")
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    result: _Array = ordered[keep]
    return result


def _sorted_pairs(hashes: list[int], values: list[int]) -> tuple[Any, Any]:
    keys = np.asarray(hashes, dtype=np.uint32)
    vals = np.asarray(values, dtype=np.int32)
    order = np.argsort(keys, kind="stable")
    return keys[order], vals[order]


# (surface tokens, skeleton tokens, entry position, alias code) of one indexed name.
_Indexed = tuple[tuple[str, ...], tuple[str, ...], int, int]


@dataclass(slots=True)
class _KindIndex:
    """Blocking structures and token weights for the names of one entity kind."""

    kind: EntityKind
    skel: _Strings  # space-joined skeleton tokens, one per indexed name
    surf: _Strings  # space-joined surface tokens
    name_entry: Any  # int32 [names]: position in MatchIndex.entries (all lists end to end)
    name_alias: Any  # int32 [names]: -1 primary, i aliases[i], -2-i weak_aliases[i]
    vocab: list[str]
    weight: Any  # float32 [tokens]: 0-1, rarest = 1
    total: Any  # float32 [names]: sum of token weights
    tok_ptr: Any
    tok_names: Any
    del_keys: Any  # uint32 sorted: crc32 of a vocabulary token or of one of its deletes
    del_toks: Any  # int32 token ids
    join_keys: Any  # uint32 sorted: crc32 of a name's joined skeleton
    join_names: Any
    token_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Rebuild the token lookup (not stored in caches)."""
        if not self.token_id:
            self.token_id = {t: i for i, t in enumerate(self.vocab)}

    @classmethod
    def build(
        cls,
        kind: EntityKind,
        names: list[_Indexed],
        entity_count: int,
    ) -> _KindIndex:
        """Index (surface, tokens, entry position, alias code) of the names of one kind."""
        token_id: dict[str, int] = {}
        setdefault = token_id.setdefault
        flat_toks = [setdefault(t, len(token_id)) for _, tokens, _, _ in names for t in tokens]
        vocab = list(token_id)
        size = len(vocab)
        lengths = np.fromiter((len(t) for _, t, _, _ in names), dtype=np.int64, count=len(names))
        toks_arr = np.asarray(flat_toks, dtype=np.int64)
        names_arr = np.repeat(np.arange(len(names), dtype=np.int64), lengths)
        entry_arr = np.fromiter((e for _, _, e, _ in names), dtype=np.int64, count=len(names))
        # Document frequency counts entities, not names: aliases repeat an entity's tokens.
        entity_pairs = _distinct(np.repeat(entry_arr, lengths) * size + toks_arr)
        df = np.bincount(entity_pairs % size, minlength=size) if size else np.zeros(0)
        weight = _weights(token_id, df.astype(np.float64), entity_count)
        total = np.bincount(names_arr, weights=weight[toks_arr], minlength=len(names))
        total = total.astype(np.float32)
        # Postings hold each (token, name) once, even for GUN GUN.
        pair_keys = _distinct(toks_arr * len(names) + names_arr)
        tok_ptr, tok_names = _csr(
            pair_keys // max(len(names), 1),
            (pair_keys % max(len(names), 1)).astype(np.int32),
            size,
        )
        del_hashes: list[int] = []
        del_values: list[int] = []
        crc32 = zlib.crc32
        for tid, token in enumerate(vocab):
            if len(token) < 4 or not token.isascii():
                continue
            data = token.encode("ascii")
            variants = {data, *(data[:k] + data[k + 1 :] for k in range(len(data)))}
            del_hashes.extend(map(crc32, variants))
            del_values.extend([tid] * len(variants))
        del_keys, del_toks = _sorted_pairs(del_hashes, del_values)
        join_keys, join_names = _sorted_pairs(
            [crc32("".join(t).encode("utf-8")) for _, t, _, _ in names], list(range(len(names)))
        )
        return cls(
            kind=kind,
            skel=_Strings.of([" ".join(t) for _, t, _, _ in names]),
            surf=_Strings.of([" ".join(s) for s, _, _, _ in names]),
            name_entry=np.asarray([e for _, _, e, _ in names], dtype=np.int32),
            name_alias=np.asarray([a for _, _, _, a in names], dtype=np.int32),
            vocab=vocab,
            weight=weight,
            total=total,
            tok_ptr=tok_ptr,
            tok_names=tok_names,
            del_keys=del_keys,
            del_toks=del_toks,
            join_keys=join_keys,
            join_names=join_names,
            token_id=token_id,
        )

    # -- query side ----------------------------------------------------------------------------

    def query_weights(self, key: NameKey, q_initial: tuple[bool, ...]) -> tuple[float, ...]:
        """Weight of each query token: the list's weight, 1.0 (rarest) if never seen."""
        out = []
        for token, initial in zip(key.tokens, q_initial, strict=True):
            if initial:
                out.append(_UNMATCHED_INITIAL)
                continue
            tid = self.token_id.get(token)
            out.append(float(self.weight[tid]) if tid is not None else _unseen_weight(token))
        return tuple(out)

    def _neighbours(self, token: str) -> list[tuple[int, float]]:
        """Vocabulary tokens within about one edit of `token`, with their similarity."""
        if not token.isascii():
            return []
        hashes = np.asarray([_hash(v) for v in {token, *_deletes(token)}], dtype=np.uint32)
        lo = np.searchsorted(self.del_keys, hashes, side="left")
        hi = np.searchsorted(self.del_keys, hashes, side="right")
        found: set[int] = set()
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            if b > a:
                found.update(self.del_toks[a:b].tolist())
        out = []
        for tid in found:
            s = token_similarity(token, self.vocab[tid])
            if s > 0:
                out.append((tid, s))
        return out

    def candidates(self, key: NameKey, q_initial: tuple[bool, ...], limit: int) -> _Array:
        """Positions of the names most worth scoring, best blocked first."""
        ids: list[Any] = []
        gains: list[Any] = []
        hits: list[tuple[int, float, int]] = []  # (token id, quality, postings size)
        seen: set[str] = set()
        for token, initial in zip(key.tokens, q_initial, strict=True):
            if initial or len(token) < 2 or token in seen:
                continue
            seen.add(token)
            tid = self.token_id.get(token)
            if tid is not None:
                hits.append((tid, 1.0, self._size(tid)))
            if len(token) >= 4:
                hits.extend(
                    (other, q, self._size(other))
                    for other, q in self._neighbours(token)
                    if other != tid
                )
        # A token cut by a full MRZ field is looked up like the others; its prefix match is
        # scored in `_similarity_matrix`, and the other tokens of the name block.
        rare_enough = [h for h in hits if h[2] <= _SKIP_POSTINGS]
        for tid, quality, _size in rare_enough or hits:
            a, b = int(self.tok_ptr[tid]), int(self.tok_ptr[tid + 1])
            ids.append(self.tok_names[a:b])
            gains.append(np.full(b - a, float(self.weight[tid]) * quality, dtype=np.float32))
        joined = np.uint32(_hash(key.joined))
        a = int(np.searchsorted(self.join_keys, joined, side="left"))
        b = int(np.searchsorted(self.join_keys, joined, side="right"))
        if b > a:
            ids.append(self.join_names[a:b])
            gains.append(np.full(b - a, 100.0, dtype=np.float32))
        if not ids:
            return np.empty(0, dtype=np.int32)
        all_ids = np.concatenate(ids)
        all_gains = np.concatenate(gains)
        uniq, inverse = np.unique(all_ids, return_inverse=True)
        acc = np.bincount(inverse, weights=all_gains)
        q_total = sum(self.query_weights(key, q_initial)) or 1.0
        pre = acc / (q_total + self.total[uniq])
        if len(uniq) > limit:
            best = np.argpartition(-pre, limit)[:limit]
            uniq = uniq[best]
            pre = pre[best]
        # Names sharing far less than the best-blocked one are not worth scoring.
        keep = pre >= _PRESCORE_SHARE * float(pre.max())
        uniq = uniq[keep]
        pre = pre[keep]
        ranked: _Array = uniq[np.argsort(-pre, kind="stable")]
        return ranked

    def _size(self, tid: int) -> int:
        return int(self.tok_ptr[tid + 1] - self.tok_ptr[tid])

    def token_weights(self, tokens: Iterable[str]) -> tuple[float, ...]:
        """Weights of candidate tokens (all in the vocabulary)."""
        out = []
        for t in tokens:
            tid = self.token_id.get(t)
            out.append(float(self.weight[tid]) if tid is not None else _unseen_weight(t))
        return tuple(out)


def _unseen_weight(token: str) -> float:
    if token in PARTICLES:
        return _PARTICLE_CAP
    if token in GENERIC_WORDS:
        return _GENERIC_CAP
    return 1.0


def _weights(token_id: Mapping[str, int], df: _Array, entity_count: int) -> _Array:
    """IDF-like token weights scaled to 0-1 (a token seen once weighs 1)."""
    n = max(entity_count, 1)
    top = math.log((n + 1) / 1.5)
    raw = np.log((n + 1) / (df + 0.5)) / (top if top > 0 else 1.0)
    weight: _Array = np.clip(raw, 0.02, 1.0).astype(np.float32)
    for words, cap in ((PARTICLES, _PARTICLE_CAP), (GENERIC_WORDS, _GENERIC_CAP)):
        for word in words:
            tid = token_id.get(word)
            if tid is not None:
                weight[tid] = min(float(weight[tid]), cap)
    return weight


_STATE_ARRAYS = (
    "name_entry", "name_alias", "weight", "total", "tok_ptr", "tok_names",
    "del_keys", "del_toks", "join_keys", "join_names",
)  # fmt: skip


class MatchIndex:
    """Every name and alias of some lists, normalised and indexed once for fast searching."""

    def __init__(
        self, lists: Iterable[Watchlist] = (), *, state: Mapping[str, Any] | None = None
    ) -> None:
        """Index `lists` (or adopt a `state` from `export_state()` of the same lists)."""
        self.lists: tuple[Watchlist, ...] = tuple(lists)
        # Entries of every list end to end; `_list_starts` says where each list begins.
        self.entries: list[WatchlistEntry] = list(
            itertools.chain.from_iterable(wl.entries for wl in self.lists)
        )
        self._list_starts = list(
            itertools.accumulate((len(wl.entries) for wl in self.lists), initial=0)
        )
        self._kinds: dict[EntityKind, _KindIndex] = {}
        self._numbers: dict[str, list[int]] | None = None  # built on first number lookup
        if state is not None:
            self._adopt(state)
        else:
            self._build()

    def _by_number(self, facts: Evidence, kind: EntityKind | None) -> list[int]:
        """Entries holding the query's document or registration number, whatever the name.

        A number is decisive evidence (same passport, same company registration), so these
        entries are candidates even when the name was changed or not given at all.
        """
        wanted = {
            _clean_number(facts.document_number),
            _clean_number(facts.registration_number),
        }
        wanted.discard("")
        if not wanted:
            return []
        if self._numbers is None:
            numbers: dict[str, list[int]] = {}
            for pos, entry in enumerate(self.entries):
                for raw in (*entry.document_numbers, *entry.registration_numbers):
                    number = _clean_number(raw)
                    if number:
                        numbers.setdefault(number, []).append(pos)
            self._numbers = numbers
        found = {pos for number in wanted for pos in self._numbers.get(number, ())}
        return sorted(p for p in found if kind is None or self.entries[p].kind is kind)

    def _number_match(self, pos: int, query: str, strong: float) -> Match:
        entry = self.entries[pos]
        list_name = self.lists[bisect.bisect_right(self._list_starts, pos) - 1].info.name
        explanation = Comparison("document_number", document_number).explanation
        return Match(
            list_name=list_name,
            entry=entry,
            query=query,
            matched_name=entry.name,
            score=100.0,
            strength=MatchStrength.STRONG if strong <= 100.0 else None,
            explanation=(f"{explanation} (found by the number, whatever the name)",),
        )

    def _build(self) -> None:
        per_kind: dict[EntityKind, list[_Indexed]] = {k: [] for k in EntityKind}
        counts: dict[EntityKind, int] = dict.fromkeys(EntityKind, 0)
        for pos, entry in enumerate(self.entries):
            kind = entry.kind
            counts[kind] += 1
            bucket = per_kind[kind]
            surface, tokens = index_tokens(entry.name, kind)
            if tokens:
                bucket.append((surface, tokens, pos, -1))
            if not entry.aliases and not entry.weak_aliases:
                continue
            seen = {tokens}
            named = [
                *((a, i) for i, a in enumerate(entry.aliases)),
                *((a, -2 - i) for i, a in enumerate(entry.weak_aliases)),
            ]
            for text, code in named:
                surface, tokens = index_tokens(text, kind)
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                bucket.append((surface, tokens, pos, code))
        for kind, names in per_kind.items():
            if names:
                self._kinds[kind] = _KindIndex.build(kind, names, counts[kind])

    # -- cache support (index_cache.py stores and restores these arrays) -----------------------

    def export_state(self) -> dict[str, Any]:
        """The derived arrays, as numpy arrays and UTF-8 byte arrays, keyed by name."""
        state: dict[str, Any] = {"version": np.asarray([INDEX_FORMAT_VERSION])}
        for kind, sub in self._kinds.items():
            p = f"{kind.value}."
            for name in ("skel", "surf"):
                strings: _Strings = getattr(sub, name)
                state[p + name] = np.frombuffer(strings.blob.encode("utf-8"), dtype=np.uint8)
                state[p + name + "_starts"] = strings.starts
            state[p + "vocab"] = _pack(sub.vocab)
            for name in _STATE_ARRAYS:
                state[p + name] = getattr(sub, name)
        return state

    def _adopt(self, state: Mapping[str, Any]) -> None:
        if int(state["version"][0]) != INDEX_FORMAT_VERSION:
            msg = "index state has another format version"
            raise ValueError(msg)
        for kind in EntityKind:
            p = f"{kind.value}."
            if p + "skel" not in state:
                continue
            self._kinds[kind] = _KindIndex(
                kind=kind,
                skel=_Strings(_text(state[p + "skel"]), state[p + "skel_starts"]),
                surf=_Strings(_text(state[p + "surf"]), state[p + "surf_starts"]),
                vocab=_unpack(state[p + "vocab"]),
                **{name: state[p + name] for name in _STATE_ARRAYS},
            )
            if int(self._kinds[kind].name_entry.max(initial=-1)) >= len(self.entries):
                msg = "index state does not belong to these lists"
                raise ValueError(msg)

    @property
    def name_count(self) -> int:
        """How many distinct normalised names are indexed."""
        return sum(len(sub.skel) for sub in self._kinds.values())

    # -- searching -----------------------------------------------------------------------------

    def search(
        self,
        name: str,
        *,
        kind: EntityKind | None = None,
        evidence: Mapping[str, str] | Evidence | None = None,
        possible: float | None = None,
        strong: float | None = None,
        limit: int = 10,
        min_score: float | None = None,
    ) -> tuple[Match, ...]:
        """Ranked candidates for `name`, best first, each with its explanation.

        Only candidates scoring at least `min_score` (default: the `possible` threshold) are
        returned. `strength` is STRONG from `strong`, POSSIBLE from `possible`, else None.
        """
        possible_t = DEFAULT_POSSIBLE if possible is None else possible
        strong_t = DEFAULT_STRONG if strong is None else strong
        floor = possible_t if min_score is None else min_score
        facts = evidence if isinstance(evidence, Evidence) else evidence_from_mapping(evidence)
        key = normalize_name(name, kind)
        if key.empty:
            return ()
        kinds = [kind] if kind is not None else list(self._kinds)
        scored: list[tuple[float, int, Match]] = []
        for k in kinds:
            sub = self._kinds.get(k)
            if sub is None:
                continue
            key_k = key if kind is not None else normalize_name(name, k)
            if key_k.empty:
                continue
            scored.extend(
                self._search_kind(
                    sub,
                    key_k,
                    facts=facts,
                    floor=floor,
                    possible=possible_t,
                    strong=strong_t,
                    limit=limit,
                )
            )
        scored.extend(
            (100.0, pos, self._number_match(pos, name, strong_t))
            for pos in self._by_number(facts, kind)
        )
        best: dict[int, tuple[float, int, Match]] = {}
        for item in scored:
            pos = item[1]
            if pos not in best or item[0] > best[pos][0]:
                best[pos] = item
        # Equal scores: a match on an entry's primary name ranks before a match on an alias.
        ranked = sorted(
            best.values(),
            key=lambda t: (-round(t[0], 1), t[2].matched_name != t[2].entry.name, t[1]),
        )
        return tuple(m for _, _, m in ranked[:limit])

    def _search_kind(
        self,
        sub: _KindIndex,
        key: NameKey,
        *,
        facts: Evidence,
        floor: float,
        possible: float,
        strong: float,
        limit: int,
    ) -> list[tuple[float, int, Match]]:
        is_person = sub.kind is EntityKind.PERSON
        q_initial = tuple(len(s) == 1 and is_person for s in key.surface)
        q_weights = sub.query_weights(key, q_initial)
        cands = sub.candidates(key, q_initial, _CANDIDATES)
        if len(cands) == 0:
            return []
        column: dict[tuple[str, str], int] = {}
        cand_cols: list[list[int]] = []
        cand_tokens: list[tuple[str, ...]] = []
        cand_surface: list[tuple[str, ...]] = []
        for c in cands.tolist():
            tokens = tuple(sub.skel[c].split(" "))
            surface = tuple(sub.surf[c].split(" "))
            cand_tokens.append(tokens)
            cand_surface.append(surface)
            cand_cols.append(
                [column.setdefault(pair, len(column)) for pair in zip(tokens, surface, strict=True)]
            )
        col_tokens = [t for t, _ in column]
        col_weights = sub.token_weights(col_tokens)
        sims, hows = _similarity_matrix(
            key, q_initial, col_tokens, [w for _, w in column], initials=is_person
        )
        per_entry: dict[int, tuple[float, _Context, int]] = {}
        for c, tokens, surface, cols in zip(
            cands.tolist(), cand_tokens, cand_surface, cand_cols, strict=True
        ):
            ctx = _Context(
                query=key,
                cand_surface=surface,
                cand_tokens=tokens,
                cand_weights=tuple(col_weights[k] for k in cols),
                query_weights=q_weights,
                pairs=_align(key, tokens, sims, hows, cols),
                weak_alias=int(sub.name_alias[c]) <= -2,
            )
            for comparison in _NAME_STAGE:
                value = comparison.apply(ctx)
                if value is not None:
                    ctx.score = value
                    if comparison.apply is name_tokens:
                        ctx.name_score = value
                    elif comparison.apply is not weak_alias:
                        ctx.capped_by.append(comparison)
            pos = int(sub.name_entry[c])
            if pos not in per_entry or ctx.score > per_entry[pos][0]:
                per_entry[pos] = (ctx.score, ctx, c)
        scored: list[tuple[float, int, _Context, int, list[str]]] = []
        has_evidence = facts != _NO_EVIDENCE
        for pos, (_score, ctx, c) in per_entry.items():
            ctx.entry = self.entries[pos]
            ctx.evidence = facts
            notes: list[str] = []
            for comparison in _EVIDENCE_STAGE if has_evidence else ():
                before = ctx.score
                value = comparison.apply(ctx)
                if value is not None:
                    ctx.score = value
                    change = value - before
                    effect = f"{change:+.0f}" if round(change) else "score unchanged"
                    notes.append(f"{comparison.explanation} ({effect})")
            if round(ctx.score, 1) >= floor:
                scored.append((ctx.score, pos, ctx, c, notes))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [
            (
                score,
                pos,
                self._match(
                    sub, key, ctx, c, evidence_notes=notes, possible=possible, strong=strong
                ),
            )
            for score, pos, ctx, c, notes in scored[:limit]
        ]

    def _match(
        self,
        sub: _KindIndex,
        key: NameKey,
        ctx: _Context,
        c: int,
        *,
        evidence_notes: list[str],
        possible: float,
        strong: float,
    ) -> Match:
        """The `Match` for one scored candidate, with its explanation lines."""
        pos = int(sub.name_entry[c])
        entry = self.entries[pos]
        list_name = self.lists[bisect.bisect_right(self._list_starts, pos) - 1].info.name
        notes = [f"{_NAME_EXPLANATION}: {ctx.name_score:.0f} ({_describe_pairs(ctx)})"]
        notes.extend(c.explanation for c in ctx.capped_by)
        if ctx.weak_alias:
            notes.append(Comparison("weak_alias", weak_alias).explanation)
        notes.extend(evidence_notes)
        notes.extend(_flag_notes(key))
        score = round(ctx.score, 1)  # the strength follows the score as shown
        strength = (
            MatchStrength.STRONG
            if score >= strong
            else MatchStrength.POSSIBLE
            if score >= possible
            else None
        )
        alias = int(sub.name_alias[c])
        matched = (
            entry.name
            if alias == -1
            else entry.aliases[alias]
            if alias >= 0
            else entry.weak_aliases[-2 - alias]
        )
        return Match(
            list_name=list_name,
            entry=entry,
            query=key.original,
            matched_name=matched,
            score=score,
            strength=strength,
            explanation=tuple(notes),
        )


_NAME_EXPLANATION = "Name agreement"

_FLAG_NOTES = {
    NameFlag.MIXED_SCRIPT: "The query mixes Latin with Cyrillic/Greek letters (mixed_script).",
    NameFlag.CONFUSABLES_FOLDED: "Look-alike letters in the query were read as Latin.",
    NameFlag.INVISIBLE_REMOVED: "Invisible or control characters were removed from the query.",
    NameFlag.MRZ_TRUNCATED: "The MRZ name field is full: its last name may be cut short.",
    NameFlag.REPEATED_SINGLE_NAME: "A single name fills both MRZ name fields.",
    NameFlag.TITLES_REMOVED: "Titles or honorifics were ignored.",
}


def _flag_notes(key: NameKey) -> list[str]:
    notes = [text for flag, text in _FLAG_NOTES.items() if flag in key.flags]
    if key.legal_form:
        notes.append(f"Legal form set apart: {key.legal_form}.")
    return notes


class _Strings:
    """Many short strings kept as one text and start offsets (no million Python objects)."""

    __slots__ = ("blob", "starts")

    def __init__(self, blob: str, starts: _Array) -> None:
        """`starts[i]` is where string i begins; strings are separated by one newline."""
        self.blob = blob
        self.starts = starts

    @classmethod
    def of(cls, strings: list[str]) -> _Strings:
        """Pack `strings` (which contain no newline)."""
        lengths = np.fromiter((len(x) + 1 for x in strings), dtype=np.int64, count=len(strings))
        starts = np.zeros(len(strings) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        return cls("\n".join(strings), starts)

    def __len__(self) -> int:
        """How many strings."""
        return len(self.starts) - 1

    def __getitem__(self, index: int) -> str:
        """String `index`."""
        return self.blob[int(self.starts[index]) : int(self.starts[index + 1]) - 1]


def _text(data: _Array) -> str:
    return bytes(np.asarray(data, dtype=np.uint8)).decode("utf-8")


def _pack(strings: list[str]) -> _Array:
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def _unpack(data: _Array) -> list[str]:
    text = bytes(np.asarray(data, dtype=np.uint8)).decode("utf-8")
    return text.split("\n") if text else []
