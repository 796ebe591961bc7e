"""`screening mrz` through the installed command in a subprocess, as officers and scripts run it."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from conftest import ROOT, run_cli

SAMPLES = ROOT / "samples" / "mrz"
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F3404159ZE184226B<<<<<16\n"
TODAY = ("--today", "2026-11-28")


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_a_valid_sample_passes_with_exit_0() -> None:
    """All checks pass: the word PASS, exit 0."""
    result = run_cli("mrz", *TODAY, str(SAMPLES / "td3_valid.txt"))
    assert result.returncode == 0, result.stderr
    assert "PASS" in result.stdout
    assert "check_digit:composite" in result.stdout


@pytest.mark.parametrize(
    ("sample", "code"),
    [
        ("td3_bad_check_digit.txt", "check_digit:document_number"),
        ("td3_impossible_date.txt", "date:birth_date"),
        ("td3_filler_anomaly.txt", "filler:given_names"),
        ("td3_ocr_confused.txt", "check_digit:birth_date"),
    ],
)
def test_a_failing_check_exits_3_with_the_verdict_in_words(sample: str, code: str) -> None:
    """Some check fails: CHECKS FAILED, the failing code listed, exit 3."""
    result = run_cli("mrz", *TODAY, str(SAMPLES / sample))
    assert result.returncode == 3, result.stderr
    assert "CHECKS FAILED" in result.stdout
    assert code in result.stdout
    _no_traceback(result)


def test_ocr_suggestions_are_shown_but_not_applied() -> None:
    """RELIABILITY 22: the O/0 fix is suggested only; the verdict is for the text as read."""
    result = run_cli("mrz", *TODAY, "--format", "json", str(SAMPLES / "td3_ocr_confused.txt"))
    document = json.loads(result.stdout)["documents"][0]
    assert document["verdict"] == "checks_failed"
    assert document["mrz"]["corrections"] == []
    assert document["mrz"]["suggested_corrections"]
    assert document["suggestions_resolve_every_failure"] is True
    assert document["mrz"]["lines"] == document["mrz"]["original_lines"]


@pytest.mark.parametrize("sample", ["td3_reader_padding.txt", "td1_missing_line.txt"])
def test_unparseable_input_exits_5(sample: str) -> None:
    """UNREADABLE, the error code and the position, exit 5."""
    result = run_cli("mrz", *TODAY, str(SAMPLES / sample))
    assert result.returncode == 5
    assert "UNREADABLE" in result.stdout
    assert "line" in result.stdout
    _no_traceback(result)


def test_all_samples_show_every_case_and_exit_with_the_worst() -> None:
    """The demo run: every sample document appears, exit 5 (an unreadable one is worst)."""
    files = sorted(str(p) for p in SAMPLES.glob("*.txt"))
    result = run_cli("mrz", *TODAY, *files)
    assert result.returncode == 5
    for word in ("PASS", "CHECKS FAILED", "UNREADABLE"):
        assert word in result.stdout
    assert "17 document(s): 10 PASS, 5 CHECKS FAILED, 2 UNREADABLE" in result.stdout


def test_stdin_is_read_with_a_dash_or_no_argument() -> None:
    """`-` and no FILE both read standard input."""
    for args in (("-",), ()):
        result = run_cli("mrz", *TODAY, *args, stdin=TD3)
        assert result.returncode == 0, result.stderr
        assert "PASS" in result.stdout


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_input_gives_the_same_json(newline: str) -> None:
    """RELIABILITY 17: reader line endings and trailing spaces do not change the result."""
    canonical = run_cli("mrz", *TODAY, "-f", "json", stdin=TD3)
    other = run_cli("mrz", *TODAY, "-f", "json", stdin=TD3.replace("\n", "  " + newline) + newline)
    assert (
        json.loads(other.stdout)["documents"][0]["mrz"]
        == json.loads(canonical.stdout)["documents"][0]["mrz"]
    )


def test_json_has_a_schema_version_and_every_document() -> None:
    """--format json: one object with schema_version "1", documents and a summary."""
    result = run_cli("mrz", *TODAY, "-f", "json", str(SAMPLES / "several_documents.txt"))
    report = json.loads(result.stdout)
    assert report["schema_version"] == "1"
    assert report["summary"] == {"documents": 4, "pass": 3, "checks_failed": 1, "unreadable": 0}
    assert [d["first_line"] for d in report["documents"]] == [1, 5, 8, 11]
    assert report["exit_code"] == result.returncode == 3
    fields = report["documents"][0]["mrz"]["fields"]
    assert fields["document_number"]["position"] == {"line": 2, "start": 1, "end": 9}
    assert report["documents"][0]["mrz"]["dates"] == {
        "birth_date": "1974-08-12",
        "expiry_date": "2034-04-15",
    }


def test_jsonl_writes_one_object_per_document() -> None:
    """--format jsonl: each line is a JSON document with schema_version."""
    result = run_cli(
        "mrz",
        *TODAY,
        "-f",
        "jsonl",
        str(SAMPLES / "several_documents.txt"),
        str(SAMPLES / "td1_missing_line.txt"),
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5
    assert all(row["schema_version"] == "1" for row in rows)
    assert rows[-1]["verdict"] == "unreadable"
    assert rows[-1]["error"]["code"] == "incomplete_mrz"
    assert result.returncode == 5


def test_a_missing_file_is_reported_and_the_others_still_screened() -> None:
    """A file that does not exist is one UNREADABLE item; the batch carries on; exit 5."""
    result = run_cli(
        "mrz", *TODAY, "-f", "json", "no-such-file.txt", str(SAMPLES / "td3_valid.txt")
    )
    report = json.loads(result.stdout)
    assert [d["verdict"] for d in report["documents"]] == ["unreadable", "pass"]
    assert report["documents"][0]["error"]["code"] == "file_not_found"
    assert result.returncode == 5


def test_large_stdin_is_refused_quickly() -> None:
    """RELIABILITY 20: a 1 MB line or 10,000 lines -> input_too_long, exit 5, fast."""
    for text in ("<" * 1_048_576, "I<UTOD231458907<<<<<<<<<<<<<<<\n" * 10_000):
        started = time.perf_counter()
        result = run_cli("mrz", *TODAY, "-f", "json", stdin=text)
        assert time.perf_counter() - started < 10
        assert result.returncode == 5
        assert json.loads(result.stdout)["documents"][0]["error"]["code"] == "input_too_long"


def test_mrz_text_as_an_argument_is_a_usage_error_that_does_not_echo_it() -> None:
    """Never read MRZ from argv (shell history, ps): exit 2, and the text is not repeated."""
    line = TD3.splitlines()[1]
    result = run_cli("mrz", line)
    assert result.returncode == 2
    assert "standard input" in result.stderr
    assert line not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "args",
    [("--today", "28-11-2026"), ("--format", "xml"), ("--no-such-option",)],
)
def test_bad_options_are_usage_errors(args: tuple[str, ...]) -> None:
    """Exit 2 with a message, never a traceback."""
    result = run_cli("mrz", *args, stdin=TD3)
    assert result.returncode == 2
    _no_traceback(result)


def test_hostile_text_cannot_inject_markup_or_escape_sequences() -> None:
    """RELIABILITY 32: ESC and Rich markup in the input never reach the terminal as such."""
    hostile = "[bold green]PASS[/]\x1b[2J\x1b]0;pwned\x07\n" + TD3
    result = run_cli("mrz", *TODAY, stdin=hostile, env={"TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert result.returncode == 5
    _no_traceback(result)


def test_help_has_an_example() -> None:
    """The command's docstring is its --help and carries an Example."""
    result = run_cli("mrz", "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_csv_has_one_row_per_document_and_defuses_formulas() -> None:
    """--format csv: one row per document (unparseable ones too), resolved dates, safe cells."""
    hostile = "=HYPERLINK(1)\n\n" + TD3
    result = run_cli("mrz", *TODAY, "--format", "csv", stdin=hostile)
    assert result.returncode == 5, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["verdict"] for row in rows] == ["unreadable", "pass"]
    assert rows[1]["surname"] == "ERIKSSON"
    assert rows[1]["birth_date"] == "1974-08-12"
    assert rows[1]["failed_checks"] == ""
    assert rows[0]["error_code"]
    assert "=HYPERLINK" not in result.stdout
