"""Loading and validating list files: every bad row reported with its line, fail closed, provenance.

RELIABILITY cases 25-30 at the library level (the CLI side is in test_watchlist_cli.py).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import WatchlistError
from screening.model import EntityKind, ListRole, WatchlistEntry
from screening.watchlist import (
    NATIVE_COLUMNS,
    dump_jsonl,
    load_watchlist,
    nationality_code,
    normalise_dates,
)

ROOT = Path(__file__).resolve().parent.parent
LISTS = ROOT / "watchlists"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
HEADER = "id,kind,name,aliases,reason,source,listed_on,dob,nationality,document_numbers\n"
# A name that must never appear in an error message (personal data).
SECRET = "Zulkarnaen Rahasiawati"


def write(tmp_path: Path, text: str | bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: object) -> list[tuple[int, str, str]]:
    loaded = load_watchlist(path, allow_partial=True, now=NOW, **kwargs)  # type: ignore[arg-type]
    return [(p.line, p.column, p.message) for p in loaded.info.problems]


# --- shipped lists -----------------------------------------------------------------------------

SPECIMEN_WORDS = ("contoh", "sampel", "teladan", "percobaan", "rekaan", "khayalan", "fiktif")


@pytest.mark.parametrize(
    ("file", "role", "count"),
    [
        ("recruiters.csv", ListRole.WATCHLIST, 12),
        ("agencies.csv", ListRole.WATCHLIST, 8),
        ("licensed_agencies.csv", ListRole.ALLOWLIST, 8),
    ],
)
def test_shipped_lists_load_cleanly_and_are_dated(file, role, count):
    """Each shipped list loads without problems, dated by its `# generated:` line, not stale."""
    loaded = load_watchlist(LISTS / file, role=role, now=NOW)
    assert loaded.info.entries == count == len(loaded.entries)
    assert loaded.info.problems == ()
    assert loaded.info.role is role
    assert loaded.info.age_days == pytest.approx(27.5, abs=0.01)
    assert not loaded.info.stale
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.info.sha256)


def test_shipped_lists_are_visibly_invented():
    """Every shipped entry is marked invented, and every multi-word name uses a specimen word."""
    for file in ("recruiters.csv", "agencies.csv", "licensed_agencies.csv"):
        for entry in load_watchlist(LISTS / file, now=NOW).entries:
            assert "invented" in f"{entry.reason} {entry.source}".lower(), entry.id
            for name in (entry.name, *entry.aliases):
                words = name.lower().replace(".", " ").split()
                if len(words) > 1 and entry.kind is EntityKind.ORGANIZATION:
                    assert any(w in name.lower() for w in SPECIMEN_WORDS), entry.id
            if len(entry.name.split()) > 1:
                assert any(w in entry.name.lower() for w in SPECIMEN_WORDS), entry.id


def test_allowlist_holds_only_pt_companies():
    """The licensed-agency allowlist is P3MI-like: organisations whose name starts with PT."""
    entries = load_watchlist(LISTS / "licensed_agencies.csv", now=NOW).entries
    assert all(e.kind is EntityKind.ORGANIZATION and e.name.startswith("PT ") for e in entries)


def test_recruiters_include_single_names_aliases_and_evidence():
    """The sample recruiters exercise mononyms, honorific aliases, weak aliases and evidence."""
    entries = {e.id: e for e in load_watchlist(LISTS / "recruiters.csv", now=NOW).entries}
    suparman = entries["rec-0001"]
    assert suparman.name == "Suparman"
    assert suparman.aliases == ("H. Suparman", "Soeparman")
    assert suparman.weak_aliases == ("Pak Man",)
    assert suparman.dob == ("1971-05-09",)
    assert suparman.nationality == ("IDN",)
    assert suparman.document_numbers == ("X0000017",)
    assert entries["rec-0004"].document_numbers == ("X0000033", "X0000041")


# --- native formats ----------------------------------------------------------------------------


def test_csv_multi_valued_cells_split_on_pipe(tmp_path):
    """Pipes separate values; commas and semicolons inside a quoted cell stay in the value."""
    path = write(
        tmp_path,
        HEADER + 'r1,person,"SOEKARNO, Budi",Budi Sukarno|"B; S",why,src,2026-01-02,'
        "1970-01-31|1971,IDN|Malaysia,X1|X2\n",
    )
    (entry,) = load_watchlist(path, now=NOW).entries
    assert entry == WatchlistEntry(
        id="r1",
        kind=EntityKind.PERSON,
        name="SOEKARNO, Budi",
        aliases=("Budi Sukarno", '"B; S"'),
        reason="why",
        source="src",
        listed_on="2026-01-02",
        dob=("1970-01-31", "1971"),
        nationality=("IDN", "MYS"),
        document_numbers=("X1", "X2"),
    )


def test_json_lines_native_with_arrays_and_comments(tmp_path):
    """JSON lines use the same keys; arrays or pipe strings; `#` lines and blank lines skipped."""
    path = write(
        tmp_path,
        "# generated: 2026-11-18\n"
        + json.dumps({"id": 7, "kind": "organization", "name": "PT Contoh", "aliases": ["CV X"]})
        + "\n\n# a comment\n"
        + json.dumps({"id": "p", "kind": "individual", "name": "Sari", "dob": "1990|1991"})
        + "\n",
        "list.jsonl",
    )
    loaded = load_watchlist(path, now=NOW)
    assert [e.id for e in loaded.entries] == ["7", "p"]
    assert loaded.entries[0].aliases == ("CV X",)
    assert loaded.entries[1].kind is EntityKind.PERSON
    assert loaded.entries[1].dob == ("1990", "1991")
    assert loaded.info.age_days == pytest.approx(10.5)


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("person", EntityKind.PERSON),
        ("Individual", EntityKind.PERSON),
        ("RECRUITER", EntityKind.PERSON),
        ("organization", EntityKind.ORGANIZATION),
        ("organisation", EntityKind.ORGANIZATION),
        ("company", EntityKind.ORGANIZATION),
        ("agency", EntityKind.ORGANIZATION),
    ],
)
def test_kind_words(tmp_path, word, kind):
    """Kinds are case-insensitive and accept the obvious synonyms."""
    path = write(tmp_path, f"id,kind,name\na,{word},Sari\n")
    assert load_watchlist(path, now=NOW).entries[0].kind is kind


def test_json_array_reports_elements_by_line(tmp_path):
    """A JSON array of objects loads; a bad element is reported at the line it starts on."""
    path = write(
        tmp_path,
        '[\n  {"id": "a", "kind": "person", "name": "Sari"},\n'
        '  {"id": "b", "kind": "robot", "name": "Sari"}\n]\n',
        "list.json",
    )
    assert problems_of(path) == [(3, "kind", "unknown kind; use person or organization")]


def test_dump_jsonl_round_trips(tmp_path):
    """Entries written with dump_jsonl load back identical, dated by the `# generated:` line."""
    entries = load_watchlist(LISTS / "recruiters.csv", now=NOW).entries
    when = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    path = write(tmp_path, dump_jsonl(entries, generated=when, comment="two\nlines"), "x.jsonl")
    again = load_watchlist(path, now=NOW)
    assert again.entries == entries
    assert again.info.age_days == pytest.approx(58.5)


def test_entity_format_is_accepted_as_is(tmp_path):
    """The entity-per-line JSON of watchlist.jsonl: primary → name; others → aliases; low → weak."""
    row = {
        "id": "un-1",
        "list": "un_sc_consolidated",
        "kind": "person",
        "names": [
            {"name": "ALIAS FIRST", "type": "aka"},
            {"name": "PRIMARY NAME", "type": "primary"},
            {"name": "نام", "type": "original_script"},
            {"name": "Shorty", "type": "alias_low"},
            {"name": "primary name", "type": "alias_good"},
        ],
        "programs": "Iraq",
        "reference": "IQi.001",
        "dob": "1965;1966-02-03",
        "nationality": ["Iraq", "Neverland"],
    }
    (entry,) = load_watchlist(write(tmp_path, json.dumps(row), "e.jsonl"), now=NOW).entries
    assert entry.name == "PRIMARY NAME"
    assert entry.aliases == ("ALIAS FIRST", "نام")  # case-only duplicate of the name dropped
    assert entry.weak_aliases == ("Shorty",)
    assert entry.reason == "Iraq"
    assert entry.source == "un_sc_consolidated"
    assert entry.dob == ("1965", "1966-02-03")
    assert entry.nationality == ("IRQ", "Neverland")  # unknown names kept as written


def test_shared_watchlist_loads_every_name(shared_data):
    """The real 14,741-entity list loads with all 35,715 names and its weak aliases kept apart."""
    loaded = load_watchlist(shared_data / "names" / "watchlist.jsonl", now=NOW)
    assert loaded.info.entries == 14741
    assert loaded.info.problems == ()
    rows = [
        json.loads(line)
        for line in (shared_data / "names" / "watchlist.jsonl").read_text("utf-8").splitlines()
    ]
    weak = sum(1 for r in rows for n in r["names"] if n["type"] == "alias_low")
    assert sum(len(e.weak_aliases) for e in loaded.entries) == weak == 615
    # Every distinct name (ignoring case) of the file is somewhere on its entry.
    for row, entry in zip(rows, loaded.entries, strict=True):
        ours = {n.casefold() for n in (entry.name, *entry.aliases, *entry.weak_aliases)}
        assert {n["name"].strip().casefold() for n in row["names"]} == ours
    kinds = {e.kind for e in loaded.entries}
    assert kinds == {EntityKind.PERSON, EntityKind.ORGANIZATION}


def test_shared_allowlist_loads(shared_data):
    """The licensed-agency fixture loads as an allowlist with country names turned into codes."""
    loaded = load_watchlist(
        shared_data / "names" / "licensed_agencies.jsonl", role=ListRole.ALLOWLIST, now=NOW
    )
    assert loaded.info.entries == 62
    assert {n for e in loaded.entries for n in e.nationality} == {"IDN"}


# --- RELIABILITY 25: encodings -----------------------------------------------------------------


def test_utf8_bom_loads(tmp_path):
    """A UTF-8 byte order mark before the header is fine (Excel writes one)."""
    path = write(tmp_path, b"\xef\xbb\xbf" + (HEADER + "r1,person,Sari,,,,,,,\n").encode())
    assert [e.name for e in load_watchlist(path, now=NOW).entries] == ["Sari"]


def test_latin1_bytes_report_line_and_byte_offset(tmp_path):
    """Latin-1 bytes: each bad line is reported with its byte position; fail closed."""
    data = (HEADER + "r1,person,Sari,,,,,,,\n").encode() + "r2,person,José,,,,,,,\n".encode(
        "latin-1"
    )
    path = write(tmp_path, data)
    offset = data.index(b"\xe9")
    [(line, column, message)] = problems_of(path)
    assert (line, column) == (3, "byte 14")
    assert f"byte offset {offset} of the file" in message
    assert "0xE9" in message
    assert "--encoding latin-1" in message
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path, now=NOW)
    assert caught.value.code == "watchlist_invalid"
    assert caught.value.line == 3


def test_byte_offset_counts_the_bom(tmp_path):
    """The file offset of a bad byte counts a UTF-8 BOM before it; the line offset does not."""
    data = b"\xef\xbb\xbf" + HEADER.encode() + b"r,person,Ren\xe9,,,,,,,\n"
    [(line, column, message)] = problems_of(write(tmp_path, data))
    assert (line, column) == (2, "byte 13")
    offset = data.index(b"\xe9")
    assert f"byte offset {offset} of the file" in message


def test_latin1_with_the_right_encoding_loads(tmp_path):
    """The same file loads when the caller says it is Latin-1."""
    path = write(tmp_path, (HEADER + "r2,person,José,,,,,,,\n").encode("latin-1"))
    assert load_watchlist(path, encoding="latin-1", now=NOW).entries[0].name == "José"


def test_utf16_with_bom_is_refused_with_a_hint(tmp_path):
    """UTF-16 with a byte order mark read as UTF-8: one clear problem at line 1."""
    path = write(tmp_path, (HEADER + "r1,person,Sari,,,,,,,\n").encode("utf-16"))
    [(line, _, message)] = problems_of(path)
    assert line == 1
    assert "UTF-16" in message


def test_utf16_without_bom_is_caught_by_its_nul_bytes(tmp_path):
    """UTF-16-LE without a BOM decodes as 'valid' UTF-8 full of NULs: refused, not loaded."""
    path = write(tmp_path, (HEADER + "r1,person,Sari,,,,,,,\n").encode("utf-16-le"))
    problems = problems_of(path)
    assert problems
    assert all("UTF-16" in message for _, _, message in problems)
    with pytest.raises(WatchlistError):
        load_watchlist(path, now=NOW)


def test_utf16_with_the_right_encoding_loads(tmp_path):
    """UTF-16 loads when asked for, BOM or not."""
    for codec in ("utf-16", "utf-16-le"):
        path = write(tmp_path, (HEADER + "r1,person,Sari,,,,,,,\n").encode(codec))
        assert load_watchlist(path, encoding=codec, now=NOW).info.entries == 1


def test_unknown_encoding_name_is_a_watchlist_error(tmp_path):
    """A misspelt encoding is a WatchlistError, not a LookupError."""
    path = write(tmp_path, HEADER)
    with pytest.raises(WatchlistError, match="Unknown text encoding"):
        load_watchlist(path, encoding="klingon-8", now=NOW)


# --- RELIABILITY 26-28: columns, duplicates, huge fields ----------------------------------------


def test_missing_name_column_lists_expected_and_found(tmp_path):
    """No `name` column: the problem names it, lists the expected and the found headers."""
    path = write(tmp_path, "id,kind,nama\nr1,person,Sari\n")
    problems = problems_of(path)
    line, column, message = problems[0]
    assert (line, column) == (1, "name")
    assert "missing required column(s) name" in message
    assert "expected columns: " + ", ".join(NATIVE_COLUMNS) in message
    assert "found: id, kind, nama" in message


def test_headerless_file_does_not_echo_its_first_row(tmp_path):
    """A file without a header: said so, and the first row (personal data) is not quoted."""
    path = write(tmp_path, f"r1,person,{SECRET}\n")
    [(line, _, message)] = problems_of(path)
    assert line == 1
    assert "no header line" in message
    assert SECRET not in message


def test_duplicate_ids_cite_both_lines(tmp_path):
    """A second use of an id is reported on its line and cites the first line."""
    path = write(
        tmp_path, HEADER + "a,person,Sari,,,,,,,\nb,person,Budi,,,,,,,\na,person,X,,,,,,,\n"
    )
    assert problems_of(path) == [(4, "id", "duplicate id: the same id is already used on line 2")]
    loaded = load_watchlist(path, allow_partial=True, now=NOW)
    assert [e.name for e in loaded.entries] == ["Sari", "Budi"]


def test_200_kb_field_is_a_problem_with_its_line_not_a_csv_error(tmp_path):
    """A 200 KB cell (above csv's own 128 KiB limit) is reported with line and column."""
    path = write(tmp_path, HEADER + "a,person,Sari,,,,,,,\n" + f"b,person,{'A' * 200_000},,,,,,,\n")
    [(line, column, message)] = problems_of(path)
    assert (line, column) == (3, "name")
    assert "200000 bytes, more than the limit of 65536" in message


def test_200_kb_field_in_json_lines(tmp_path):
    """The same limit applies to JSON lines."""
    row = {"id": "b", "kind": "person", "name": "Sari", "reason": "x" * 200_000}
    path = write(tmp_path, json.dumps(row) + "\n", "l.jsonl")
    [(line, column, _)] = problems_of(path)
    assert (line, column) == (1, "reason")


def test_field_limit_is_configurable(tmp_path):
    """max_field_bytes lowers (or raises) the limit."""
    path = write(tmp_path, HEADER + "a,person,Sarinah,,,,,,,\n")
    assert problems_of(path, max_field_bytes=6) == [
        (2, "name", "the field is 7 bytes, more than the limit of 6 bytes")
    ]
    assert problems_of(path, max_field_bytes=100) == []


def test_csv_field_size_limit_is_restored(tmp_path):
    """Loading does not leave the process-wide csv field limit changed."""
    before = csv.field_size_limit()
    load_watchlist(write(tmp_path, HEADER), now=NOW)
    assert csv.field_size_limit() == before


def test_every_problem_is_collected_and_good_rows_still_load(tmp_path):
    """All bad rows are reported at once (packaging's collector); good rows survive."""
    text = (
        "# comment\n"
        + HEADER
        + "a,person,Sari,,,,,,,\n"  # 3 good
        + "b,robot,Budi,,,,,,,\n"  # 4 kind
        + "c,person,,,,,,,,\n"  # 5 empty name
        + ",person,Tono,,,,,,,\n"  # 6 empty id
        + 'd,person,"Multi\nLine",,,,,,,\n'  # 7-8 good, spans two lines
        + "e,person,Eko,,,,2026-13-01,,,\n"  # 9 listed_on
        + "f,person,Fajar,,,,,31 Foo 1970,,\n"  # 10 dob
        + "g,person,Gita,,,,,,INA,\n"  # 11 nationality (an IOC code, not ICAO)
        + "h,person,Hadi\n"  # 12 too few values
        + "i,organization,PT Ika,,,,,,,\n"  # 13 good
    )
    path = write(tmp_path, text)
    got = [(line, column) for line, column, _ in problems_of(path)]
    assert got == [
        (4, "kind"),
        (5, "name"),
        (6, "id"),
        (9, "listed_on"),
        (10, "dob"),
        (11, "nationality"),
        (12, ""),
    ]
    loaded = load_watchlist(path, allow_partial=True, now=NOW)
    assert [e.id for e in loaded.entries] == ["a", "d", "i"]
    assert loaded.entries[1].name == "Multi\nLine"


def test_unknown_and_duplicate_columns(tmp_path):
    """A misspelt optional column is an error (it would drop data silently); `x_` columns are ok."""
    assert problems_of(write(tmp_path, "id,kind,name,alias\n"))[0][1] == "alias"
    assert problems_of(write(tmp_path, "id,kind,name,name\n"))[0][1] == "name"
    path = write(tmp_path, "id,kind,name,x_notes\nr,person,Sari,anything\n")
    assert load_watchlist(path, now=NOW).info.entries == 1


def test_trailing_empty_columns_from_spreadsheets(tmp_path):
    """Header cells left empty (Excel's trailing commas) are ignored while their cells are empty."""
    path = write(tmp_path, "id,kind,name,,\na,person,Sari,,\nb,person,Budi,,oops\n")
    assert problems_of(path) == [(3, "column 5", "a value in a column that has no header name")]
    assert [e.id for e in load_watchlist(path, allow_partial=True, now=NOW).entries] == ["a"]


def test_weak_alias_that_is_also_a_strong_alias_stays_strong(tmp_path):
    """A name listed both as alias and weak alias is a (strong) alias only; duplicates go."""
    path = write(
        tmp_path,
        "id,kind,name,aliases,weak_aliases\na,person,Sari,Sari|Ari|ARI|Tari,ari|Ri|sari\n",
    )
    (entry,) = load_watchlist(path, now=NOW).entries
    assert (entry.aliases, entry.weak_aliases) == (("Ari", "Tari"), ("Ri",))


def test_malformed_json_lines_each_reported(tmp_path):
    """Malformed JSON lines, non-objects and unknown keys are reported by line; others load."""
    text = "\n".join(
        [
            json.dumps({"id": "a", "kind": "person", "name": "Sari"}),
            '{"id": "b", "kind": ',
            "[1, 2]",
            json.dumps({"id": "c", "kind": "person", "name": "Budi", "nmae": "x"}),
            json.dumps({"id": "d", "kind": "person"}),
            "[" * 100_000,
            json.dumps({"id": "e", "kind": "person", "name": ["not", "text"]}),
        ]
    )
    path = write(tmp_path, "{}\n" + text, "l.jsonl")
    got = [(line, column) for line, column, _ in problems_of(path)]
    assert got == [(1, "id, kind, name"), (3, "char 20"), (4, ""), (5, "nmae"), (6, "name"),
                   (7, ""), (8, "name")]  # fmt: skip


def test_messages_never_contain_list_content(tmp_path):
    """Problems and the error message cite line/column only, never names or numbers."""
    text = (
        HEADER
        + f"a,person,{SECRET},,,,,,,X9999999\n"
        + f"a,robot,{SECRET},,,,1 Jan,{SECRET},Narnia,X9999999\n"
        + f"b,person,{SECRET * 5000},,,,,,,\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path, now=NOW)
    everything = " ".join([caught.value.message, *caught.value.problems])
    for secret in (SECRET, "X9999999", "Narnia", "1 Jan"):
        assert secret not in everything


def test_fail_closed_error_names_the_file_and_the_count(tmp_path):
    """Any problem without allow_partial: watchlist_invalid, naming file, count and the refusal."""
    path = write(tmp_path, HEADER + "a,robot,Sari,,,,,,,\nb,robot,Budi,,,,,,,\n")
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path, now=NOW)
    error = caught.value
    assert error.code == "watchlist_invalid"
    assert error.path == str(path)
    assert str(path) in error.message
    assert "2 problems" in error.message
    assert "refusing to screen against a partially loaded list" in error.message
    assert error.problems == (
        f"{path}:2: kind: unknown kind; use person or organization",
        f"{path}:3: kind: unknown kind; use person or organization",
    )


# --- RELIABILITY 29: missing, unreadable, empty ------------------------------------------------


def test_missing_file_is_unreadable(tmp_path):
    """A missing list: watchlist_unreadable, with the path."""
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(tmp_path / "nope.csv", now=NOW)
    assert caught.value.code == "watchlist_unreadable"
    assert "nope.csv" in caught.value.message


def test_directory_and_fifo_are_refused_without_blocking(tmp_path):
    """A directory or a FIFO is not a list; the FIFO is never opened (open() would block)."""
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for path in (tmp_path, fifo):
        with pytest.raises(WatchlistError, match="not a regular file") as caught:
            load_watchlist(path, now=NOW)
        assert caught.value.code == "watchlist_unreadable"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read mode-000 files")
def test_unreadable_file(tmp_path):
    """A file without read permission: watchlist_unreadable."""
    path = write(tmp_path, HEADER)
    path.chmod(0)
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path, now=NOW)
    assert caught.value.code == "watchlist_unreadable"


@pytest.mark.parametrize("text", ["", "\n\n", HEADER, "# generated: 2026-11-01\n" + HEADER, "[]"])
def test_empty_list_loads_with_zero_entries(tmp_path, text):
    """An empty list is not an error here; the risk policy reports it as not checked."""
    loaded = load_watchlist(write(tmp_path, text), now=NOW)
    assert loaded.entries == ()
    assert loaded.info.entries == 0


# --- RELIABILITY 30: age and staleness ---------------------------------------------------------


def test_age_from_generated_line_and_staleness(tmp_path):
    """`# generated:` dates the list; older than max_age_days is stale; None disables it."""
    path = write(tmp_path, "# generated: 2025-11-28T12:00:00Z\n" + HEADER)
    assert load_watchlist(path, now=NOW).info.age_days == pytest.approx(365)
    assert not load_watchlist(path, now=NOW, max_age_days=365).info.stale
    assert load_watchlist(path, now=NOW, max_age_days=364.9).info.stale
    assert not load_watchlist(path, now=NOW, max_age_days=None).info.stale


def test_age_falls_back_to_file_mtime(tmp_path):
    """Without a `# generated:` line the file's modification time dates the list."""
    path = write(tmp_path, HEADER)
    ten_days_ago = (NOW - dt.timedelta(days=10)).timestamp()
    os.utime(path, (ten_days_ago, ten_days_ago))
    info = load_watchlist(path, now=NOW, max_age_days=5).info
    assert info.age_days == pytest.approx(10)
    assert info.stale


def test_bad_generated_line_is_a_problem(tmp_path):
    """A `# generated:` line that is not a date is reported, not silently ignored."""
    path = write(tmp_path, "# generated: last tuesday\n" + HEADER)
    assert problems_of(path) == [
        (1, "generated", "the `# generated:` date is not an ISO 8601 date")
    ]


def test_info_names_hash_and_role(tmp_path):
    """ListInfo: name defaults to the file stem, sha256 is of the file bytes."""
    path = write(tmp_path, HEADER + "r,person,Sari,,,,,,,\n", "mine.csv")
    info = load_watchlist(path, role=ListRole.ALLOWLIST, now=NOW).info
    assert info.name == "mine"
    assert info.role is ListRole.ALLOWLIST
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_watchlist(path, name="Local list", now=NOW).info.name == "Local list"


# --- helpers: dates and nationality -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-31", ("1970-01-31",)),
        ("1970-01", ("1970-01",)),
        ("1970", ("1970",)),
        ("10 Dec 1948", ("1948-12-10",)),
        ("Dec 1948", ("1948-12",)),
        ("circa 1963", ("1963",)),
        ("1965 to 1967", ("1965", "1966", "1967")),
        ("01 Jan 1960 to 31 Dec 1961", ("1960", "1961")),
        ("circa 1979-1982", ("1979", "1980", "1981", "1982")),
        ("1970-02-31", ()),
        ("31 Foo 1970", ()),
        ("1900 to 1990", ()),  # a range this wide says nothing
        ("", ()),
        ("yesterday", ()),
    ],
)
def test_normalise_dates(text, expected):
    """Dates of birth as lists write them become ISO text at their own precision."""
    assert normalise_dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IDN", "IDN"),
        ("idn", "IDN"),
        ("ID", "IDN"),
        ("D", "D"),
        ("UTO", "UTO"),
        ("Indonesia", "IDN"),
        ("Russia", "RUS"),
        ("Korea, North", "PRK"),
        ("of Registration China", "CHN"),
        ("Democratic Republic of the Congo", "COD"),
        ("na", None),  # OFAC's "not available", not Namibia
        ("INA", None),  # the IOC code for Indonesia is not an ICAO code
        ("Atlantis", None),
    ],
)
def test_nationality_code(text, expected):
    """Codes, upper-case alpha-2 and country names map to ICAO 9303 codes."""
    assert nationality_code(text) == expected


# --- properties ------------------------------------------------------------------------------

_word = st.from_regex(r"[A-Za-z][A-Za-z'.-]{0,11}", fullmatch=True)
_name = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_entry = st.builds(
    WatchlistEntry,
    id=st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    kind=st.sampled_from(EntityKind),
    name=_name,
    aliases=st.lists(_name, max_size=3).map(tuple),
    reason=st.text(max_size=30).map(str.strip),
    dob=st.lists(st.dates().map(dt.date.isoformat), max_size=2, unique=True).map(tuple),
    nationality=st.lists(st.sampled_from(["IDN", "MYS", "UTO", "D"]), max_size=2, unique=True).map(
        tuple
    ),
    document_numbers=st.lists(st.from_regex(r"[A-Z0-9]{6,9}", fullmatch=True), max_size=2).map(
        tuple
    ),
)


@pytest.mark.property
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(_entry, max_size=5, unique_by=lambda e: e.id))
def test_dump_then_load_keeps_every_field(tmp_path, entries):
    """dump_jsonl → load_watchlist returns the same entries (after the loader's own dedupe)."""
    path = tmp_path / "p.jsonl"
    path.write_text(dump_jsonl(entries), encoding="utf-8")
    loaded = load_watchlist(path, now=NOW).entries
    assert len(loaded) == len(entries)
    for got, sent in zip(loaded, entries, strict=True):
        assert (got.id, got.kind, got.name, got.reason, got.dob, got.nationality) == (
            sent.id,
            sent.kind,
            sent.name,
            sent.reason,
            sent.dob,
            sent.nationality,
        )
        assert got.document_numbers == sent.document_numbers
        expected = {a.casefold() for a in sent.aliases} - {sent.name.casefold()}
        assert {a.casefold() for a in got.aliases} == expected


_DEFECTS = {
    "good": lambda i: f"id{i},person,Name{i},,,,,,,",
    "kind": lambda i: f"id{i},robot,Name{i},,,,,,,",
    "name": lambda i: f"id{i},person,,,,,,,,",
    "dup": lambda _: "id0,person,Again,,,,,,,",
    "dob": lambda i: f"id{i},person,Name{i},,,,,1970-13-01,,",
    "nationality": lambda i: f"id{i},person,Name{i},,,,,,XQZ,",
    "width": lambda i: f"id{i},person,Name{i}",
    "listed_on": lambda i: f"id{i},organization,PT Name{i},,,,yesterday,,,",
}


@pytest.mark.property
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(st.sampled_from(sorted(_DEFECTS)), max_size=30))
def test_every_defective_row_is_reported_and_only_those(tmp_path, kinds):
    """Whatever mix of good and bad rows: exactly the bad lines are reported, good rows load."""
    rows = [_DEFECTS["good"](0), *(_DEFECTS[k](i) for i, k in enumerate(kinds, 1))]
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    loaded = load_watchlist(path, allow_partial=True, now=NOW)
    bad_lines = [i + 3 for i, k in enumerate(kinds) if k != "good"]  # header = 1, id0 = 2
    assert [p.line for p in loaded.info.problems] == bad_lines
    assert loaded.info.entries == 1 + kinds.count("good")


# --- robustness --------------------------------------------------------------------------------


@pytest.mark.property
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_junk_bytes_only_raise_watchlist_error(tmp_path, data):
    """Any bytes either load or raise WatchlistError; nothing else escapes."""
    for name in ("junk.csv", "junk.jsonl"):
        path = tmp_path / name
        path.write_bytes(data)
        with contextlib.suppress(WatchlistError):
            load_watchlist(path, now=NOW)
