"""The 44 cases of ../shared/RELIABILITY.md, one test each, through the installed command.

Every test runs the real `screening` console script in a subprocess (`run_cli`, isolated XDG
folders), except the cases the file marks *unit* (21 and 44), which call the public Python API.
Faults are injected without hooks in the product: a fake `tesseract` first in PATH, a
monkey-patched entry point in `python -c`, privileges dropped to `nobody`, signals. The
docstring of each test states the behaviour we hold to be correct; where it differs from the
proposal in RELIABILITY.md, the docstring says why. Exit codes: 0 clear, 1 internal, 2 usage,
3 review, 4 alert, 5 not screened, 6 configuration/watchlist, 7 environment, 130 interrupted.
"""

# ruff: noqa: PLC0415, RUF001, RUF002 - lazy imports in unit cases; confusables are test data

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pty
import pwd
import re
import select
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from conftest import ROOT, SHARED_DATA, XDG_ENV, run_cli, screening_exe

SAMPLES = ROOT / "samples"
MRZ = SAMPLES / "mrz"
LISTS = ROOT / "watchlists"
WATCH = ("-w", str(LISTS / "recruiters.csv"), "-w", str(LISTS / "agencies.csv"))
TODAY = ("--today", "2026-11-28")
SCHEMA = json.loads(
    (ROOT / "src" / "screening" / "data" / "result.schema.json").read_text(encoding="utf-8")
)
TD3 = (MRZ / "td3_valid.txt").read_text(encoding="utf-8").split()
# The specimen's personal data: must never appear in messages, logs or the audit database.
SPECIMEN_VALUES = ("L898902C3", "ERIKSSON", "740812", TD3[0], TD3[1])
# Every escape sequence Rich itself emits (SGR styles, hyperlinks are off): anything else that
# reaches a terminal came from untrusted text.
_SGR = re.compile(rb"\x1b\[[0-9;]*m")


# --- helpers ----------------------------------------------------------------------------------


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stdout


def _jsonl(text: str) -> tuple[list[dict], dict | None]:
    """Items and summary of a JSON lines batch report."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    items = [line for line in lines if line.get("type") == "item"]
    summaries = [line for line in lines if line.get("type") == "summary"]
    return items, (summaries[0] if summaries else None)


def _by_name(items: list[dict]) -> dict[str, dict]:
    return {Path(item["source"]).name: item for item in items}


def _error_code(item: dict) -> str | None:
    return (item.get("error") or {}).get("code")


def _screen_json(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    result = run_cli("screen", *args, *TODAY, "--no-audit", "-f", "json", env=env, stdin=stdin)
    _no_traceback(result)
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return result.returncode, document


def _read_json(*paths: Path, env: dict[str, str] | None = None):
    result = run_cli("read", *map(str, paths), "-f", "json", *TODAY, env=env)
    _no_traceback(result)
    return result.returncode, json.loads(result.stdout)


def _fake_tesseract(folder: Path, body: str) -> dict[str, str]:
    """A `tesseract` shell script first in PATH; returns the env for the subprocess."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def _noise(width: int = 320, height: int = 200) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")


def _png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side x side black pixels; the zero IDAT compresses ~1000:1."""
    row = 1 + (side + 7) // 8
    comp = zlib.compressobj(9)
    parts = []
    block = bytes(1 << 20)
    left = row * side
    while left:
        n = min(left, len(block))
        parts.append(comp.compress(block[:n]))
        left -= n
    parts.append(comp.flush())
    ihdr = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def _nobody() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def _public_dir() -> Path:
    """A fresh folder that `nobody` can use (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="screening-rel-"))
    folder.chmod(0o777)
    return folder


def _with_peak_rss(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> tuple[dict, float]:
    """Run `screening args` under a fresh Python parent; (result, child peak RSS in MB)."""
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr,"
        " 's': time.monotonic() - t,"
        " 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, screening_exe(), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **XDG_ENV, "NO_COLOR": "1", **env},
        timeout=120,
        check=True,
        input=stdin,  # inherited by the command
    )
    report = json.loads(done.stdout)
    return report, report["rss"] / 1024


def _pty_run(args: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, bytes]:
    """Run the command on a pseudo-terminal and return (exit code, everything it wrote)."""
    main_fd, child_fd = pty.openpty()
    full_env = {**os.environ, **XDG_ENV, "COLUMNS": "140", **env}
    full_env.pop("NO_COLOR", None) if "NO_COLOR" not in env else None
    process = subprocess.Popen(
        [screening_exe(), *args],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=full_env,
        close_fds=True,
    )
    os.close(child_fd)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main_fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main_fd)
    return process.returncode, output


def _colour_codes(output: bytes) -> list[int]:
    """The colour parameters (30-49, 90-107) of every SGR sequence in `output`."""
    params = b";".join(m.group(1) for m in re.finditer(rb"\x1b\[([0-9;]*)m", output))
    return [int(p) for p in params.split(b";") if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107)]


def _specimen_tokens_absent(text: str | bytes) -> None:
    raw = text.encode() if isinstance(text, str) else text
    for value in SPECIMEN_VALUES:
        assert value.encode() not in raw, f"personal data {value[:4]}... leaked"


# --- 1-16: files, images, batches -------------------------------------------------------------


def test_case_01_zero_byte_jpg_is_empty_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    """A 0-byte x.jpg becomes an item `empty_file` (no traceback); the next file is still
    screened; the batch exits 5 (NO RESULT beats CLEAR)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.jpg").write_bytes(b"")
    shutil.copy(MRZ / "td3_valid.txt", folder / "y.txt")
    result = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit")
    _no_traceback(result)
    items, summary = _jsonl(result.stdout)
    by_name = _by_name(items)
    assert _error_code(by_name["x.jpg"]) == "empty_file"
    assert by_name["x.jpg"]["verdict"] == "no_result"
    assert by_name["y.txt"]["verdict"] == "clear"
    assert summary is not None
    assert summary["complete"] is True
    assert result.returncode == 5


def test_case_02_format_is_chosen_by_magic_bytes_not_by_extension(tmp_path: Path) -> None:
    """A text file named .jpg is `unsupported_format` for `read` (images only); a PDF named .jpg
    is read as a PDF. `screen` takes MRZ text files too, so for it a .jpg holding text is
    screened as text (here: no MRZ, NO RESULT, exit 5) - also by content, never by name."""
    text = tmp_path / "letter.jpg"
    text.write_text("Dear officer, this is not an image.\n", encoding="utf-8")
    code, report = _read_json(text)
    assert code == 5
    assert report["files"][0]["error"]["code"] == "unsupported_format"
    code, document = _screen_json(str(text), *WATCH)
    assert (code, document["verdict"]) == (5, "no_result")
    pdf = tmp_path / "scan.jpg"
    shutil.copy(SAMPLES / "td1_front_back.pdf", pdf)
    code, report = _read_json(pdf)
    assert code == 0, report
    pages = report["files"][0]["pages"]
    assert [page["mrz"]["doc_type"] for page in pages] == ["TD1"]


def test_case_03_truncated_jpeg_is_corrupt_and_never_reaches_ocr(tmp_path: Path) -> None:
    """A JPEG cut in half is `corrupt_image` (exit 5). A fake tesseract that records every call
    proves no OCR ran on a partial (half-grey) decode."""
    data = (SAMPLES / "td3_clean.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    marker = tmp_path / "ocr-called"
    env = _fake_tesseract(tmp_path / "bin", f"touch {marker}\nexit 1")
    code, report = _read_json(cut, env=env)
    assert code == 5
    assert report["files"][0]["error"]["code"] == "corrupt_image"
    code, document = _screen_json(str(cut), *WATCH, env=env)
    assert code == 5
    assert document["error"]["code"] == "corrupt_image"
    assert not marker.exists(), "OCR ran on a partial decode"


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", "png"), ("TIFF", "tif")])
def test_case_04_truncated_png_and_tiff_are_corrupt(tmp_path: Path, fmt: str, suffix: str) -> None:
    """Truncated PNG and TIFF files are `corrupt_image`, exit 5, no traceback."""
    buffer = io.BytesIO()
    _noise().save(buffer, fmt)
    data = buffer.getvalue()
    path = tmp_path / f"cut.{suffix}"
    path.write_bytes(data[: len(data) * 2 // 3])
    code, report = _read_json(path)
    assert code == 5
    assert report["files"][0]["error"]["code"] == "corrupt_image"


def test_case_05_decompression_bombs_are_refused_from_the_header(tmp_path: Path) -> None:
    """1.6 Gpx, 400 Mpx and 100 Mpx PNG bombs (each < 2 MB on disk) are `too_many_pixels`,
    refused from the header before decoding: the whole command (Python start-up included)
    stays under 300 MB peak RSS and finishes quickly. (The loader itself takes milliseconds;
    the generous wall-clock bound here only catches a real decode, which takes ~50 s.)"""
    paths = []
    for side in (40_000, 20_000, 10_000):
        path = tmp_path / f"bomb{side}.png"
        path.write_bytes(_png_bomb(side))
        assert path.stat().st_size < 2 * 1024 * 1024
        paths.append(path)
    report, peak_mb = _with_peak_rss(["read", *map(str, paths), "-f", "json", *TODAY], {})
    assert report["rc"] == 5, report["err"]
    files = json.loads(report["out"])["files"]
    assert [f["error"]["code"] for f in files] == ["too_many_pixels"] * 3
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
    assert report["s"] < 15


def test_case_06_pixel_cap_is_configurable(tmp_path: Path) -> None:
    """Lowering `max_pixels` (SCREENING_MAX_PIXELS) makes a 100x100 image `too_many_pixels`;
    with the default it loads (and, having no MRZ, is `no_mrz_found`)."""
    path = tmp_path / "small.png"
    _noise(100, 100).save(path)
    code, document = _screen_json(str(path), *WATCH, env={"SCREENING_MAX_PIXELS": "5000"})
    assert code == 5
    assert document["error"]["code"] == "too_many_pixels"
    code, document = _screen_json(str(path), *WATCH)
    assert document["error"]["code"] == "no_mrz_found"
    bad = run_cli("screen", str(path), *WATCH, env={"SCREENING_MAX_PIXELS": "0"})
    assert bad.returncode == 6  # a bad limit is a configuration error, not a silent default


def _three_page_tiff(path: Path) -> None:
    page = Image.open(SAMPLES / "td3_clean.jpg").convert("RGB")
    page.save(path, "TIFF", save_all=True, append_images=[page, page])


def test_case_07_three_page_tiff_gives_three_page_results(tmp_path: Path) -> None:
    """A three-page TIFF gives one result per page (3); with `max_pages` 2 the result says
    `pages_truncated` - never page 1 only without saying so."""
    path = tmp_path / "three.tif"
    _three_page_tiff(path)
    code, report = _read_json(path)
    assert code == 0, report
    assert [page["page"] for page in report["files"][0]["pages"]] == [1, 2, 3]
    result = run_cli(
        "screen",
        str(path),
        *WATCH,
        *TODAY,
        "--no-audit",
        "-f",
        "jsonl",
        env={"SCREENING_MAX_PAGES": "2"},
    )
    _no_traceback(result)
    items = _jsonl(result.stdout)[0]
    assert len(items) == 2
    assert all("pages_truncated" in json.dumps(item["read"]) for item in items)


def test_case_08_huge_pdf_is_truncated_and_encrypted_pdf_refused(tmp_path: Path) -> None:
    """A 300-page PDF: only the first `max_pages` pages are rasterised, and the result says
    `pages_truncated`; a password-protected PDF is `encrypted_pdf` at once (no prompt: stdin is
    closed and the command returns)."""
    first = Image.open(SAMPLES / "td3_clean.jpg").convert("RGB")
    blank = Image.new("RGB", (60, 40), "white")
    big = tmp_path / "big.pdf"
    first.save(big, "PDF", save_all=True, append_images=[blank] * 299, resolution=150)
    result = run_cli(
        "screen",
        str(big),
        *WATCH,
        *TODAY,
        "--no-audit",
        "-f",
        "jsonl",
        env={"SCREENING_MAX_PAGES": "3"},
    )
    _no_traceback(result)
    items = _jsonl(result.stdout)[0]
    assert items, result.stderr
    assert "pages_truncated" in json.dumps(items[0]["read"])
    assert items[0]["document"]["doc_type"] == "TD3"
    from test_images import _encrypted_pdf  # the RC4 writer lives beside the loader tests

    locked = tmp_path / "locked.pdf"
    locked.write_bytes(_encrypted_pdf(b"secret"))
    code, document = _screen_json(str(locked), *WATCH, stdin="")
    assert (code, document["error"]["code"]) == (5, "encrypted_pdf")


def test_case_09_sparse_2gb_file_is_refused_from_stat(tmp_path: Path) -> None:
    """A sparse 2 GB file is `file_too_large`, decided from stat() before any read (fast, and
    without 2 GB of memory)."""
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.write(b"\xff\xd8\xff")
        handle.truncate(2 * 1024**3)
    report, peak_mb = _with_peak_rss(
        ["screen", str(path), *WATCH, *TODAY, "--no-audit", "-f", "json"], {}
    )
    assert report["rc"] == 5
    assert json.loads(report["out"])["error"]["code"] == "file_too_large"
    assert peak_mb < 300
    _, read_report = _read_json(path)
    assert read_report["files"][0]["error"]["code"] == "file_too_large"


def test_case_10_fifo_in_a_batch_is_never_opened(tmp_path: Path) -> None:
    """A FIFO in the batch folder is `not_regular_file` and is never opened (opening it would
    block forever: the generous subprocess timeout turns that into a failure)."""
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.jpg")
    shutil.copy(MRZ / "td3_valid.txt", folder / "ok.txt")
    result = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", timeout=30)
    _no_traceback(result)
    by_name = _by_name(_jsonl(result.stdout)[0])
    assert _error_code(by_name["pipe.jpg"]) == "not_regular_file"
    assert by_name["ok.txt"]["verdict"] == "clear"
    single = run_cli("screen", str(folder / "pipe.jpg"), *WATCH, *TODAY, timeout=30)
    assert single.returncode == 5


def test_case_11_broken_links_and_directory_loops(tmp_path: Path) -> None:
    """A dangling symlink is `broken_link`; a directory loop finishes; `--follow-symlinks` also
    finishes and screens each inode once (a second path to a file is `duplicate_file`).
    Without the flag, links are reported `symlink_not_followed` (never silently dropped)."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(MRZ / "td3_valid.txt", folder / "sub" / "doc.txt")
    (folder / "dangling.jpg").symlink_to(folder / "gone.jpg")
    (folder / "sub" / "loop").symlink_to(folder)
    (folder / "alias.txt").symlink_to(folder / "sub" / "doc.txt")
    plain = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", timeout=60)
    _no_traceback(plain)
    items, summary = _jsonl(plain.stdout)
    assert summary is not None
    assert summary["complete"] is True
    codes = {Path(i["source"]).name: _error_code(i) for i in items}
    assert codes["dangling.jpg"] == "symlink_not_followed"
    assert codes["doc.txt"] is None
    follow = run_cli(
        "batch", str(folder), *WATCH, *TODAY, "--no-audit", "--follow-symlinks", timeout=60
    )
    _no_traceback(follow)
    items, summary = _jsonl(follow.stdout)
    assert summary is not None
    assert summary["complete"] is True
    screened = [i for i in items if _error_code(i) is None]
    assert len(screened) == 1, [i["source"] for i in screened]
    codes = {Path(i["source"]).name: _error_code(i) for i in items}
    assert codes["dangling.jpg"] == "broken_link"
    assert "duplicate_file" in codes.values()
    single = run_cli("screen", str(folder / "dangling.jpg"), *WATCH, *TODAY, "-f", "json")
    assert json.loads(single.stdout)["error"]["code"] == "broken_link"


def test_case_12_unreadable_file_as_nobody_is_permission_denied() -> None:
    """A mode-000 file screened by a non-root user is `permission_denied`; the other files are
    screened. As root, the command runs as `nobody` (root reads mode-000 files)."""
    if os.geteuid() == 0 and _nobody() is None:
        pytest.skip("running as root and there is no `nobody` user to drop privileges to")
    base = _public_dir()
    try:
        folder = base / "in"
        folder.mkdir(mode=0o755)
        shutil.copy(MRZ / "td3_valid.txt", folder / "ok.txt")
        (folder / "ok.txt").chmod(0o644)
        secret = folder / "secret.txt"
        shutil.copy(MRZ / "td3_valid.txt", secret)
        secret.chmod(0)
        lists = base / "lists"
        lists.mkdir(mode=0o755)
        for name in ("recruiters.csv", "agencies.csv"):
            shutil.copy(LISTS / name, lists / name)
            (lists / name).chmod(0o644)
        env = {
            **os.environ,
            "NO_COLOR": "1",
            "HOME": str(base),
            **{key: str(base / key.lower()) for key in XDG_ENV},
        }
        command = [
            screening_exe(),
            "batch",
            str(folder),
            "-w",
            str(lists / "recruiters.csv"),
            "-w",
            str(lists / "agencies.csv"),
            *TODAY,
            "--no-audit",
        ]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root and setpriv is not installed")
            command = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=60, check=False, cwd=base
        )
        assert "Traceback" not in done.stderr, done.stderr
        by_name = _by_name(_jsonl(done.stdout)[0])
        assert _error_code(by_name["secret.txt"]) == "permission_denied"
        assert by_name["ok.txt"]["verdict"] == "clear"
        assert done.returncode == 5
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_case_13_batch_of_1000_with_10_bad_files(tmp_path: Path) -> None:
    """1,000 files, 10 of them bad (5 empty, 5 with a wrong check digit): the report has 1,000
    rows, the verdict counts add up to the rows, and the exit code is the worst verdict (4)."""
    folder = tmp_path / "in"
    folder.mkdir()
    valid = (MRZ / "td3_valid.txt").read_bytes()
    forged = (MRZ / "td3_bad_check_digit.txt").read_bytes()
    for index in range(990):
        (folder / f"doc{index:04d}.txt").write_bytes(valid)
    for index in range(5):
        (folder / f"empty{index}.jpg").write_bytes(b"")
        (folder / f"forged{index}.txt").write_bytes(forged)
    result = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", "-j", "2", timeout=180)
    _no_traceback(result)
    items, summary = _jsonl(result.stdout)
    assert summary is not None
    assert len(items) == 1000 == summary["documents"] == summary["inputs"]
    assert sum(summary["verdicts"].values()) == 1000
    assert summary["verdicts"] == {"clear": 990, "no_result": 5, "alert": 5}
    assert len({item["source"] for item in items}) == 1000
    assert result.returncode == 4


# How long the fake OCR hangs: an odd figure, so that `_sleep_processes` never counts
# another program's `sleep 60` running on the same machine as one of ours left behind.
_HANG = "61.25"


def _sleepy_ocr(tmp_path: Path) -> dict[str, str]:
    # `exec` so that killing the OCR process kills the sleep itself (no orphan).
    return _fake_tesseract(tmp_path / "bin", f"exec sleep {_HANG}")


def _sleep_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmd == f"sleep\x00{_HANG}\x00".encode():
                found.add(int(entry.name))
    return found


def test_case_14_ocr_that_hangs_is_killed_at_the_timeout(tmp_path: Path) -> None:
    """OCR that sleeps past `--timeout`: the item is `timeout`, the worker is killed (and its
    OCR child with it: no process is left sleeping), and the next file completes."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "td3_clean.jpg", folder / "a_scan.jpg")
    shutil.copy(MRZ / "td3_valid.txt", folder / "b_text.txt")
    before = _sleep_processes()
    started = time.monotonic()
    result = run_cli(
        "batch",
        str(folder),
        *WATCH,
        *TODAY,
        "--no-audit",
        "--timeout",
        "3",
        env=_sleepy_ocr(tmp_path),
        timeout=60,
    )
    elapsed = time.monotonic() - started
    _no_traceback(result)
    by_name = _by_name(_jsonl(result.stdout)[0])
    assert _error_code(by_name["a_scan.jpg"]) == "timeout"
    assert by_name["b_text.txt"]["verdict"] == "clear"
    assert elapsed < 40
    time.sleep(0.5)
    assert _sleep_processes() - before == set(), "the killed worker left its OCR running"
    # The per-call OCR limit (ocr_timeout_s) stops each Tesseract call inside a document;
    # our own line reader (no Tesseract) still reads the zone, but alone: REVIEW, with the
    # timeout noted and the names marked as not cross-checked.
    single = run_cli(
        "screen",
        str(folder / "a_scan.jpg"),
        *WATCH,
        *TODAY,
        "--no-audit",
        "-f",
        "json",
        env={**_sleepy_ocr(tmp_path), "SCREENING_OCR_TIMEOUT_S": "0.5"},
        timeout=60,
    )
    _no_traceback(single)
    assert single.returncode == 3
    report = json.loads(single.stdout)
    assert "ocr_timeout" in report["read"]["notes"]
    assert "ocr_unverified" in [reason["code"] for reason in report["reasons"]]
    assert _sleep_processes() - before == set()


def _with_hanging_ocr(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`screening ARGS --ocr-timeout 0.5 -f json` with an OCR that sleeps past that limit."""
    return run_cli(
        *args, "--ocr-timeout", "0.5", "-f", "json", env=_sleepy_ocr(tmp_path), timeout=60
    )


def test_case_14_ocr_timeouts_without_a_read_are_not_reported_as_no_mrz(tmp_path: Path) -> None:
    """Every Tesseract call hits its time limit and our line reader reads nothing MRZ-like on
    the page (a card's front): the file is reported `ocr_timeout`, not `no_mrz_found`, since
    the reading was cut short; it is still NO RESULT (exit 5) and no OCR process is left."""
    before = _sleep_processes()
    front = str(SAMPLES / "td1_front_no_mrz.jpg")
    result = _with_hanging_ocr(tmp_path, "read", front, *TODAY)
    _no_traceback(result)
    assert result.returncode == 5
    (record,) = json.loads(result.stdout)["files"]
    assert record["error"]["code"] == "ocr_timeout"
    assert "time limit of 0.5 s" in record["error"]["message"]
    # `screen` takes the same option and reports the same code: NO RESULT, not a clearance.
    screened = _with_hanging_ocr(tmp_path, "screen", front, *WATCH, *TODAY, "--no-audit")
    _no_traceback(screened)
    assert screened.returncode == 5
    report = json.loads(screened.stdout)
    assert report["verdict"] == "no_result"
    assert report["error"]["code"] == "ocr_timeout"
    time.sleep(0.5)
    assert _sleep_processes() - before == set()
    # Without the time limit in the way, the same page is "no MRZ found".
    plain = run_cli("read", front, *TODAY, "-f", "json")
    assert plain.returncode == 5
    (record,) = json.loads(plain.stdout)["files"]
    assert record["error"]["code"] == "no_mrz_found"


def test_case_15_sigint_during_a_batch_writes_a_partial_report(tmp_path: Path) -> None:
    """SIGINT during a batch: exit 130 within seconds; the report file appears whole (written
    to a temporary file and renamed) and is marked `complete: false`; every input is in it."""
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(4):
        shutil.copy(SAMPLES / "td3_clean.jpg", folder / f"scan{index}.jpg")
    shutil.copy(MRZ / "td3_valid.txt", folder / "a_text.txt")
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.jsonl"
    env = {**os.environ, **XDG_ENV, "NO_COLOR": "1", **_sleepy_ocr(tmp_path)}
    process = subprocess.Popen(
        [screening_exe(), "batch", str(folder), *WATCH, *TODAY, "--no-audit", "-o", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(out.glob(".report.jsonl.*")):
            time.sleep(0.1)
        time.sleep(1.5)
        assert process.poll() is None
        assert not report.exists(), "the report is visible before it is complete"
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert waited < 5
    assert b"Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.jsonl"]
    items, summary = _jsonl(report.read_text(encoding="utf-8"))
    assert summary is not None
    assert summary["complete"] is False
    assert len(items) == 5
    assert any(_error_code(item) == "interrupted" for item in items)


def test_case_16_no_ocr_crop_is_left_in_the_temp_dir(tmp_path: Path) -> None:
    """After a success, a failure and a killed worker, the private temp dir (TMPDIR, 0700) is
    still empty and still 0700: the OCR passes images to Tesseract on stdin, never as files
    (PassportEye wrote world-readable crops to /tmp)."""
    private = tmp_path / "tmp"
    private.mkdir(mode=0o700)
    env = {"TMPDIR": str(private), "TMP": str(private), "TEMP": str(private)}
    ok = run_cli("read", str(SAMPLES / "td3_clean.jpg"), *TODAY, env=env)
    assert ok.returncode == 0, ok.stderr
    failed = run_cli("read", str(SAMPLES / "td1_front_no_mrz.jpg"), *TODAY, env=env)
    assert failed.returncode == 5
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "td3_clean.jpg", folder / "scan.jpg")
    killed = run_cli(
        "batch",
        str(folder),
        *WATCH,
        *TODAY,
        "--no-audit",
        "--timeout",
        "1.5",
        env={**env, **_sleepy_ocr(tmp_path)},
        timeout=60,
    )
    assert _error_code(_jsonl(killed.stdout)[0][0]) == "timeout"
    assert list(private.iterdir()) == []
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


# --- 17-24: MRZ text ----------------------------------------------------------------------------


def _mrz_json(text: str) -> tuple[int, dict]:
    result = run_cli("mrz", "-", "-f", "json", *TODAY, stdin=text)
    _no_traceback(result)
    return result.returncode, json.loads(result.stdout)


def _fields(document: dict) -> list[dict]:
    return [
        item.get("fields") or item.get("mrz", {}).get("fields") for item in document["documents"]
    ]


def test_case_17_reader_line_endings_and_spacing_do_not_matter() -> None:
    """Piped MRZ with CRLF, CR only, trailing spaces, or a blank line between two documents is
    parsed exactly as the canonical text (same fields, same verdict)."""
    td1 = (MRZ / "td1_valid.txt").read_text(encoding="utf-8").split()
    canonical = "\n".join(TD3) + "\n\n" + "\n".join(td1) + "\n"
    code, expected = _mrz_json(canonical)
    assert code == 0
    assert len(expected["documents"]) == 2
    variants = [
        canonical.replace("\n", "\r\n"),
        canonical.replace("\n", "\r"),
        "\n".join(line + "   " for line in canonical.split("\n")),
        "\n".join(TD3) + "\n \t \n\n" + "\n".join(td1),
    ]
    for text in variants:
        code, got = _mrz_json(text)
        assert code == 0, repr(text[:60])
        assert _fields(got) == _fields(expected)


def test_case_18_reader_padding_and_missing_lines_are_not_auto_corrected() -> None:
    """Reader padding `_` is `unreadable_chars` with its position; a missing line is
    `incomplete_mrz` naming the line; neither is corrected (exit 5)."""
    padded = run_cli("mrz", str(MRZ / "td3_reader_padding.txt"), "-f", "json", *TODAY)
    assert padded.returncode == 5
    problem = json.dumps(json.loads(padded.stdout))
    assert "unreadable_chars" in problem
    assert re.search(r"line 2, columns? \d+", problem)
    missing = run_cli("mrz", str(MRZ / "td1_missing_line.txt"), "-f", "json", *TODAY)
    assert missing.returncode == 5
    problem = json.dumps(json.loads(missing.stdout))
    assert "incomplete_mrz" in problem
    assert "line 3 is missing" in problem


@pytest.mark.parametrize("length", [43, 45])
def test_case_19_wrong_line_length_names_the_line_and_the_length(length: int) -> None:
    """A TD3 second line of 43 or 45 characters is `invalid_length`, naming line 2 and 44."""
    line2 = TD3[1][:43] if length == 43 else TD3[1] + "<"
    code, document = _mrz_json(f"{TD3[0]}\n{line2}\n")
    assert code == 5
    text = json.dumps(document)
    assert "invalid_length" in text
    assert "line 2" in text
    assert "44" in text


@pytest.mark.parametrize(
    "payload",
    ["A" * (1024 * 1024) + "\n", "\n".join(["P<UTO" + "<" * 39] * 10_000) + "\n"],
    ids=["1MB-line", "10000-lines"],
)
@pytest.mark.parametrize("command", ["mrz", "screen"])
def test_case_20_huge_stdin_is_refused_quickly_with_bounded_memory(
    payload: str, command: str
) -> None:
    """A 1 MB line or 10,000 lines on stdin: `input_too_long`, exit 5, peak RSS bounded. The
    limits are MAX_STREAM_CHARS (512 KiB) and MAX_STREAM_LINES (5,000) of screening.mrz.parse,
    documented in the README (not configurable: a reader never sends more than a few lines)."""
    args = [command, "-", "-f", "json", *TODAY] + (
        [*WATCH, "--no-audit"] if command == "screen" else []
    )
    report, peak_mb = _with_peak_rss(args, {}, stdin=payload)
    assert report["s"] < 30
    assert "Traceback" not in report["err"]
    assert report["rc"] == 5
    assert "input_too_long" in report["out"]
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"  # Python + libraries: ~60-120 MB


def test_case_21_redos_probes_finish_fast() -> None:
    """*unit*: `"A"*10000+"!"` as MRZ text, as a names field and as a name to normalise and match
    is parsed or rejected quickly. The file asks for 50 ms; we assert 0.5 s so that a loaded CI
    machine cannot fail it, which still catches catastrophic backtracking (seconds)."""
    from screening import parse_mrz
    from screening.errors import MrzSyntaxError
    from screening.names import normalize_name

    probe = "A" * 10_000 + "!"
    names = "P<UTO" + ("A<" * 19) + "!"
    inputs = [probe, f"{names}\n{TD3[1]}", f"{TD3[0][:5]}{'A' * 38}!\n{TD3[1]}"]
    for text in inputs:
        started = time.perf_counter()
        with contextlib.suppress(MrzSyntaxError):
            parse_mrz(text)
        assert time.perf_counter() - started < 0.5
    for text in (probe, "PT " + "A." * 5000 + "!", "<" * 10_000 + "!", "A " * 5000 + "!"):
        started = time.perf_counter()
        normalize_name(text)
        assert time.perf_counter() - started < 0.5


def test_case_22_wrong_check_digit_is_reported_with_expected_and_found() -> None:
    """A wrong check digit: at least REVIEW (our policy: ALERT, possible forgery), reason code
    `check_digit:<field>` with expected and found digits; an O/0 confusion fix is only
    suggested: the original text is kept in the output and the verdict is not upgraded."""
    code, document = _screen_json(str(MRZ / "td3_bad_check_digit.txt"), *WATCH)
    assert code == 4
    failed = [c for c in document["checks"] if c["status"] == "fail"]
    assert failed
    assert all(c["code"].startswith("check_digit:") for c in failed if "check" in c["code"])
    assert all(c["expected"] != c["found"] for c in failed)
    code, document = _screen_json(str(MRZ / "td3_ocr_confused.txt"), *WATCH)
    assert code == 4
    original = (MRZ / "td3_ocr_confused.txt").read_text(encoding="utf-8").split()
    assert document["document"]["original_lines"] == original
    assert document["document"]["lines"] == original
    mrz_out = run_cli("mrz", str(MRZ / "td3_ocr_confused.txt"), *TODAY)
    assert mrz_out.returncode == 3
    assert "suggest" in mrz_out.stdout.lower()


def _with_digit(text: str, check: str) -> str:
    from screening.mrz.checkdigit import compute

    return text + compute(text)


def test_case_23_impossible_dates_with_passing_check_digits() -> None:
    """Month 13 or 31 February, each with a correct check digit, is `invalid_date`
    (reason `mrz_impossible_date`, check `date:birth_date`): ALERT, exit 4."""
    from screening.mrz.checkdigit import compute

    for birth in ("901301", "900231"):
        number = "L898902C3"
        body = (
            number
            + compute(number)
            + "UTO"
            + birth
            + compute(birth)
            + "F"
            + "340415"
            + compute("340415")
            + "ZE184226B<<<<<"
        )
        optional = body[28:42]
        body = body[:42] + compute(optional)
        composite = body[0:10] + body[13:20] + body[21:43]
        line2 = body + compute(composite)
        assert len(line2) == 44
        code, document = _screen_json(*WATCH, "-", stdin=f"{TD3[0]}\n{line2}\n")
        assert code == 4
        reasons = {r["code"]: r for r in document["reasons"]}
        assert "mrz_impossible_date" in reasons
        assert reasons["mrz_impossible_date"]["evidence"]["check"] == "date:birth_date"
        digits = [c for c in document["checks"] if c["code"].startswith("check_digit:")]
        assert all(c["status"] == "pass" for c in digits)


def test_case_24_k_in_filler_positions_is_flagged_and_cleaned_for_matching(tmp_path: Path) -> None:
    """`K` in the name fillers (PassportEye's UTO output): a `name_filler` warning naming the
    positions (REVIEW), and matching uses the cleaned name, so a listed holder still matches."""
    code, document = _screen_json(str(MRZ / "td3_filler_anomaly.txt"), *WATCH)
    assert code == 3
    reason = next(r for r in document["reasons"] if r["code"] == "name_filler")
    assert reason["evidence"]["check"].startswith("filler:")
    lines = (MRZ / "td3_filler_anomaly.txt").read_text(encoding="utf-8").split()
    surname, given = lines[0][5:].split("<<")[:2]
    listed = tmp_path / "holders.csv"
    listed.write_text(
        f"id,kind,name\nh-1,person,{surname.title()} {given.title()}\n", encoding="utf-8"
    )
    code, document = _screen_json(str(MRZ / "td3_filler_anomaly.txt"), "-w", str(listed))
    assert code == 4, [r["code"] for r in document["reasons"]]
    assert document["matches"]["holder"]


# --- 25-30: watchlists ---------------------------------------------------------------------------

_HEADER = "id,kind,name,aliases,reason,source,listed_on\n"


def _list(tmp_path: Path, body: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((_HEADER + body).encode(encoding))
    return path


def _screen_with(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "screen", str(MRZ / "td3_valid.txt"), "-w", str(path), *TODAY, "--no-audit", *extra
    )


def test_case_25_watchlist_encodings(tmp_path: Path) -> None:
    """UTF-8 with a BOM loads. Latin-1 or UTF-16 bytes without `--encoding`: an error naming
    file:line and the byte offset, exit 6, and no verdict at all (no screening on a partial
    list). `--encoding latin-1` reads the Latin-1 list."""
    row = "r-1,person,José Rekaan,,fictional,test,2026-11-01\n"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (_HEADER + row).encode("utf-8"))
    assert _screen_with(bom).returncode == 0
    for encoding in ("latin-1", "utf-16"):
        path = _list(tmp_path, row, f"{encoding}.csv", encoding)
        result = _screen_with(path)
        _no_traceback(result)
        assert result.returncode == 6, (encoding, result.stderr)
        assert result.stdout.strip() == ""
        message = " ".join(result.stderr.split())
        assert path.name in message
        assert re.search(r"line \d+", message), message
        if encoding == "latin-1":
            assert re.search(r"byte \d+", message), message
        else:
            assert "UTF-16" in message
    fixed = _screen_with(tmp_path / "latin-1.csv", "--encoding", "latin-1")
    assert fixed.returncode == 0, fixed.stderr


def test_case_26_missing_name_column_lists_expected_and_found_headers(tmp_path: Path) -> None:
    """A list without a `name` column: exit 6; the message names the missing column and the
    headers found."""
    path = tmp_path / "noname.csv"
    path.write_text("id,kind,fullname\nr-1,person,Someone Rekaan\n", encoding="utf-8")
    result = _screen_with(path)
    _no_traceback(result)
    assert result.returncode == 6
    check = run_cli("watchlist", "check", str(path))
    assert check.returncode == 6
    text = result.stderr + check.stdout + check.stderr
    assert "name" in text
    assert "fullname" in text


def test_case_27_duplicate_ids_cite_both_lines(tmp_path: Path) -> None:
    """Two rows with the same id: exit 6; `watchlist check` cites both line numbers."""
    path = _list(
        tmp_path,
        "r-1,person,Satu Rekaan,,x,t,2026-11-01\nr-1,person,Dua Rekaan,,x,t,2026-11-01\n",
    )
    assert _screen_with(path).returncode == 6
    check = run_cli("watchlist", "check", str(path))
    assert check.returncode == 6
    text = check.stdout + check.stderr
    assert re.search(r"list\.csv:3\b", text), text
    assert "2" in text.split("list.csv:3", 1)[1]


def test_case_28_huge_field_is_an_error_with_its_line(tmp_path: Path) -> None:
    """A 200 KB field: an error naming the line (never a csv.Error traceback), exit 6."""
    path = _list(tmp_path, f"r-1,person,{'A' * 200_000},,x,t,2026-11-01\n")
    result = _screen_with(path)
    _no_traceback(result)
    assert result.returncode == 6
    check = run_cli("watchlist", "check", str(path))
    assert check.returncode == 6
    assert re.search(r"list\.csv:2\b", check.stdout + check.stderr)


def test_case_29_missing_unreadable_or_empty_watchlists(tmp_path: Path) -> None:
    """A missing `--watchlist` is exit 6; a list with 0 entries loads with a warning, the list
    check is `not_checked`, and the verdict is never CLEAR. (Unreadable lists as `nobody`:
    tests/test_watchlist_cli.py::test_unreadable_list_is_exit_6.)"""
    missing = _screen_with(tmp_path / "nope.csv")
    _no_traceback(missing)
    assert missing.returncode == 6
    directory = _screen_with(tmp_path)
    assert directory.returncode == 6
    empty = _list(tmp_path, "")
    code, document = _screen_json(str(MRZ / "td3_valid.txt"), "-w", str(empty))
    assert document["verdict"] != "clear"
    assert code == 3
    assert any(item.startswith("watchlist") for item in document["not_checked"])


def test_case_30_stale_list_is_flagged(tmp_path: Path) -> None:
    """A list older than `max_list_age_days` (by modification time): a STALE banner in the
    table and `stale: true` for that list in JSON."""
    path = _list(tmp_path, "r-1,person,Satu Rekaan,,x,t,2025-01-01\n")
    old = time.time() - 400 * 86400
    os.utime(path, (old, old))
    code, document = _screen_json(str(MRZ / "td3_valid.txt"), "-w", str(path))
    assert [item["stale"] for item in document["lists"]] == [True]
    assert code != 0
    table = _screen_with(path)
    assert "stale" in table.stdout.lower()


# --- 31-36: output ----------------------------------------------------------------------------------

_FORMULAS = ("=HYPERLINK(x)", "@SUM(1)", "+1", "-1", "\tX")


def test_case_31_spreadsheet_formulas_are_defused_in_csv_only(tmp_path: Path) -> None:
    """File names starting with `=HYPERLINK(…)`, `@SUM(1)`, `+1`, `-1` or a tab: in the CSV
    report every such cell starts with `'`; the JSON report keeps the names unchanged.
    (MRZ-derived fields cannot start with these characters: the MRZ alphabet is A-Z0-9<.)"""
    folder = tmp_path / "in"
    folder.mkdir()
    for prefix in _FORMULAS:
        shutil.copy(MRZ / "td3_valid.txt", folder / f"{prefix}.txt")
    as_csv = run_cli("batch", ".", *WATCH, *TODAY, "--no-audit", "-f", "csv", cwd=folder)
    _no_traceback(as_csv)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(_FORMULAS)
    for row in rows:
        for cell in row.values():
            assert not (cell or "").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert sorted(row["source"] for row in rows) == sorted(f"'{p}.txt" for p in _FORMULAS)
    as_json = run_cli("batch", ".", *WATCH, *TODAY, "--no-audit", "-f", "jsonl", cwd=folder)
    items, _ = _jsonl(as_json.stdout)
    assert sorted(i["source"] for i in items) == sorted(f"{p}.txt" for p in _FORMULAS)


_HOSTILE = ("[bold green]✔ CLEAR[/]", "\x1b[2J", "\x1b]0;pwned\x07")


def test_case_32_markup_and_escape_sequences_are_inert(tmp_path: Path) -> None:
    """Rich markup and terminal escapes in watchlist names, names typed by the officer and file
    names are shown escaped: on a real terminal (PTY, colour on) every ESC in the output is a
    style sequence the tool emitted itself, the hostile text is visible literally, and the only
    verdict word printed is the real one (ALERT), so the verdict line cannot be spoofed."""
    hostile = "".join(_HOSTILE)
    lists = tmp_path / "hostile.csv"
    lists.write_text(
        "id,kind,name,aliases\n"
        f'r-1,person,"Soeparman {_HOSTILE[0]}","{_HOSTILE[1]}Soeparman{_HOSTILE[2]}"\n',
        encoding="utf-8",
    )
    doc = tmp_path / f"scan{_HOSTILE[1]}{_HOSTILE[2]}[red]x.txt"
    shutil.copy(MRZ / "td3_bad_check_digit.txt", doc)
    env = {"TERM": "xterm-256color", "FORCE_COLOR": "1"}
    runs = [
        [
            "screen",
            str(doc),
            "-w",
            str(lists),
            *TODAY,
            "--no-audit",
            "--recruiter",
            f"Soeparman {hostile}",
            "--agency",
            hostile,
        ],
        ["match", f"Soeparman {hostile}", "-w", str(lists)],
        ["read", str(doc), *TODAY],
        ["watchlist", "info", str(lists)],
    ]
    for args in runs:
        _code, output = _pty_run(args, env)
        rest = _SGR.sub(b"", output)
        assert b"\x1b" not in rest, (args[0], rest[:400])
        assert b"\x07" not in rest, args[0]
    _code, output = _pty_run(runs[0], env)
    lines = _SGR.sub(b"", output).decode("utf-8", "replace").splitlines()
    assert "ALERT" in lines[0]  # the panel title: the verdict comes first, from the tool
    assert lines[1].strip("│ ").startswith("ALERT")
    assert "[bold green]" in "".join(lines)  # the markup is shown as text, never applied


def test_case_33_confusable_letters(tmp_path: Path) -> None:
    """A Cyrillic `А` in an agency name matches its Latin entry above the threshold with the
    reason `mixed_script`; fullwidth and zero-width variants score 100."""
    lists = str(LISTS / "agencies.csv")

    def top(query: str) -> dict:
        result = run_cli("match", query, "-w", lists, "--kind", "organization", "-f", "json")
        _no_traceback(result)
        return json.loads(result.stdout)["candidates"][0]

    cyrillic = top("CV M\u0410JU J\u0410Y\u0410 REKAAN")
    assert cyrillic["entity_id"] == "agc-0001"
    assert cyrillic["score"] >= 80
    assert "mixed_script" in json.dumps(cyrillic)
    for variant in ("ＣＶ ＭＡＪＵ ＪＡＹＡ ＲＥＫＡＡＮ", "CV Ma\u200bju Ja\u200dya Re\ufeffkaan"):
        found = top(variant)
        assert (found["entity_id"], found["score"]) == ("agc-0001", 100.0), variant


def test_case_34_legal_forms_are_set_apart_and_never_match_alone(tmp_path: Path) -> None:
    """ "PT Maju Jaya" ≈ "MAJU JAYA, PT" ≈ "MAJUJAYA" (all strong); "PT", "CV", "Tbk" or "CORP"
    alone never match, nor does a different name sharing only the legal form."""
    path = tmp_path / "agencies.csv"
    path.write_text(
        "id,kind,name\na-1,organization,PT Maju Jaya\na-2,organization,CORP Sinar Rekaan\n",
        encoding="utf-8",
    )

    def candidates(query: str) -> list[dict]:
        result = run_cli("match", query, "-w", str(path), "--kind", "organization", "-f", "json")
        _no_traceback(result)
        return json.loads(result.stdout)["candidates"]

    for query in ("PT Maju Jaya", "MAJU JAYA, PT", "MAJUJAYA"):
        found = candidates(query)
        assert found, query
        assert (found[0]["entity_id"], found[0]["strength"]) == ("a-1", "strong"), query
    for query in ("PT", "CV", "Tbk", "CORP", "PT Khayalan Sentosa", "CORP Teladan"):
        assert candidates(query) == [], query


_NEAR_MISSES = ("Maju Jaya Sentosa", "PT Jaya Makmur", "Sinar Maju", "CV Maju Bersama")
_NOISED = ("PT MAJU JAYA REKAAN", "PT MAJU JAVA REKAAN", "PT MAJUJAYA REKAAN", "CV MAJU JAYA REKAN")


def test_case_35_near_misses_do_not_match_and_ocr_noise_does() -> None:
    """Near misses sharing words with a listed agency stay below the threshold; OCR-noised
    spellings of it (J/V, joined words, a dropped letter) match. The precision/recall report
    over the 308-query evaluation set is `bench/match.py` (README "Name matching")."""
    lists = str(LISTS / "agencies.csv")
    for query in _NEAR_MISSES:
        result = run_cli("match", query, "-w", lists, "--kind", "organization", "-f", "json")
        assert result.returncode == 0, (query, result.stdout[:500])
    for query in _NOISED:
        result = run_cli("match", query, "-w", lists, "--kind", "organization", "-f", "json")
        top = json.loads(result.stdout)["candidates"][0]
        assert top["entity_id"] == "agc-0001", query
        assert result.returncode in (3, 4)
    assert (ROOT / "bench" / "match.py").is_file()


def test_case_36_output_files_do_not_follow_planted_links_or_overwrite(tmp_path: Path) -> None:
    """`batch -o`: an existing target (a file or a planted symlink) is not touched without
    `--force` (exit 5 `output_exists`... reported on stderr); with `--force` the symlink itself
    is replaced by the report and its target is not written through. Input names with `../` or
    a newline cannot move the report: it goes exactly to `-o`, one JSON line per item.
    (There is no `--out-dir`: the only file named after an input is desk's done/failed filing,
    tested in tests/test_screen_cli.py; a file name cannot contain `/`.)"""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(MRZ / "td3_valid.txt", folder / "new\nline.txt")
    shutil.copy(MRZ / "td3_valid.txt", folder / "..dots.txt")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    target = out / "report.jsonl"
    target.symlink_to(victim)
    refused = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", "-o", str(target))
    _no_traceback(refused)
    assert refused.returncode not in (0, 1)
    assert "exists" in refused.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert target.is_symlink()
    forced = run_cli(
        "batch", str(folder), *WATCH, *TODAY, "--no-audit", "-o", str(target), "--force"
    )
    assert forced.returncode == 0, forced.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not target.is_symlink()
    items, summary = _jsonl(target.read_text(encoding="utf-8"))
    assert summary is not None
    assert sorted(Path(i["source"]).name for i in items) == ["..dots.txt", "new\nline.txt"]
    assert sorted(p.name for p in out.iterdir()) == ["report.jsonl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out", "victim.txt"]


# --- 37-40: audit log and errors -------------------------------------------------------------


def _home(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def test_case_37_audit_db_holds_no_personal_data(tmp_path: Path) -> None:
    """After screening the specimen twice, the audit database file (and its key, WAL and
    journal) contains no document number, name, birth date or MRZ line; both rows carry the
    same HMAC token; the database and key files are 0600."""
    env = _home(tmp_path)
    for _ in range(2):
        result = run_cli("screen", str(MRZ / "td3_valid.txt"), *WATCH, *TODAY, env=env)
        assert result.returncode == 0, result.stderr
    folder = tmp_path / "data" / "screening"
    files = [p for p in folder.iterdir() if p.is_file()]
    assert any(p.name.endswith(".sqlite3") for p in files)
    for path in files:
        _specimen_tokens_absent(path.read_bytes())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    exported = run_cli("audit", "export", "--format", "jsonl", env=env)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    assert len(rows) == 2
    tokens = [row.get("document_token") or row.get("doc_token") for row in rows]
    assert tokens[0], rows[0].keys()
    assert tokens[0] == tokens[1]
    _specimen_tokens_absent(exported.stdout)


def test_case_38_audit_rows_cannot_be_changed(tmp_path: Path) -> None:
    """UPDATE and DELETE on `screenings` are rejected by the database itself; a row edited by
    hand (triggers dropped, value changed, triggers restored) makes `audit verify` exit 4."""
    env = _home(tmp_path)
    for name in ("td3_valid.txt", "td3_bad_check_digit.txt"):
        run_cli("screen", str(MRZ / name), *WATCH, *TODAY, env=env)
    db = tmp_path / "data" / "screening" / "audit.sqlite3"
    assert run_cli("audit", "verify", env=env).returncode == 0
    con = sqlite3.connect(db, isolation_level=None)
    try:
        for statement in ("UPDATE screenings SET verdict = 'clear'", "DELETE FROM screenings"):
            with pytest.raises(sqlite3.DatabaseError):
                con.execute(statement)
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger'"
        ).fetchall()
        for name, _ in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute("UPDATE screenings SET verdict = 'clear' WHERE verdict = 'alert'")
        for _, sql in triggers:
            con.execute(sql)
    finally:
        con.close()
    verify = run_cli("audit", "verify", env=env)
    _no_traceback(verify)
    assert verify.returncode == 4


def test_case_39_purge_removes_old_rows_and_the_chain_still_verifies(tmp_path: Path) -> None:
    """`audit purge --older-than 90d` removes the older rows, reports how many, and the
    remaining chain still verifies (exit 0)."""
    from screening.audit import AuditLog, AuditRecord

    env = _home(tmp_path)
    db = tmp_path / "data" / "screening" / "audit.sqlite3"
    import datetime as dt

    now = dt.datetime.now(tz=dt.UTC)
    with AuditLog(db) as log:
        for days in (200, 120, 95, 30, 1):
            log.record(
                AuditRecord(
                    ts=now - dt.timedelta(days=days),
                    checkpoint="UTO-1",
                    officer_id="o-1",
                    doc_type="TD3",
                    issuing_state="UTO",
                    nationality="UTO",
                    document_number="L898902C3",
                    verdict="review",
                    reason_codes=("name_filler",),
                    list_versions=(),
                )
            )
    purge = run_cli("audit", "purge", "--older-than", "90d", env=env)
    _no_traceback(purge)
    assert purge.returncode == 0, purge.stderr
    assert "3" in purge.stdout + purge.stderr
    verify = run_cli("audit", "verify", env=env)
    assert verify.returncode == 0, verify.stdout
    exported = run_cli("audit", "export", "--format", "jsonl", env=env)
    rows = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    assert len([r for r in rows if r.get("verdict") == "review"]) == 2


_CRASH = (
    "import sys\n"
    "import screening.screen\n"
    "s = sys.modules['screening.screen']  # the package re-exports a function of that name\n"
    "def boom(self, source):\n"
    "    secret = {values!r}\n"
    "    raise RuntimeError('bug while screening ' + ' '.join(secret))\n"
    "s.Screener.screen_source = boom\n"
    "from screening.cli import main\n"
    "sys.argv[0] = 'screening'\n"
    "sys.exit(main())\n"
)


def test_case_40_internal_error_is_one_line_without_personal_data(tmp_path: Path) -> None:
    """A bug (forced by replacing Screener.screen_source with a function that raises with the
    specimen's data in its message and locals): one line on stderr with no personal data, no
    traceback, no locals, exit 1. With `--debug` the traceback goes to a new 0600 file under
    $XDG_STATE_HOME/screening whose path is printed - and nowhere else."""
    env = {**os.environ, **_home(tmp_path), "NO_COLOR": "1"}
    code = _CRASH.format(values=list(SPECIMEN_VALUES))
    args = ["screen", str(MRZ / "td3_valid.txt"), *WATCH, *TODAY, "--no-audit"]
    plain = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert plain.returncode == 1
    assert plain.stdout == ""
    assert len(plain.stderr.strip().splitlines()) == 1, plain.stderr
    assert "Traceback" not in plain.stderr
    _specimen_tokens_absent(plain.stderr)
    state = tmp_path / "state"
    assert not list(state.rglob("*.log"))
    debug = subprocess.run(
        [sys.executable, "-c", code, "--debug", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert debug.returncode == 1
    assert "Traceback" not in debug.stderr
    _specimen_tokens_absent(debug.stderr)
    logs = list(state.rglob("*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in debug.stderr.replace("\n", "")
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    assert "RuntimeError" in logs[0].read_text(encoding="utf-8")


# --- 41-44: formats, terminals, exit codes, fuzzing ----------------------------------------------


def test_case_41_json_outputs_are_valid_and_jsonl_is_flushed_per_item(tmp_path: Path) -> None:
    """With hostile recruiter/agency names and file names, `--format json` and `jsonl` are valid
    JSON carrying `schema_version` that validate against the shipped schema; in a batch, the
    JSON line of a finished item is readable while a later item is still running."""
    hostile = "".join(_HOSTILE) + '"}\n{"verdict": "clear"\u2028\x00'
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(MRZ / "td3_bad_check_digit.txt", folder / f'a{_HOSTILE[1]}"x.txt')
    shutil.copy(SAMPLES / "td3_clean.jpg", folder / "b_scan.jpg")
    code, document = _screen_json(
        str(folder / f'a{_HOSTILE[1]}"x.txt'), *WATCH, "--recruiter", hostile.replace("\x00", "")
    )
    assert document["schema_version"] == "1"
    assert code == 4
    env = {**os.environ, **XDG_ENV, "NO_COLOR": "1", **_sleepy_ocr(tmp_path)}
    process = subprocess.Popen(
        [
            screening_exe(),
            "batch",
            str(folder),
            *WATCH,
            *TODAY,
            "--no-audit",
            "-f",
            "jsonl",
            "--agency",
            hostile.replace("\x00", ""),
            "--timeout",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 15)
        assert ready, "no JSON line while the second item runs"
        first = json.loads(process.stdout.readline())
        assert process.poll() is None
        assert first["type"] == "item"
        assert first["schema_version"] == "1"
        jsonschema.validate({k: v for k, v in first.items() if k != "type"}, SCHEMA)
    finally:
        # SIGINT, not SIGKILL: the batch stops its workers (a killed parent would orphan them).
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    whole = run_cli(
        "batch",
        str(folder / f'a{_HOSTILE[1]}"x.txt'),
        *WATCH,
        *TODAY,
        "--no-audit",
        "-f",
        "json",
        "--agency",
        hostile.replace("\x00", ""),
    )
    report = json.loads(whole.stdout)
    assert report["schema_version"] == "1"
    for item in report["items"]:
        jsonschema.validate(item, SCHEMA)


@pytest.mark.parametrize(
    "env", [{"NO_COLOR": "1", "TERM": "xterm-256color"}, {"TERM": "dumb"}], ids=["NO_COLOR", "dumb"]
)
def test_case_42_no_colour_no_animation_and_progress_on_stderr(env: dict, tmp_path: Path) -> None:
    """NO_COLOR=1 or TERM=dumb on a terminal, or a pipe: no colour codes and no animation
    (no cursor movement); the verdict word is present; a batch's progress and summary go to
    stderr only when the report is on stdout."""
    _code, output = _pty_run(
        ["screen", str(MRZ / "td3_bad_check_digit.txt"), *WATCH, *TODAY, "--no-audit"], env
    )
    assert b"ALERT" in output
    assert not _colour_codes(output), output[:300]
    assert not re.search(rb"\x1b\[[0-9]*[ABCDJK]|\x1b\[\?25", output)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("td3_valid.txt", "td1_valid.txt"):
        shutil.copy(MRZ / name, folder / name)
    piped = run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit", "-f", "jsonl")
    assert "\x1b" not in piped.stdout + piped.stderr
    for line in piped.stdout.splitlines():
        json.loads(line)  # stdout is only the report
    assert "CLEAR" in piped.stderr


def _batch_exit(tmp_path: Path, names: tuple[str, ...], label: str) -> int:
    folder = tmp_path / label
    folder.mkdir()
    for name in names:
        if name == "EMPTY":
            (folder / "empty.jpg").write_bytes(b"")
        else:
            shutil.copy(MRZ / name, folder / name)
    return run_cli("batch", str(folder), *WATCH, *TODAY, "--no-audit").returncode


def test_case_43_every_exit_code_and_the_batch_precedence(tmp_path: Path) -> None:
    """0 clear, 2 usage, 3 review, 4 alert, 5 not screened, 6 list/config error, 7 environment
    (no tesseract on PATH), 1 internal (case 40), 130 interrupted (case 15); a batch exits with
    ALERT 4 > NO RESULT 5 > REVIEW 3 > CLEAR 0."""
    valid = str(MRZ / "td3_valid.txt")
    assert _screen_json(valid, *WATCH)[0] == 0
    assert run_cli("screen", valid, "--no-such-option").returncode == 2
    assert _screen_json(str(MRZ / "td3_filler_anomaly.txt"), *WATCH)[0] == 3
    assert _screen_json(str(MRZ / "td3_bad_check_digit.txt"), *WATCH)[0] == 4
    empty = tmp_path / "e.jpg"
    empty.write_bytes(b"")
    assert _screen_json(str(empty), *WATCH)[0] == 5
    assert run_cli("screen", valid, "-w", str(tmp_path / "none.csv")).returncode == 6
    no_ocr = tmp_path / "bin"
    no_ocr.mkdir()
    python_dir = str(Path(sys.executable).parent)
    env7 = {"PATH": f"{python_dir}{os.pathsep}{no_ocr}"}
    assert run_cli("read", str(SAMPLES / "td3_clean.jpg"), env=env7).returncode == 7
    everything = ("td3_valid.txt", "td3_filler_anomaly.txt", "EMPTY", "td3_bad_check_digit.txt")
    assert _batch_exit(tmp_path, everything, "all") == 4
    assert _batch_exit(tmp_path, everything[:3], "no_alert") == 5
    assert _batch_exit(tmp_path, everything[:2], "review") == 3
    assert _batch_exit(tmp_path, everything[:1], "clear") == 0


def test_case_44_check_digit_and_round_trip_properties() -> None:
    """*unit*: hypothesis - a valid MRZ built from random fields parses back to the same fields
    and passes its check digits; changing one digit of a checked field fails that check. The
    coverage-guided atheris harnesses (MRZ parser, watchlist loader, image loader) run for a
    fixed time in tests/test_fuzz_smoke.py and for as long as you like with bench/fuzz.sh."""
    import datetime as dt

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from screening import parse_mrz, validate_mrz
    from screening.mrz.checkdigit import compute

    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    @settings(max_examples=40, deadline=None)
    @given(number=st.text(alphabet, min_size=9, max_size=9), flip=st.integers(0, 8))
    def check(number: str, flip: int) -> None:
        line2 = TD3[1][:0] + number + compute(number) + TD3[1][10:]
        body = line2[:43]
        composite = body[0:10] + body[13:20] + body[21:43]
        line2 = body + compute(composite)
        mrz = parse_mrz(f"{TD3[0]}\n{line2}")
        assert mrz.value("document_number") == number.rstrip("<")
        checks = {c.code: c for c in validate_mrz(mrz, dt.date(2026, 11, 28))}
        assert checks["check_digit:document_number"].status == "pass"
        digit = str((int(compute(number)) + 1 + flip % 9) % 10)
        bad = parse_mrz(f"{TD3[0]}\n{line2[:9]}{digit}{line2[10:]}")
        bad_checks = {c.code: c for c in validate_mrz(bad, dt.date(2026, 11, 28))}
        assert bad_checks["check_digit:document_number"].status == "fail"

    check()
    assert (ROOT / "tests" / "test_fuzz_smoke.py").is_file()
    assert SHARED_DATA is not None
