"""`screening match` through the installed command (real subprocess), on invented lists."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import run_cli

RECRUITERS = """\
# Invented test list: no real person.
id,kind,name,aliases,weak_aliases,reason,source,listed_on,dob,nationality,document_numbers,registration_numbers
rec-1,person,Suparman,H. Suparman|Soeparman,,invented case,test,2026-01-01,1971-05-09,IDN,X0000017,
rec-2,person,Muhammad Rizal Rekaan,M. Rizal Rekaan,,invented case,test,2026-01-02,1984-11-23,IDN,,
rec-3,person,Siti [bold green]Khayalan[/],,,invented case,test,2026-01-03,,IDN,,
rec-4,person,Dewi Anggraini Sampel,,,invented case,test,2026-01-04,1990-02-11,IDN,,
"""
AGENCIES = """\
# Invented test list: no real company.
id,kind,name,aliases,weak_aliases,reason,source,listed_on,dob,nationality,document_numbers,registration_numbers
agc-1,organization,CV Maju Jaya Rekaan,Maju Jaya Rekaan,,invented case,test,2026-01-01,,IDN,,
agc-2,organization,PT Sinar Khayalan Sejahtera,,,invented case,test,2026-01-02,,IDN,,
"""
LICENSED = """\
# Invented allowlist.
id,kind,name,aliases,reason,source,listed_on,registration_numbers
lic-1,organization,PT Teladan Karya Sampel,,licensed (invented),test,2026-01-01,
"""


@pytest.fixture
def lists(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("recruiters", RECRUITERS), ("agencies", AGENCIES), ("licensed", LICENSED)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


def _args(lists: dict[str, Path], tmp_path: Path) -> list[str]:
    return [
        "-w", str(lists["recruiters"]), "-w", str(lists["agencies"]),
        "-a", str(lists["licensed"]), "--cache-dir", str(tmp_path / "cache"),
    ]  # fmt: skip


def test_a_strong_match_prints_a_table_and_exits_4(lists, tmp_path) -> None:
    """A listed name with a title and old spelling: STRONG in text, exit 4 (alert)."""
    result = run_cli("match", "H. Soeparman", "--kind", "person", *_args(lists, tmp_path))
    assert result.returncode == 4, result.stderr
    assert "STRONG" in result.stdout
    assert "rec-1" in result.stdout
    assert "Traceback" not in result.stderr


def test_no_match_is_clear_exit_0(lists, tmp_path) -> None:
    """An unlisted name prints a CLEAR line and exits 0."""
    result = run_cli("match", "Lukas Hendrawan", *_args(lists, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "CLEAR" in result.stdout


def test_a_possible_match_exits_3(lists, tmp_path) -> None:
    """With a strong threshold above the score the match is only possible: exit 3 (review)."""
    result = run_cli(
        "match", "Dewi Sampel", "--kind", "person", "--possible", "60", "--strong", "99",
        *_args(lists, tmp_path),
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "POSSIBLE" in result.stdout


def test_json_output_carries_schema_candidates_and_lists(lists, tmp_path) -> None:
    """--format json: schema_version, ranked candidates with explanation, and list provenance."""
    result = run_cli(
        "match", "Mochammad Rizal Rekaan", "--format", "json", "--dob", "1984-11-23",
        *_args(lists, tmp_path),
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == "1"
    first = doc["candidates"][0]
    assert first["entity_id"] == "rec-2"
    assert first["list"] == "recruiters"
    assert first["strength"] == "strong"
    assert first["explanation"]
    assert any("birth" in line.lower() for line in first["explanation"])
    names = {item["name"] for item in doc["lists"]}
    assert names == {"recruiters", "agencies", "licensed"}
    assert all(len(item["sha256"]) == 64 for item in doc["lists"])


def test_input_file_gives_one_json_line_per_query(lists, tmp_path) -> None:
    """--input with text and JSON lines, --format jsonl: one parseable line per query, in order."""
    queries = tmp_path / "queries.txt"
    queries.write_text(
        "Suparman\n"
        '{"query": "PT Sinar Khayalan Sejahtera", "kind": "organization", "id": "q2"}\n'
        "\n"
        '{"query": "Siti Rahayu", "kind": "person", "dob": "1970-01-01"}\n'
        "PT Teladan Karya Sampel\n",
        encoding="utf-8",
    )
    result = run_cli("match", "--input", str(queries), "--format", "jsonl", *_args(lists, tmp_path))
    assert result.returncode == 4, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == [
        "Suparman",
        "PT Sinar Khayalan Sejahtera",
        "Siti Rahayu",
        "PT Teladan Karya Sampel",
    ]
    assert all(line["schema_version"] == "1" for line in lines)
    assert lines[0]["candidates"][0]["entity_id"] == "rec-1"
    assert lines[1]["id"] == "q2"
    assert lines[1]["candidates"][0]["entity_id"] == "agc-2"
    assert lines[2]["candidates"] == []
    assert lines[3]["candidates"][0]["role"] == "allowlist"


def test_csv_gives_one_row_per_candidate_and_one_per_empty_query(lists, tmp_path) -> None:
    """--format csv: every query appears (a row even with no candidate); cells are defused."""
    queries = tmp_path / "queries.txt"
    queries.write_text("Suparman\n=Siti Rahayu\n", encoding="utf-8")
    result = run_cli("match", "--input", str(queries), "--format", "csv", *_args(lists, tmp_path))
    assert result.returncode == 4, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["query"] == "Suparman"
    assert rows[0]["entity_id"] == "rec-1"
    assert rows[0]["strength"] == "strong"
    assert rows[-1]["query"] == "'=Siti Rahayu"
    assert rows[-1]["entity_id"] == ""


def test_an_allowlist_match_alone_is_not_an_alert(lists, tmp_path) -> None:
    """A licensed agency matching its allowlist entry exits 0: allowlists never alert."""
    result = run_cli(
        "match", "PT Teladan Karya Sampel", "--kind", "organization", *_args(lists, tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "allowlist" in result.stdout


def test_a_bad_input_line_is_reported_and_the_rest_is_screened(lists, tmp_path) -> None:
    """A broken JSON line becomes an error record (exit 5); the other lines are still matched."""
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"query": \nLukas Hendrawan\n{"kind": "person"}\n', encoding="utf-8")
    result = run_cli("match", "--input", str(queries), "--format", "jsonl", *_args(lists, tmp_path))
    assert result.returncode == 5, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("error") for line in lines] == ["invalid_json", None, "missing_query"]
    assert lines[0]["line"] == 1


def test_queries_from_standard_input(lists, tmp_path) -> None:
    """--input - reads the queries from standard input."""
    result = run_cli(
        "match", "--input", "-", "--format", "jsonl", *_args(lists, tmp_path), stdin="Suparman\n"
    )
    assert result.returncode == 4, result.stderr
    assert json.loads(result.stdout)["candidates"][0]["entity_id"] == "rec-1"


def test_a_missing_watchlist_is_a_configuration_error(tmp_path) -> None:
    """A list that cannot be read: one line on stderr, exit 6, no traceback."""
    result = run_cli("match", "Suparman", "-w", str(tmp_path / "absent.csv"))
    assert result.returncode == 6
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


@pytest.mark.parametrize("args", [[], ["Suparman", "--input", "x"], [" "]])
def test_usage_errors_exit_2(lists, tmp_path, args) -> None:
    """No name, both a name and --input, or an empty name: usage error, exit 2."""
    result = run_cli("match", *args, *_args(lists, tmp_path))
    assert result.returncode == 2


def test_hostile_text_is_shown_escaped(lists, tmp_path) -> None:
    """Markup in a listed name and ESC in the query are printed as text, never interpreted."""
    result = run_cli(
        "match", "Siti Khayalan\x1b[2J", "--kind", "person", "--possible", "50",
        *_args(lists, tmp_path),
    )  # fmt: skip
    assert "\x1b" not in result.stdout
    assert "[bold green]" in result.stdout
    assert result.returncode in {3, 4}, result.stdout + result.stderr


def test_the_index_cache_is_written_and_reused(lists, tmp_path) -> None:
    """The first run writes a private cache file; a second run gives the same answer."""
    first = run_cli("match", "Suparman", "--format", "json", *_args(lists, tmp_path))
    files = list((tmp_path / "cache").glob("*.npz"))
    assert len(files) == 1
    second = run_cli("match", "Suparman", "--format", "json", *_args(lists, tmp_path))
    assert json.loads(first.stdout)["candidates"] == json.loads(second.stdout)["candidates"]
    nocache = run_cli("match", "Suparman", "--format", "json", "--no-cache",
                      "-w", str(lists["recruiters"]))  # fmt: skip
    assert nocache.returncode == 4


def test_help_has_an_example() -> None:
    """`screening match --help` documents the command with an example."""
    result = run_cli("match", "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout
