"""`screening watchlist check|info|import` through the installed command (real subprocesses)."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, screening_exe

LISTS = ROOT / "watchlists"
DATA = Path(__file__).resolve().parent / "data"
HEADER = "id,kind,name,aliases,dob,nationality\n"
SECRET = "Zulkarnaen Rahasiawati"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<column>[^:]+): (?P<message>.+)$")


def assert_clean_failure(result):
    assert "Traceback" not in result.stdout + result.stderr


def test_check_shipped_lists_ok():
    """The shipped lists check clean: exit 0 and one OK line per file."""
    files = [str(LISTS / f) for f in ("recruiters.csv", "agencies.csv", "licensed_agencies.csv")]
    result = run_cli("watchlist", "check", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK, ") == 3


def test_check_prints_every_problem_as_file_line_column_message(tmp_path):
    """Every bad row is one `file:line: column: message` line; exit 6; no names printed."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"a,person,{SECRET},,,\n"
        + f"a,person,{SECRET},,,\n"
        + f"b,robot,{SECRET},,,\n"
        + f"c,person,{SECRET},,1 Foo 1970,\n",
        encoding="utf-8",
    )
    result = run_cli("watchlist", "check", str(bad))
    assert result.returncode == 6
    problems = [m.groupdict() for m in map(PROBLEM_LINE.match, result.stdout.splitlines()) if m]
    assert [(p["line"], p["column"]) for p in problems] == [
        ("3", "id"),
        ("4", "kind"),
        ("5", "dob"),
    ]
    assert "already used on line 2" in problems[0]["message"]
    assert "INVALID, 3 problem(s)" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    assert_clean_failure(result)


def test_check_json_and_missing_file(tmp_path):
    """--format json carries schema_version and each file's problems; a missing file is exit 6."""
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "a,person,Sari,,,\n", encoding="utf-8")
    result = run_cli("watchlist", "check", str(good), str(tmp_path / "nope.csv"), "-f", "json")
    assert result.returncode == 6
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1"
    assert document["ok"] is False
    first, second = document["lists"]
    assert (first["ok"], first["entries"], first["problems"]) == (True, 1, [])
    assert second["error"]["code"] == "watchlist_unreadable"


def test_check_latin1_reports_byte_offset_and_encoding_option_fixes_it(tmp_path):
    """RELIABILITY 25: Latin-1 bytes → file:line: byte N, exit 6; --encoding latin-1 → exit 0."""
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "a,person,José,,,\n").encode("latin-1"))
    result = run_cli("watchlist", "check", str(path))
    assert result.returncode == 6
    assert f"{path}:2: byte 13: invalid UTF-8 byte 0xE9" in result.stdout  # "a,person,Jos" + é
    fixed = run_cli("watchlist", "check", "--encoding", "latin-1", str(path))
    assert fixed.returncode == 0, fixed.stdout


def test_check_missing_name_column(tmp_path):
    """RELIABILITY 26: a missing name column lists expected and found headers; exit 6."""
    path = tmp_path / "cols.csv"
    path.write_text("id,kind,nama\na,person,Sari\n", encoding="utf-8")
    result = run_cli("watchlist", "check", str(path))
    assert result.returncode == 6
    assert "missing required column(s) name" in result.stdout
    assert "found: id, kind, nama" in result.stdout


def test_check_huge_field(tmp_path):
    """RELIABILITY 28: a 200 KB field is a line-numbered problem, not a csv.Error traceback."""
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "a,person,Sari,,,\n" + f"b,person,{'A' * 200_000},,,\n")
    result = run_cli("watchlist", "check", str(path))
    assert result.returncode == 6
    assert f"{path}:3: name: the field is 200000 bytes" in result.stdout
    assert_clean_failure(result)


def test_check_control_characters_are_escaped(tmp_path):
    """Control characters in a header (ESC sequences) never reach the terminal."""
    path = tmp_path / "esc.csv"
    path.write_text("id,kind,name,\x1b[2Jx\n", encoding="utf-8")
    result = run_cli("watchlist", "check", str(path))
    assert result.returncode == 6
    assert "\x1b" not in result.stdout
    assert ": [2jx: unknown column" in result.stdout


def test_unreadable_list_is_exit_6(tmp_path):
    """RELIABILITY 29: a mode-000 list → exit 6 (run as `nobody` when the tests run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="screening-wl-perm-"))
    try:
        folder.chmod(0o755)
        path = folder / "locked.csv"
        path.write_text(HEADER, encoding="utf-8")
        path.chmod(0)
        command = [screening_exe(), "watchlist", "check", str(path)]
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("nobody")
            except KeyError:
                pytest.skip("running as root and there is no `nobody` user")
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("setpriv is not installed")
            command = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "NO_COLOR": "1", "HOME": str(folder)},
        )
        assert result.returncode == 6, result.stdout + result.stderr
        assert "cannot be read (Permission denied)" in result.stdout
        assert_clean_failure(result)
    finally:
        shutil.rmtree(folder)


def test_check_empty_list_warns(tmp_path):
    """RELIABILITY 29: a list with 0 entries is valid but warned about (reported not checked)."""
    path = tmp_path / "empty.csv"
    path.write_text(HEADER, encoding="utf-8")
    result = run_cli("watchlist", "check", str(path))
    assert result.returncode == 0
    assert "OK, 0 entries" in result.stdout
    assert "not checked" in result.stderr


def test_info_prints_provenance_and_stale_flag():
    """info: name, role, entries, sha256, age; --max-age 1 makes it stale (warning, exit 0)."""
    path = LISTS / "recruiters.csv"
    result = run_cli("watchlist", "info", str(path), "--max-age", "1", "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1"
    (item,) = document["lists"]
    assert item["name"] == "recruiters"
    assert item["role"] == "watchlist"
    assert item["entries"] == 12
    assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"])
    assert item["age_days"] > 1
    assert item["stale"] is True
    assert "STALE" in result.stderr
    table = run_cli(
        "watchlist", "info", "--role", "allowlist", str(LISTS / "licensed_agencies.csv")
    )
    assert table.returncode == 0
    for word in ("licensed_agencies", "allowlist", "entries", "sha256", "age", "stale"):
        assert word in table.stdout


def test_info_defaults_to_the_configured_lists(tmp_path):
    """Without files, info describes the configured watchlists and allowlists with their roles."""
    env = {
        "SCREENING_WATCHLISTS": str(LISTS / "recruiters.csv"),
        "SCREENING_ALLOWLISTS": str(LISTS / "licensed_agencies.csv"),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    result = run_cli("watchlist", "info", "-f", "jsonl", env=env)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()  # jsonl: one document on one line
    lists = json.loads(line)["lists"]
    assert [(i["name"], i["role"]) for i in lists] == [
        ("recruiters", "watchlist"),
        ("licensed_agencies", "allowlist"),
    ]
    nothing = run_cli("watchlist", "info", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert nothing.returncode == 2


def test_info_on_an_invalid_list_fails_closed(tmp_path):
    """RELIABILITY 27/29: a duplicate id or a missing file makes info exit 6 with one line."""
    path = tmp_path / "dup.csv"
    path.write_text(HEADER + "a,person,Sari,,,\na,person,Budi,,,\n", encoding="utf-8")
    result = run_cli("watchlist", "info", str(path))
    assert result.returncode == 6
    assert "refusing to screen against a partially loaded list" in result.stderr
    missing = run_cli("watchlist", "info", str(tmp_path / "nope.csv"))
    assert missing.returncode == 6
    assert_clean_failure(missing)


def test_import_ofac_writes_a_loadable_native_list(tmp_path, shared_data):
    """import --from ofac: 13,738 entries written, re-loaded, dated; no overwrite without --force."""
    raw = shared_data / "names" / "raw" / "ofac_sdn"
    out = tmp_path / "ofac.jsonl"
    # Any order; add.csv (addresses) is recognised and ignored.
    files = [str(raw / f) for f in ("alt.csv", "add.csv", "sdn.csv")]
    args = ("watchlist", "import", "--from", "ofac", *files)
    result = run_cli(*args, "--out", str(out), "--generated", "2024-05-03", "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["entries"] == 13738
    assert document["skipped"]["vessel"] == 851
    assert (
        out.read_text(encoding="utf-8").splitlines()[1] == "# generated: 2024-05-03T00:00:00+00:00"
    )
    info = run_cli("watchlist", "info", str(out), "-f", "json")
    assert json.loads(info.stdout)["lists"][0]["stale"] is True  # 2024-05-03 is > 365 days ago
    again = run_cli(*args, "--out", str(out))
    assert again.returncode == 6
    assert "--force" in again.stderr


def test_import_un_and_ftm(tmp_path, shared_data):
    """import --from un (one XML) and --from ftm (bad rows: exit 6 unless --allow-partial)."""
    out = tmp_path / "un.jsonl"
    xml = shared_data / "names" / "raw" / "un" / "UN_consolidated.xml"
    result = run_cli("watchlist", "import", "--from", "un", str(xml), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 1003 entries" in result.stdout
    ftm_out = tmp_path / "ftm.jsonl"
    ftm = ("watchlist", "import", "--from", "ftm", str(DATA / "ftm_sample.json"))
    refused = run_cli(*ftm, "--out", str(ftm_out))
    assert refused.returncode == 6
    assert not ftm_out.exists()
    assert sum(line.startswith(str(DATA)) for line in refused.stderr.splitlines()) == 3
    partial = run_cli(*ftm, "--out", str(ftm_out), "--allow-partial")
    assert partial.returncode == 0, partial.stderr
    assert "wrote 4 entries" in partial.stdout
    assert "skipped 1: Vessel" in partial.stdout


def test_import_usage_errors(tmp_path):
    """Two UN sources, a bad --generated date, or a non-OFAC CSV for ofac: usage error (exit 2)."""
    out = str(tmp_path / "x.jsonl")
    two = run_cli("watchlist", "import", "--from", "un", "a.xml", "b.xml", "--out", out)
    assert two.returncode == 2
    bad_date = run_cli(
        "watchlist", "import", "--from", "ftm", str(DATA / "ftm_sample.json"), "--out", out,
        "--generated", "soon",
    )  # fmt: skip
    assert bad_date.returncode == 2
    not_ofac = run_cli(
        "watchlist", "import", "--from", "ofac", str(LISTS / "agencies.csv"), "--out", out
    )
    assert not_ofac.returncode == 2
    assert "12 columns" in not_ofac.stderr


@pytest.mark.parametrize("command", ["check", "info", "import"])
def test_every_command_has_help_with_an_example(command):
    """Each subcommand's --help carries an Example line."""
    result = run_cli("watchlist", command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout
