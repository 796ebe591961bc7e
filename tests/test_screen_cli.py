"""`screening screen`, `batch` and `desk` through the installed command, as officers run them."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, XDG_ENV, run_cli, screening_exe

SAMPLES = ROOT / "samples"
MRZ = SAMPLES / "mrz"
LISTS = ROOT / "watchlists"
WATCH = ("-w", str(LISTS / "recruiters.csv"), "-w", str(LISTS / "agencies.csv"))
ALLOW = ("-a", str(LISTS / "licensed_agencies.csv"))
TODAY = ("--today", "2026-11-28")
SCHEMA = json.loads(
    (ROOT / "src" / "screening" / "data" / "result.schema.json").read_text(encoding="utf-8")
)


def screen_json(*args: str, stdin: str | None = None) -> tuple[int, dict]:
    result = run_cli("screen", *args, *TODAY, "--format", "json", stdin=stdin)
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return result.returncode, document


def codes(document: dict) -> list[str]:
    return [reason["code"] for reason in document["reasons"]]


def test_valid_specimen_with_lists_is_clear() -> None:
    """A valid MRZ, screened against the lists with nothing found: CLEAR, exit 0."""
    code, document = screen_json(str(MRZ / "td3_valid.txt"), *WATCH)
    assert (code, document["verdict"]) == (0, "clear"), codes(document)
    assert document["document"]["fields"]["document_number"] == "L898902C3"
    assert {item["name"] for item in document["lists"]} >= {"recruiters", "agencies"}
    assert "watchlist:recruiter" in document["not_checked"]


def test_failing_check_digit_is_an_alert_with_evidence() -> None:
    """A wrong check digit: ALERT (possible forgery), with expected and found digits."""
    code, document = screen_json(str(MRZ / "td3_bad_check_digit.txt"), *WATCH)
    assert code == 4
    assert document["verdict"] == "alert"
    reason = next(r for r in document["reasons"] if r["code"] == "mrz_check_digit")
    assert reason["evidence"]["expected"] != reason["evidence"]["found"]


def test_mrz_text_from_standard_input() -> None:
    """`-` reads MRZ text from standard input, as a document reader pipes it."""
    text = (MRZ / "td3_valid.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    code, document = screen_json("-", *WATCH, stdin=text)
    assert code == 0
    assert document["source"] == "-"


def test_flagged_recruiter_is_an_alert() -> None:
    """A recruiter on the watchlist (under a spelling variant) makes the verdict ALERT."""
    code, document = screen_json(str(MRZ / "td3_valid.txt"), *WATCH, "--recruiter", "Soeparman")
    assert code == 4
    assert "recruiter_watchlist_strong" in codes(document)
    match = document["matches"]["recruiter"][0]
    assert match["entity_id"].startswith("rec-")
    assert match["explanation"]


def test_agency_presented_as_cv_is_an_alert() -> None:
    """A CV cannot place migrant workers: ALERT, and it is not on the licensed allowlist."""
    code, document = screen_json(
        str(MRZ / "td3_valid.txt"), *WATCH, *ALLOW, "--agency", "CV Sumber Rezeki Abadi"
    )
    assert code == 4
    assert "agency_legal_form_invalid" in codes(document)
    assert "agency_not_licensed" in codes(document)


def test_licensed_agency_is_not_flagged() -> None:
    """A licensed PT on the allowlist, written differently, raises nothing about the agency."""
    code, document = screen_json(
        str(MRZ / "td3_valid.txt"), *WATCH, *ALLOW, "--agency", "Teladan Karya Mandiri, PT."
    )
    assert not [c for c in codes(document) if c.startswith("agency")], codes(document)
    assert code == 0


def test_each_screening_is_audited_without_personal_data(tmp_path: Path) -> None:
    """The audit log gets a row per screening; the file holds no number, name or MRZ."""
    db = tmp_path / "audit.sqlite3"
    env = {"SCREENING_AUDIT_DB": str(db), "SCREENING_CHECKPOINT": "BKL-TENGAH-1"}
    for name in ("td3_valid.txt", "td3_bad_check_digit.txt"):
        result = run_cli("screen", str(MRZ / name), *WATCH, *TODAY, env=env)
        assert result.returncode in {0, 4}, result.stderr
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    raw = db.read_bytes()
    for secret in (b"L898902C3", b"ERIKSSON", b"ANNA", b"740812", b"P<UTO"):
        assert secret not in raw
    verify = run_cli("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    report = run_cli("report", "--format", "json", env=env)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["total"] == 2


def test_without_any_watchlist_the_verdict_is_never_clear() -> None:
    """No list means names were not screened: REVIEW, and the checks say not_checked."""
    code, document = screen_json(str(MRZ / "td3_valid.txt"))
    assert code == 3
    assert "no_watchlist" in codes(document)
    assert "watchlist:holder" in document["not_checked"]


@pytest.mark.ocr
def test_scan_is_read_and_screened() -> None:
    """An image goes through OCR; the read MRZ is screened and the box is reported."""
    code, document = screen_json(str(SAMPLES / "td3_clean.jpg"), *WATCH)
    assert document["verdict"] in {"clear", "review"}, codes(document)
    assert document["document"]["fields"]["surname"] == "CONTOH"
    assert document["read"]["box"]
    assert code in {0, 3}


@pytest.mark.ocr
def test_image_without_mrz_is_no_result() -> None:
    """A card front without an MRZ: NO RESULT, exit 5, never CLEAR."""
    code, document = screen_json(str(SAMPLES / "td1_front_no_mrz.jpg"), *WATCH)
    assert (code, document["verdict"]) == (5, "no_result")
    assert document["error"]["code"] == "no_mrz_found"


def test_corrupt_file_is_no_result_without_traceback(tmp_path: Path) -> None:
    """A text file named .jpg that is not MRZ, and a truncated JPEG: NO RESULT, exit 5."""
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes((SAMPLES / "td3_clean.jpg").read_bytes()[:5000])
    code, document = screen_json(str(truncated), *WATCH)
    assert (code, document["error"]["code"]) == (5, "corrupt_image")


def test_broken_watchlist_refuses_to_screen(tmp_path: Path) -> None:
    """A watchlist with a bad row: exit 6, one line naming the file, nothing screened."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,kind,name\nx1,person,\n", encoding="utf-8")
    result = run_cli("screen", str(MRZ / "td3_valid.txt"), "-w", str(bad), *TODAY)
    assert result.returncode == 6
    assert "bad.csv" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_table_output_without_colour_names_the_verdict() -> None:
    """With NO_COLOR and a pipe the panel has no escape codes and says the verdict in words."""
    result = run_cli("screen", str(MRZ / "td3_bad_check_digit.txt"), *WATCH, *TODAY)
    assert result.returncode == 4
    assert "\x1b" not in result.stdout
    assert "ALERT" in result.stdout
    assert "Next:" in result.stdout


def test_hostile_names_cannot_spoof_the_verdict() -> None:
    """Rich markup and escape sequences in a recruiter name are shown inert."""
    name = "[bold green]CLEAR[/] \x1b[2J\x1b]0;pwned\x07"
    result = run_cli(
        "screen", str(MRZ / "td3_bad_check_digit.txt"), *WATCH, *TODAY, "--recruiter", name
    )
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "ALERT" in result.stdout


# --- batch ------------------------------------------------------------------------------------


def _batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("td3_valid.txt", "td3_bad_check_digit.txt", "td1_valid.txt"):
        shutil.copy(MRZ / name, folder / name)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_bytes(b"%PDF-1.4 this is not really a pdf")
    os.mkfifo(folder / "pipe.jpg")
    (folder / "link.txt").symlink_to(folder / "td3_valid.txt")
    return folder


def _report(text: str) -> tuple[list[dict], dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    items = [line for line in lines if line["type"] == "item"]
    summary = [line for line in lines if line["type"] == "summary"]
    assert len(summary) == 1
    return items, summary[0]


def test_batch_accounts_for_every_input_and_exits_with_the_worst(tmp_path: Path) -> None:
    """Every file (FIFO, empty, mislabelled, link) is in the report; exit 4 for the alert."""
    folder = _batch_dir(tmp_path)
    result = run_cli("batch", str(folder), *WATCH, *TODAY, "--jobs", "2", timeout=120)
    assert "Traceback" not in result.stderr
    items, summary = _report(result.stdout)
    by_name = {Path(item["source"]).name: item for item in items}
    assert set(by_name) == {p.name for p in folder.iterdir()}
    for item in items:
        jsonschema.validate(dict(item), SCHEMA)
    assert by_name["pipe.jpg"]["error"]["code"] == "not_regular_file"
    assert by_name["empty.jpg"]["error"]["code"] == "empty_file"
    assert by_name["link.txt"]["error"]["code"] == "symlink_not_followed"
    assert by_name["notes.jpg"]["verdict"] == "no_result"
    assert by_name["td3_bad_check_digit.txt"]["verdict"] == "alert"
    assert summary["complete"] is True
    assert summary["documents"] == len(items) == sum(summary["verdicts"].values())
    assert result.returncode == 4


def test_batch_csv_report_to_file_and_resume(tmp_path: Path) -> None:
    """A CSV report is written atomically; --resume with a JSONL report skips done inputs."""
    folder = _batch_dir(tmp_path)
    report = tmp_path / "report.jsonl"
    first = run_cli("batch", str(folder), *WATCH, *TODAY, "-o", str(report))
    assert first.returncode == 4
    second = run_cli(
        "batch", str(folder), *WATCH, *TODAY, "--resume", str(report), "-o", str(report)
    )
    assert second.returncode == 2 or "exists" in second.stderr
    again = tmp_path / "again.jsonl"
    resumed = run_cli(
        "batch", str(folder), *WATCH, *TODAY, "--resume", str(report), "-o", str(again)
    )
    assert resumed.returncode == 4
    before, _ = _report(report.read_text(encoding="utf-8"))
    after, summary = _report(again.read_text(encoding="utf-8"))
    assert sorted(i["source"] for i in before) == sorted(i["source"] for i in after)
    assert summary["complete"] is True
    csv_report = tmp_path / "report.csv"
    as_csv = run_cli("batch", str(folder), *WATCH, *TODAY, "-f", "csv", "-o", str(csv_report))
    assert as_csv.returncode == 4
    assert csv_report.read_text(encoding="utf-8").startswith("source,")


@pytest.mark.ocr
def test_ctrl_c_writes_a_partial_report(tmp_path: Path) -> None:
    """SIGINT during a batch: exit 130 quickly; the report is complete JSON marked partial."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for index in range(60):
        shutil.copy(SAMPLES / "td3_photo.jpg", folder / f"doc{index:02d}.jpg")
    report = tmp_path / "report.jsonl"
    env = {**os.environ, **XDG_ENV, "NO_COLOR": "1"}
    process = subprocess.Popen(
        [screening_exe(), "batch", str(folder), *WATCH, *TODAY, "-o", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    time.sleep(2.5)
    assert process.poll() is None, "the batch finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert process.returncode == 130, stderr
    items, summary = _report(report.read_text(encoding="utf-8"))
    assert summary["complete"] is False
    assert len(items) == 60
    assert any(item["error"] and item["error"]["code"] == "interrupted" for item in items)


# --- desk -------------------------------------------------------------------------------------


def test_desk_reads_documents_from_a_reader_on_a_pipe() -> None:
    """Two documents from a reader (CRLF, padding, blank line): two verdicts as JSON lines."""
    first = (MRZ / "td3_valid.txt").read_text(encoding="utf-8").strip().splitlines()
    second = (MRZ / "td1_valid.txt").read_text(encoding="utf-8").strip().splitlines()
    stream = "\r\n".join([f"  {first[0]}\x00", first[1], "", *second]) + "\r\n"
    result = run_cli("desk", *WATCH, *TODAY, "--format", "jsonl", stdin=stream)
    assert "Traceback" not in result.stderr
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["document"]["doc_type"] for v in verdicts] == ["TD3", "TD1"]
    assert [v["verdict"] for v in verdicts] == ["clear", "clear"]
    assert result.returncode == 0


def test_desk_csv_has_a_header_and_one_row_per_document() -> None:
    """--format csv at the desk: the report columns once, then a row per document as it comes."""
    text = (MRZ / "td3_valid.txt").read_text(encoding="utf-8")
    result = run_cli("desk", *WATCH, *TODAY, "--format", "csv", stdin=text + "\n" + text)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["doc_type"], row["verdict"]) for row in rows] == [("TD3", "clear")] * 2


def test_desk_refuses_json_because_it_never_ends() -> None:
    """--format json would only be complete when the desk stops: usage error, exit 2."""
    result = run_cli("desk", *WATCH, *TODAY, "--format", "json", stdin="")
    assert result.returncode == 2
    assert "jsonl or csv" in result.stderr


def test_desk_asks_for_recruiter_and_agency_on_a_terminal() -> None:
    """On a terminal, the desk asks for the recruiter and agency, then shows the verdict."""
    main_fd, child_fd = pty.openpty()
    env = {**os.environ, **XDG_ENV, "NO_COLOR": "1", "COLUMNS": "140", "TERM": "xterm"}
    process = subprocess.Popen(
        [screening_exe(), "desk", *WATCH, *TODAY, "--clear-after", "0"],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    output = b""

    def read_until(token: bytes, timeout: float = 30) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while token not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if ready:
                try:
                    output += os.read(main_fd, 65536)
                except OSError:
                    break
        assert token in output, output.decode(errors="replace")[-2000:]

    try:
        read_until(b"Desk ready")
        for line in (MRZ / "td3_valid.txt").read_text(encoding="utf-8").split():
            os.write(main_fd, line.encode() + b"\r")
        read_until(b"Recruiter")
        os.write(main_fd, b"Soeparman\r")
        read_until(b"Agency")
        os.write(main_fd, b"\r")
        read_until(b"ALERT")
        os.write(main_fd, b"\x04")
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main_fd)
    assert process.returncode == 4


def test_desk_watches_a_scan_folder_and_files_each_scan(tmp_path: Path) -> None:
    """A file dropped in --watch is screened once it stops growing, then moved to done/."""
    folder = tmp_path / "scans"
    folder.mkdir()
    env = {**os.environ, **XDG_ENV, "NO_COLOR": "1"}
    process = subprocess.Popen(
        [
            screening_exe(),
            "desk",
            "--watch",
            str(folder),
            "--no-stdin",
            "--format",
            "jsonl",
            *WATCH,
            *TODAY,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        shutil.copy(MRZ / "td3_bad_check_digit.txt", folder / "scan1.txt")
        (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a real jpeg")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            (folder / "done" / "scan1.txt").exists() and (folder / "failed" / "broken.jpg").exists()
        ):
            time.sleep(0.2)
        assert (folder / "done" / "scan1.txt").exists()
        assert (folder / "failed" / "broken.jpg").exists()
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr
    verdicts = {
        Path(line["source"]).name: line["verdict"] for line in map(json.loads, stdout.splitlines())
    }
    assert verdicts == {"scan1.txt": "alert", "broken.jpg": "no_result"}
    assert process.returncode == 130


@pytest.mark.parametrize(
    "agency", ["PT Rekaan Duta", "PT Contoh Abadi", "PT Karya Teladan Mandiri"]
)
def test_an_agency_named_like_a_licensed_one_is_not_licensed(agency: str) -> None:
    """Licensed means the same company: a look-alike name is `agency_not_licensed` (REVIEW)."""
    code, document = screen_json(str(MRZ / "td3_valid.txt"), *WATCH, *ALLOW, "--agency", agency)
    assert "agency_not_licensed" in codes(document)
    assert code in {3, 4}


@pytest.mark.parametrize(
    "agency", ["Perseroan Terbatas Teladan Karya Mandiri", "PT Teladan Karya Mandiri Tbk"]
)
def test_written_out_and_listed_pt_forms_are_licensable(agency: str) -> None:
    """'Perseroan Terbatas' and 'PT ... Tbk' are the PT form: no legal-form finding."""
    _, document = screen_json(str(MRZ / "td3_valid.txt"), *WATCH, *ALLOW, "--agency", agency)
    assert not [c for c in codes(document) if c.startswith("agency_legal_form")]


def test_a_recruiter_no_loaded_list_can_check_is_not_cleared() -> None:
    """With only the agencies list, a named recruiter was not screened: REVIEW, not CLEAR."""
    code, document = screen_json(
        str(MRZ / "td3_valid.txt"),
        "-w",
        str(LISTS / "agencies.csv"),
        "--recruiter",
        "H. Soeparman",
    )
    assert code == 3
    assert {"party": "recruiter"} in [
        r["evidence"] for r in document["reasons"] if r["code"] == "party_not_screened"
    ]
    assert "watchlist:recruiter" in document["not_checked"]


def test_an_agency_without_an_allowlist_is_not_cleared() -> None:
    """An agency given without any licensed-agency list: its licence was not checked."""
    code, document = screen_json(
        str(MRZ / "td3_valid.txt"), *WATCH, "--agency", "PT Teladan Karya Mandiri"
    )
    assert code == 3
    assert "party_not_screened" in codes(document)


def test_a_listed_passport_number_is_a_hit_whatever_the_name() -> None:
    """A document number on the watchlist is decisive even under another name."""
    text = (
        "P<IDNSAMPEL<<BUDI<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"
        "X0000017<9IDN9001011M3001019<<<<<<<<<<<<<<<8\n"
    )
    code, document = screen_json("-", *WATCH, stdin=text)
    assert code == 4
    assert document["matches"]["holder"][0]["entity_id"] == "rec-0001"


def test_a_text_file_that_is_not_mrz_is_one_no_result(tmp_path: Path) -> None:
    """A README-like text is one `no_mrz_found`, not one parse error per line."""
    notes = tmp_path / "notes.jpg"
    notes.write_text("hello world\nroot:x:0:0:root:/root:/bin/bash\n" * 5, encoding="utf-8")
    result = run_cli("screen", str(notes), *WATCH, *TODAY, "--format", "jsonl", "--no-audit")
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert [i["error"]["code"] for i in items if i["type"] == "item"] == ["no_mrz_found"]
    assert result.returncode == 5


def test_links_left_out_on_purpose_do_not_decide_the_exit_code(tmp_path: Path) -> None:
    """A symlink not followed is in the report but the batch of clean documents exits 0."""
    folder = tmp_path / "scans"
    folder.mkdir()
    shutil.copy(MRZ / "td3_valid.txt", folder / "a.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    result = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit")
    items, summary = _report(result.stdout)
    assert [i["error"]["code"] for i in items if i["error"]] == ["symlink_not_followed"]
    assert result.returncode == 0, summary


def test_missing_tesseract_is_an_environment_error_not_a_verdict(tmp_path: Path) -> None:
    """Without the tesseract binary on PATH, screening a scan exits 7 naming the package."""
    env = {"PATH": str(Path(screening_exe()).parent)}
    single = run_cli(
        "screen", str(SAMPLES / "td3_clean.jpg"), *WATCH, *TODAY, "--no-audit", env=env
    )
    assert single.returncode == 7, single.stderr
    assert "tesseract-ocr" in single.stderr
    folder = tmp_path / "scans"
    folder.mkdir()
    shutil.copy(SAMPLES / "td3_clean.jpg", folder / "scan.jpg")
    batch = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", env=env)
    assert batch.returncode == 7, batch.stderr
    assert "tesseract-ocr" in batch.stderr
