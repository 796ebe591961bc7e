"""Properties of name normalisation and matching over generated names (small budget)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching import MatchIndex
from screening.model import EntityKind, ListInfo, ListRole, Watchlist, WatchlistEntry
from screening.names import index_tokens, normalize_name

pytestmark = pytest.mark.property

_WORDS = st.text(alphabet="ABCDEFGHIJKLMNOPRSTUWYZ", min_size=2, max_size=10)
_NAMES = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_KINDS = st.sampled_from([EntityKind.PERSON, EntityKind.ORGANIZATION, None])

_LISTED = (
    "Suparman",
    "Muhammad Rizal Rekaan",
    "Siti Khayalan",
    "Bambang Soeharjo Rekaan",
    "Abdul Karim Percobaan",
    "Dewi Anggraini Sampel",
    "Yusuf Teladan",
    "Wiji Joko Santoso",
    "Agus Salim Khayalan",
    "Nur Hidayah Percobaan",
)


def _index() -> MatchIndex:
    entries = tuple(
        WatchlistEntry(id=f"p{i}", kind=EntityKind.PERSON, name=name)
        for i, name in enumerate(_LISTED)
    )
    info = ListInfo("props", "-", ListRole.WATCHLIST, len(entries), "props", 0.0, stale=False)
    return MatchIndex([Watchlist(info=info, entries=entries)])


_INDEX = _index()


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80), kind=_KINDS)
def test_any_text_normalises_without_error(text: str, kind: EntityKind | None) -> None:
    """Arbitrary Unicode gives tokens that are non-empty, whitespace-free and aligned."""
    key = normalize_name(text, kind)
    assert len(key.tokens) == len(key.surface)
    for token in key.tokens:
        assert token
        assert not any(ch.isspace() for ch in token)


@settings(max_examples=100, deadline=None)
@given(name=_NAMES, kind=_KINDS)
def test_case_invisible_characters_and_fullwidth_do_not_matter(
    name: str, kind: EntityKind | None
) -> None:
    """Lower case, zero-width characters and fullwidth forms give the same tokens."""
    base = normalize_name(name, kind).tokens
    assert normalize_name(name.lower(), kind).tokens == base
    assert normalize_name("\u200b".join(name), kind).tokens == base
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "A" <= c <= "Z" else c for c in name)
    assert normalize_name(fullwidth, kind).tokens == base


@settings(max_examples=100, deadline=None)
@given(name=_NAMES)
def test_normalising_the_normal_form_changes_nothing(name: str) -> None:
    """The readable normal form normalises to the same tokens (idempotence)."""
    key = normalize_name(name, EntityKind.PERSON)
    assert normalize_name(key.text, EntityKind.PERSON).tokens == key.tokens


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=len(_LISTED) - 1), lower=st.booleans())
def test_a_listed_name_finds_itself_first_with_a_full_score(position: int, *, lower: bool) -> None:
    """Searching a listed name returns that entry at rank 1 with score 100."""
    name = _LISTED[position]
    found = _INDEX.search(name.lower() if lower else name, kind=EntityKind.PERSON)
    assert found
    assert found[0].entry.id == f"p{position}"
    assert found[0].score == 100.0


@settings(max_examples=100, deadline=None)
@given(name=_NAMES)
def test_scores_stay_between_0_and_100(name: str) -> None:
    """Every candidate score is within 0-100 and candidates come best first."""
    found = _INDEX.search(name, kind=EntityKind.PERSON, min_score=0.0, limit=10)
    scores = [m.score for m in found]
    assert all(0.0 <= s <= 100.0 for s in scores)
    assert scores == sorted(scores, reverse=True)


_PLAIN_NAMES = st.lists(
    st.sampled_from(
        ["PT", "CV", "TBK", "CO", "LTD", "H", "HAJI", "DR", "SE", "AND", "DAN", "SA", "DE",
         "Siti", "MAJU", "JAYA", "Rekaan", "Muhammad", "bin", "X", "AL", "HAMBALI", "AL-TURKI",
         "BA'ASYIR", "-", "'", "O'BRIEN", "ABU-", "-PT", "H.", "S.PD", "P.T.", "CO.", "LTD.",
         "S.A.", "DE", "C.V.", "HJ.", "M.", "A.B", "DRS.H.IDRIS", ".", "&", "(USA)", "99TH", "A/B",
         "2", "CO.(LTD)", "X&Y"]
    )
    | _WORDS,
    min_size=0,
    max_size=5,
).flatmap(
    lambda words: st.sampled_from(
        [" ".join(words), ", ".join([*words[:1], " ".join(words[1:])]), " ".join(words) + ","]
    )
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=_PLAIN_NAMES, kind=st.sampled_from([EntityKind.PERSON, EntityKind.ORGANIZATION]))
def test_the_index_short_path_agrees_with_normalize_name(text: str, kind: EntityKind) -> None:
    """`index_tokens` (the index builder's short path) gives what `normalize_name` gives."""
    key = normalize_name(text, kind)
    expected = ((), ()) if key.empty else (key.surface, key.tokens)
    assert index_tokens(text, kind) == expected
