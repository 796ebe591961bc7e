# ruff: noqa: RUF001, RUF003 - look-alike letters are the subject of these tests
"""Name matching (`screening.matching`): must-match / must-not-match tables, rankings, evidence,
explanations (golden file) and the on-disk index cache.

Every entry below is invented (specimen words such as Rekaan, Contoh, Sampel, Teladan). The
list is large enough for the frequency-based weights to mean something: generic agency words
(Wisata, Travel, Mandiri, Berkah) and common given names (Muhammad, Abdul) occur many times.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest

from screening.index_cache import cache_key, load_index
from screening.matching import (
    COMPARISONS,
    DEFAULT_POSSIBLE,
    DEFAULT_STRONG,
    MatchIndex,
    token_similarity,
)
from screening.model import (
    EntityKind,
    ListInfo,
    ListRole,
    MatchStrength,
    Watchlist,
    WatchlistEntry,
)

DATA = Path(__file__).parent / "data"
PERSON = EntityKind.PERSON
ORG = EntityKind.ORGANIZATION

_PEOPLE = [
    # id, name, aliases, dob, nationality, documents
    ("p01", "Suparman", ("H. Suparman", "Soeparman"), ("1971-05-09",), ("IDN",), ("X0000017",)),
    ("p02", "Muhammad Rizal Rekaan", ("M. Rizal Rekaan",), ("1984-11-23",), ("IDN",), ()),
    ("p03", "Siti Khayalan", ("Hj. Siti Khayalan",), ("1979",), ("IDN",), ()),
    ("p04", "Bambang Soeharjo Rekaan", (), ("1968-01-30",), ("IDN",), ("X0000033",)),
    ("p05", "Abdul Karim Percobaan", ("Abd. Karim Percobaan",), ("1975-08-15",), ("IDN",), ()),
    ("p06", "Dewi Anggraini Sampel", (), ("1990-02-11",), ("IDN",), ()),
    ("p07", "Yusuf Teladan", ("Yousef Teladan",), ("1982",), ("IDN",), ()),
    ("p08", "Muhammad Dandi Adhirekaan", (), (), ("IDN",), ()),
    ("p09", "Wiji Joko Santoso", (), (), ("IDN",), ()),
    ("p10", "Aris Sumarsono", (), (), ("IDN",), ()),
    ("p11", "Hambalirekaan", (), (), ("IDN",), ()),
    ("p12", "Teladan, Ahmad Fauzi", (), (), (), ()),
    ("p13", "Muhammad Abdul Rahman Contoh", (), (), (), ()),
    ("p14", "Abdul Rahman Sampel", (), (), (), ()),
    ("p15", "Muhammad Yusuf Fiktif", (), (), (), ()),
    ("p16", "Nur Hidayah Percobaan", (), (), (), ()),
    ("p17", "Agus Salim Khayalan", (), (), (), ()),
    ("p18", "Muhammad Iqbal Rekaan", (), (), (), ()),
    ("p19", "Abdul Aziz Teladan", (), (), (), ()),
    ("p20", "Ahmad Muhammad Fiktif", (), (), (), ()),
    ("p21", "Gaffar Elrekaan", (), (), (), ()),
    ("p22", "Gaffar Elrekaan Muhammad", (), (), (), ()),
    ("p23", "Umar Percobaanpatek", ("Percobaanpatek",), (), (), ()),
]
_ORGS = [
    ("o01", "PT Berkah Sampel Mandiri Tour & Travel", ("PT. Berkah Sampel Mandiri",)),
    ("o02", "CV Maju Jaya Rekaan", ("Maju Jaya Rekaan",)),
    ("o03", "PT Sinar Khayalan Sejahtera", ()),
    ("o04", "PT Wisata Contoh Abadi", ()),
    ("o05", "PT Mandiri Wisata Teladan", ()),
    ("o06", "PT Berkah Wisata Fiktif", ()),
    ("o07", "PT Travel Mandiri Percobaan", ()),
    ("o08", "Yayasan Amal Rekaan", ()),
    ("o09", "Rekaan Trading Co., Ltd.", ()),
    ("o10", "Inmobiliaria Rekaan S.A. de C.V.", ()),
    ("o11", "PT Berkah Travel Sejahtera Sampel", ()),
    ("o12", "PT Wisata Berkah Mandiri Contoh", ()),
    ("o13", "PT Sejahtera Tour Khayalan", ()),
    ("o14", "CV Mandiri Jaya Teladan", ()),
    ("o15", "PT Umroh Berkah Wisata Percobaan", ()),
]


def _list(
    name: str, entries: list[WatchlistEntry], role: ListRole = ListRole.WATCHLIST
) -> Watchlist:
    info = ListInfo(
        name=name,
        path=f"{name}.csv",
        role=role,
        entries=len(entries),
        sha256=f"test-{name}-{len(entries)}",
        age_days=1.0,
        stale=False,
    )
    return Watchlist(info=info, entries=tuple(entries))


def _entries() -> list[WatchlistEntry]:
    people = [
        WatchlistEntry(
            id=i, kind=PERSON, name=n, aliases=a, dob=d, nationality=c, document_numbers=docs
        )
        for i, n, a, d, c, docs in _PEOPLE
    ]
    orgs = [WatchlistEntry(id=i, kind=ORG, name=n, aliases=a) for i, n, a in _ORGS]
    weak = WatchlistEntry(
        id="p90", kind=PERSON, name="Kurniawan Rekaan Contoh", weak_aliases=("Kurniawan",)
    )
    return [*people, *orgs, weak]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex([_list("flagged", _entries())])


def top(index: MatchIndex, query: str, kind: EntityKind | None = PERSON, **kw: object):
    found = index.search(query, kind=kind, min_score=0.0, limit=5, **kw)  # type: ignore[arg-type]
    return found[0] if found else None


# --- must match ---------------------------------------------------------------------------------

MUST_MATCH = [
    # (rule, query, kind, expected id)
    ("exact", "Suparman", PERSON, "p01"),
    ("case and spaces", "  suparman ", PERSON, "p01"),
    ("honorific", "H. Suparman", PERSON, "p01"),
    ("oe spelling", "Soeparman", PERSON, "p01"),
    ("muhammad variant", "Mochammad Rizal Rekaan", PERSON, "p02"),
    ("mohd abbreviation", "Mohd Rizal Rekaan", PERSON, "p02"),
    ("initial", "M. Rizal Rekaan", PERSON, "p02"),
    ("word order", "Rekaan Muhammad Rizal", PERSON, "p02"),
    ("ofac order", "REKAAN, Muhammad Rizal", PERSON, "p02"),
    ("mrz", "REKAAN<<MUHAMMAD<RIZAL<<<<<<<<<<<<<<<<<", PERSON, "p02"),
    ("mrz truncated", "ADHIREKAAN<<MUHAMMAD<DANDI<<<<<<<<<<<<<", PERSON, "p08"),
    ("joined given names", "MUHAMMADDANDI ADHIREKAAN", PERSON, "p08"),
    ("joined given names 2", "Wijijoko Santoso", PERSON, "p09"),
    ("dj spelling", "Wiji Djoko Santoso", PERSON, "p09"),
    ("oe/u", "Aris Soemarsono", PERSON, "p10"),
    ("typo", "Aris Sumarsomo", PERSON, "p10"),
    ("transposition", "Bambang Soehajro Rekaan", PERSON, "p04"),
    ("two typos, same first letter", "Yusuf Telodam", PERSON, "p07"),
    ("abd", "Abd Karim Percobaan", PERSON, "p05"),
    ("yusuf variant", "Yusup Teladan", PERSON, "p07"),
    ("mononym mrz", "HAMBALIREKAAN<<<<<<<<<<<<<<<<<<<<<<<<<<", PERSON, "p11"),
    ("mononym repeated", "HAMBALIREKAAN<<HAMBALIREKAAN<<<<<<<<<<<<", PERSON, "p11"),
    ("one-word alias alone", "Percobaanpatek", PERSON, "p23"),
    ("fullwidth", "ＳＵＰＡＲＭＡＮ", PERSON, "p01"),
    ("zero width", "Supar\u200bman", PERSON, "p01"),
    ("cyrillic look-alike", "Suparmаn", PERSON, "p01"),  # Cyrillic а
    ("diacritics", "Sìti Khâyalan", PERSON, "p03"),
    ("missing middle name", "Dewi Sampel", PERSON, "p06"),
    ("pt variants", "P.T. Sinar Khayalan Sejahtera", ORG, "o03"),
    ("pt at end", "SINAR KHAYALAN SEJAHTERA, PT", ORG, "o03"),
    ("legal form dropped", "Sinar Khayalan Sejahtera", ORG, "o03"),
    ("legal form changed", "CV Sinar Khayalan Sejahtera", ORG, "o03"),
    ("tbk", "PT Sinar Khayalan Sejahtera Tbk", ORG, "o03"),
    ("ampersand dan", "PT Berkah Sampel Mandiri Tour dan Travel", ORG, "o01"),
    ("joined company name", "MAJUJAYA REKAAN", ORG, "o02"),
    ("co ltd", "Rekaan Trading Company Limited", ORG, "o09"),
    ("sa de cv", "INMOBILIARIA REKAAN SA DE CV", ORG, "o10"),
    ("org typo", "PT Sinar Khayalam Sejahtera", ORG, "o03"),
    ("cyrillic in company", "РТ Sinar Khayalan Sejahtera", ORG, "o03"),
]


@pytest.mark.parametrize(
    ("rule", "query", "kind", "expected"), MUST_MATCH, ids=[m[0] for m in MUST_MATCH]
)
def test_must_match(
    index: MatchIndex, rule: str, query: str, kind: EntityKind, expected: str
) -> None:
    """Each normalisation rule lets the listed entity come first and reach the possible threshold."""
    found = top(index, query, kind)
    assert found is not None, rule
    assert found.entry.id == expected, (rule, found.entry.id, found.explanation)
    assert found.score >= DEFAULT_POSSIBLE, (rule, found.score, found.explanation)


# --- must not match -----------------------------------------------------------------------------

MUST_NOT_MATCH = [
    ("same surname, other given name", "Taufik Rekaan", PERSON),
    ("shared given names only", "Muhammad Abdul", PERSON),
    ("relative: same surname, shared common name", "Muhammad Rekaan", PERSON),
    ("recombined given + surname", "Yusuf Sumarsono", PERSON),
    ("recombined 2", "Dewi Santoso", PERSON),
    ("two edits and another first letter", "Abdul Hakim Percobaan", PERSON),
    ("other person, same first name", "Suparman Wijaya Kusuma", PERSON),
    ("unrelated", "Lukas Hendrawan", PERSON),
    ("mrz other given name", "SUMARSONO<<TAUFIK<<<<<<<<<<<<<<<<<<<<<<", PERSON),
    ("generic agency words only", "PT Berkah Wisata Mandiri", ORG),
    ("generic + other name", "PT Berkah Mandiri Wisata Nusantara Indah", ORG),
    ("shares one distinctive word", "PT Sinar Terang Abadi", ORG),
    ("legal form only", "PT", ORG),
    ("legal form only 2", "CV", ORG),
    ("legal form only 3", "Tbk", ORG),
    ("legal form only 4", "CORP", ORG),
    ("shared legal form", "PT Lain Sekali", ORG),
    ("weak alias alone", "Kurniawan", PERSON),
    ("one-word alias, other given name", "Abdullah Percobaanpatek", PERSON),
]


@pytest.mark.parametrize(
    ("rule", "query", "kind"), MUST_NOT_MATCH, ids=[m[0] for m in MUST_NOT_MATCH]
)
def test_must_not_match(index: MatchIndex, rule: str, query: str, kind: EntityKind) -> None:
    """Look-alikes, relatives, generic words and bare legal forms stay below the strong threshold
    (and, except the weak alias, below the possible threshold)."""
    found = index.search(query, kind=kind, limit=3)
    strong = [m for m in found if m.strength is MatchStrength.STRONG]
    assert not strong, (rule, [(m.entry.id, m.score, m.explanation) for m in strong])
    if rule != "weak alias alone":
        assert not found, (rule, [(m.entry.id, m.score, m.explanation) for m in found])


def test_a_weak_alias_alone_is_at_most_possible(index: MatchIndex) -> None:
    """A match on a weak alias is capped below strong and says so in the explanation."""
    found = top(index, "Kurniawan")
    assert found is not None
    assert found.entry.id == "p90"
    assert found.score < DEFAULT_STRONG
    assert any("weak" in line for line in found.explanation)


# --- rankings -----------------------------------------------------------------------------------

RANKINGS = [
    # query, kind, better, worse
    ("Gaffar Elrekaan", PERSON, "p21", "p22"),
    ("Gaffar Elrekaan Muhammad", PERSON, "p22", "p21"),
    ("Abdul Rahman Sampel", PERSON, "p14", "p13"),
    ("Muhammad Abdul Rahman Contoh", PERSON, "p13", "p14"),
    ("Muhammad Yusuf Fiktif", PERSON, "p15", "p20"),
    ("PT Berkah Sampel Mandiri", ORG, "o01", "o11"),
    ("PT Wisata Contoh Abadi", ORG, "o04", "o12"),
]


@pytest.mark.parametrize(("query", "kind", "better", "worse"), RANKINGS)
def test_the_right_entity_outranks_a_look_alike(
    index: MatchIndex, query: str, kind: EntityKind, better: str, worse: str
) -> None:
    """The entity whose name fits best scores strictly higher than its look-alike."""
    scores = {m.entry.id: m.score for m in index.search(query, kind=kind, min_score=0, limit=20)}
    assert better in scores
    assert scores[better] > scores.get(worse, -1.0), scores


def test_golden_rankings_csv(index: MatchIndex) -> None:
    """tests/data/name_rankings.csv: the expected top entity (or none) for each query."""
    with (DATA / "name_rankings.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    assert rows
    for row in rows:
        kind = EntityKind(row["kind"])
        found = index.search(row["query"], kind=kind, limit=1)
        got = found[0].entry.id if found else ""
        assert got == row["expected_top"], (row, found[:1])


# --- evidence -----------------------------------------------------------------------------------


def test_an_exact_document_number_is_decisive(index: MatchIndex) -> None:
    """Same passport number: the score becomes 100 even with a weaker name match."""
    plain = top(index, "Suparman Wijaya")
    with_doc = top(index, "Suparman Wijaya", evidence={"document_number": "X0000017"})
    assert with_doc is not None
    assert with_doc.entry.id == "p01"
    assert with_doc.score == 100.0
    assert plain is None or plain.score < 100.0
    assert any("document" in line.lower() for line in with_doc.explanation)


def test_matching_birth_date_raises_and_a_different_one_lowers(index: MatchIndex) -> None:
    """Date of birth agreeing raises the score; a date years apart lowers it."""
    base = top(index, "Dewi Sampel")
    same = top(index, "Dewi Sampel", evidence={"dob": "1990-02-11"})
    other = top(index, "Dewi Sampel", evidence={"dob": "1955-07-01"})
    assert base is not None
    assert same is not None
    assert other is not None
    assert same.score > base.score > other.score
    assert any("birth" in line.lower() for line in other.explanation)


def test_nationality_agrees_or_differs(index: MatchIndex) -> None:
    """Nationality agreeing raises the score a little; a different ICAO code lowers it."""
    base = top(index, "Dewi Sampel")
    same = top(index, "Dewi Sampel", evidence={"nationality": "IDN"})
    other = top(index, "Dewi Sampel", evidence={"nationality": "MYS"})
    assert base is not None
    assert same is not None
    assert other is not None
    assert same.score >= base.score > other.score


def test_evidence_absent_on_the_list_changes_nothing(index: MatchIndex) -> None:
    """Evidence only counts when both sides have it."""
    base = top(index, "Agus Salim Khayalan")
    with_dob = top(index, "Agus Salim Khayalan", evidence={"dob": "1960-01-01"})
    assert base is not None
    assert with_dob is not None
    assert base.score == with_dob.score


# --- thresholds, output shape, explanations ---------------------------------------------------


def test_thresholds_are_arguments(index: MatchIndex) -> None:
    """`possible` and `strong` decide the strength; nothing below `possible` is returned."""
    found = index.search("Dewi Sampel", kind=PERSON, possible=50, strong=99.9)
    assert found
    assert found[0].strength is MatchStrength.POSSIBLE
    found = index.search("Dewi Sampel", kind=PERSON, possible=50, strong=60)
    assert found[0].strength is MatchStrength.STRONG
    assert index.search("Dewi Sampel", kind=PERSON, possible=99.9, strong=99.95) == ()


def test_a_match_names_its_list_entry_and_matched_alias(index: MatchIndex) -> None:
    """The match carries the list name, the entry and which of its names matched."""
    found = top(index, "Yousef Teladan")
    assert found is not None
    assert found.list_name == "flagged"
    assert found.entry.id == "p07"
    assert found.matched_name in {"Yusuf Teladan", "Yousef Teladan"}
    assert found.query == "Yousef Teladan"


def test_without_kind_both_kinds_are_searched(index: MatchIndex) -> None:
    """kind=None searches persons and organisations."""
    ids = {m.entry.id for m in index.search("Sinar Khayalan Sejahtera", limit=5)}
    assert "o03" in ids


def test_every_comparison_has_a_docstring() -> None:
    """Each scoring function's docstring is the explanation shown to the officer."""
    for comparison in COMPARISONS:
        assert comparison.apply.__doc__, comparison.name
        assert comparison.explanation.endswith("."), comparison.name


def test_golden_explanations(index: MatchIndex) -> None:
    """Explanations stay as reviewed in tests/data/match_explanations.json.

    Regenerate deliberately with SCREENING_REGEN_GOLDEN=1 and review the diff.
    """
    queries = [
        ("Mochammad Rizal Rekaan", "person", {}),
        ("M. Rizal Rekaan", "person", {}),
        ("MUHAMMADDANDI ADHIREKAAN", "person", {}),
        ("ADHIREKAAN<<MUHAMMAD<DANDI<<<<<<<<<<<<<", "person", {}),
        ("Suparman Wijaya", "person", {"document_number": "X0000017"}),
        ("Dewi Sampel", "person", {"dob": "1955-07-01", "nationality": "MYS"}),
        ("РТ Sinar Khayalan Sejahtera", "organization", {}),
    ]
    got = {}
    for query, kind, evidence in queries:
        found = index.search(query, kind=EntityKind(kind), evidence=evidence, min_score=0, limit=1)
        got[query] = {
            "id": found[0].entry.id,
            "score": found[0].score,
            "explanation": list(found[0].explanation),
        }
    path = DATA / "match_explanations.json"
    if os.environ.get("SCREENING_REGEN_GOLDEN") == "1":
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("SANTOSO", "SANTOSO", True),
        ("SANTOSO", "SNTOSO", True),  # one deletion
        ("JOSE", "JSOE", True),  # transposition counts once
        ("ARIS", "ARIF", True),  # one edit allowed at 4 letters ...
        ("ALI", "ALY", False),  # ... but none at 3
        ("ARIS", "YARE", False),
        ("KARIM", "KASIM", True),
        ("KARIM", "HAKIM", False),  # two edits and another first letter: another name
        ("SERENA", "SERNRA", True),  # two typos, same first letter, five letters or more
        ("AYKUT", "AKYJT", True),
        ("ASMA", "AHMAD", False),  # ... but not when one side is shorter than five
        ("KHALIFA", "KHALFAN", True),
        ("MUSTAFA", "NUSTAFI", False),  # two edits and the first letter changed
        ("KURNIAWAN", "GURNIAWAM", True),  # eight letters or more: two edits, any start
    ],
)
def test_token_similarity_allows_edits_by_length(a: str, b: str, *, similar: bool) -> None:
    """Tokens pair only within the edits their lengths allow: none up to 3 letters; two when
    both have 8 or more, or 5 or more and the same first letter; otherwise one."""
    assert (token_similarity(a, b) > 0) is similar


def test_joined_names_get_no_extra_typo_for_a_shared_first_letter() -> None:
    """A joined run (AL SURI) is compared with one edit at most below 8 letters, so ANSHORI
    (skeleton ANSHURI) does not become AL-SURI."""
    assert token_similarity("ANSHURI", "ALSURI") > 0
    assert token_similarity("ANSHURI", "ALSURI", same_start=False) == 0


def test_empty_and_junk_queries_return_nothing(index: MatchIndex) -> None:
    """Junk never raises and never matches."""
    for query in ("", "   ", "<<<", "\x1b[2J", "🙂", "PT", "P.T.", "X" * 5000, "Z" * 40):
        assert index.search(query, kind=ORG) == ()
        assert index.search(query) == ()


def test_an_empty_list_matches_nothing() -> None:
    """An index of no entries answers every query with no candidate."""
    empty = MatchIndex([_list("empty", [])])
    assert empty.search("Suparman", kind=PERSON) == ()


# --- the index cache ----------------------------------------------------------------------------


def test_cache_round_trip_gives_the_same_answers(tmp_path: Path) -> None:
    """A reloaded index answers exactly like the freshly built one; the file is private."""
    lists = [_list("flagged", _entries())]
    built = load_index(lists, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    reloaded = load_index(lists, cache_dir=tmp_path)
    for query, kind, _ in [(q, k, e) for _, q, k, e in MUST_MATCH]:
        assert built.search(query, kind=kind) == reloaded.search(query, kind=kind)


def test_cache_key_changes_with_the_list(tmp_path: Path) -> None:
    """Another list content (or file hash) gives another cache entry: no stale index."""
    entries = _entries()
    a = cache_key([_list("flagged", entries)])
    b = cache_key([_list("flagged", entries[:-1])])
    changed = [*entries[:-1], WatchlistEntry(id="p90", kind=PERSON, name="Other Name")]
    c = cache_key([_list("flagged", changed)])
    assert len({a, b, c}) == 3


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path) -> None:
    """A truncated or foreign cache file is ignored and replaced, never trusted."""
    lists = [_list("flagged", _entries())]
    load_index(lists, cache_dir=tmp_path)
    (target,) = tmp_path.glob("*.npz")
    target.write_bytes(b"PK\x03\x04 not really a zip")
    index = load_index(lists, cache_dir=tmp_path)
    assert top(index, "Suparman") is not None
    assert target.stat().st_size > 100  # rewritten


def test_an_unwritable_cache_dir_still_gives_an_index(tmp_path: Path) -> None:
    """No cache (read-only location) only costs the rebuild."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    index = load_index([_list("flagged", _entries())], cache_dir=blocker / "sub")
    assert top(index, "Suparman") is not None


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("ＳＵＰＡＲＭＡＮ", PERSON),
        ("Supar\u200bman", PERSON),
        ("Suparmаn", PERSON),  # Cyrillic а
        ("РТ Sinar Khayalan Sejahtera", ORG),  # Cyrillic Р and Т
        ("MAJU JAYA REKAAN, CV", ORG),
        ("MAJUJAYA REKAAN", ORG),
    ],
)
def test_disguised_exact_names_score_100(index: MatchIndex, query: str, kind: EntityKind) -> None:
    """Fullwidth, zero-width, look-alike letters and moved or joined legal names score 100."""
    found = top(index, query, kind)
    assert found is not None
    assert found.score == 100.0, found.explanation
    assert found.strength is MatchStrength.STRONG


def test_mixed_script_is_reported_in_the_explanation(index: MatchIndex) -> None:
    """A Cyrillic letter in a Latin name is named as mixed_script in the explanation."""
    found = top(index, "РТ Sinar Khayalan Sejahtera", ORG)
    assert found is not None
    assert any("mixed_script" in line for line in found.explanation)


def test_repeated_initials_do_not_hide_the_names_that_follow(index: MatchIndex) -> None:
    """Blocking pairs every token with its own initial flag, even when an initial repeats."""
    found = top(index, "M. R. M. Percobaanpatek")
    assert found is not None
    assert found.entry.id == "p23"
