"""`screening read` through the installed command: output formats, exit codes, batches."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

SAMPLES = ROOT / "samples"
pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def test_clean_sample_table_exit_0() -> None:
    """A clean specimen prints PASS, the document number and where the MRZ was found; exit 0."""
    done = run_cli("read", str(SAMPLES / "td3_clean.jpg"), "--today", "2026-11-28")
    assert done.returncode == 0, done.stderr
    assert "PASS" in done.stdout
    assert "C7H2X9041" in done.stdout
    assert "found on page 1" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_json_output_has_schema_and_fields() -> None:
    """--format json carries schema_version, the fields, the box and the line confidences."""
    done = run_cli(
        "read", str(SAMPLES / "td1_clean.jpg"), "--format", "json", "--today", "2026-11-28"
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema_version"] == "1"
    (page,) = document["files"][0]["pages"]
    assert page["mrz"]["fields"]["document_number"]["value"] == "UT4K80Q27"
    assert page["mrz"]["fields"]["surname"]["value"] == "SAMPEL"
    assert set(page["box"]) == {"x", "y", "width", "height"}
    assert len(page["line_confidences"]) == 3


def test_batch_with_negative_exits_5_and_reports_each_file(tmp_path: Path) -> None:
    """A batch with a good file, a file without MRZ and a fake image: jsonl per file, exit 5."""
    fake = tmp_path / "fake.jpg"
    fake.write_text("hello")
    done = run_cli(
        "read",
        str(SAMPLES / "td3_clean.jpg"),
        str(SAMPLES / "td1_front_no_mrz.jpg"),
        str(fake),
        "--format",
        "jsonl",
        "--today",
        "2026-11-28",
    )
    assert done.returncode == 5, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["verdict"] for r in records] == ["pass", "unreadable", "unreadable"]
    assert records[1]["error"]["code"] == "no_mrz_found"
    assert records[2]["error"]["code"] == "unsupported_format"
    assert all(r["schema_version"] == "1" for r in records)
    assert "Traceback" not in done.stderr


def test_no_mrz_table_says_so() -> None:
    """The negative sample prints a clear 'no_mrz_found' line in the table, exit 5."""
    done = run_cli("read", str(SAMPLES / "td1_front_no_mrz.jpg"))
    assert done.returncode == 5
    assert "no_mrz_found" in done.stdout
    assert "UNREADABLE" in done.stdout


def test_csv_has_one_row_per_page_and_per_unreadable_file(tmp_path: Path) -> None:
    """--format csv: a header, one row per page read and one per file that gave nothing."""
    done = run_cli(
        "read",
        str(SAMPLES / "td3_and_visa.pdf"),
        str(SAMPLES / "td1_front_no_mrz.jpg"),
        "--format",
        "csv",
        "--today",
        "2026-11-28",
    )
    assert done.returncode == 5, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(row["page"], row["doc_type"]) for row in rows] == [
        ("1", "TD3"),
        ("2", "MRV-A"),
        ("", ""),
    ]
    assert rows[0]["issuing_state"] == "UTO"
    assert rows[2]["error_code"] == "no_mrz_found"


def test_unknown_format_is_usage_error() -> None:
    """--format xml is not a format: usage error, exit 2."""
    done = run_cli("read", str(SAMPLES / "td3_clean.jpg"), "--format", "xml")
    assert done.returncode == 2


def test_configured_byte_limit_applies_to_read() -> None:
    """`read` uses the configured limits (here SCREENING_MAX_BYTES), like `screen` and `batch`."""
    done = run_cli(
        "read",
        str(SAMPLES / "td3_clean.jpg"),
        "--format",
        "json",
        env={"SCREENING_MAX_BYTES": "1000"},
    )
    assert done.returncode == 5, done.stderr
    record = json.loads(done.stdout)["files"][0]
    assert record["error"]["code"] == "file_too_large"


def test_bad_configured_timeout_is_configuration_error() -> None:
    """An invalid `ocr_timeout_s` setting exits 6 and names the variable, before any OCR."""
    done = run_cli("read", str(SAMPLES / "td3_clean.jpg"), env={"SCREENING_OCR_TIMEOUT_S": "soon"})
    assert done.returncode == 6
    assert "SCREENING_OCR_TIMEOUT_S" in done.stderr
