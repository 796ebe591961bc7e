"""Batch machinery: safe folder walking, killable workers, report writers."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from screening.batch import discover, run_jobs
from screening.writers import ReportWriter, csv_safe, read_report_sources


def _codes(root: Path, **kwargs: bool) -> dict[str, str | None]:
    return {Path(item.path).name: item.skip_code for item in discover(root, **kwargs)}


def test_discover_lists_regular_files_in_name_order(tmp_path: Path) -> None:
    """Files are found recursively in a stable order, none skipped."""
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.png").write_bytes(b"x")
    (tmp_path / "a.jpg").write_bytes(b"x")
    (tmp_path / "c.txt").write_bytes(b"x")
    items = list(discover(tmp_path))
    assert [Path(i.path).name for i in items] == ["a.jpg", "2.png", "c.txt"]
    assert all(i.skip_code is None for i in items)


def test_fifo_is_reported_and_never_opened(tmp_path: Path) -> None:
    """A FIFO would block open() forever: it is an item `not_regular_file`, found instantly."""
    os.mkfifo(tmp_path / "pipe.jpg")
    (tmp_path / "ok.jpg").write_bytes(b"x")
    started = time.monotonic()
    codes = _codes(tmp_path)
    assert time.monotonic() - started < 5
    assert codes == {"ok.jpg": None, "pipe.jpg": "not_regular_file"}


def test_symlinks_are_not_followed_by_default(tmp_path: Path) -> None:
    """A link is accounted for as `symlink_not_followed`; a dangling one too."""
    (tmp_path / "real.jpg").write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "real.jpg")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "missing.jpg")
    codes = _codes(tmp_path)
    assert codes["link.jpg"] == "symlink_not_followed"
    assert codes["dangling.jpg"] == "symlink_not_followed"
    assert codes["real.jpg"] is None


def test_follow_symlinks_visits_each_inode_once_and_reports_broken_links(tmp_path: Path) -> None:
    """With --follow-symlinks a second path to a file is `duplicate_file`; loops finish."""
    (tmp_path / "real.jpg").write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "real.jpg")
    (tmp_path / "dangling.jpg").symlink_to(tmp_path / "missing.jpg")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to(tmp_path)
    codes = _codes(tmp_path, follow_symlinks=True)
    assert codes["dangling.jpg"] == "broken_link"
    assert {codes["link.jpg"], codes["real.jpg"]} == {"duplicate_file", None}


def test_directory_loop_without_following_finishes(tmp_path: Path) -> None:
    """A symlink loop is listed once as a link and the walk ends."""
    (tmp_path / "loop").symlink_to(tmp_path)
    assert _codes(tmp_path) == {"loop": "symlink_not_followed"}


def _double(path: str) -> dict[str, object]:
    if path == "sleep":
        time.sleep(30)
    if path == "crash":
        os._exit(9)
    return {"path": path, "pid": os.getpid()}


def test_run_jobs_kills_a_slow_job_and_carries_on() -> None:
    """A job past the time limit is reported `timeout`; its worker is replaced; others finish."""
    seen: dict[str, object] = {}

    def on_result(path: str, result: dict[str, object] | None, failure: str | None) -> None:
        seen[path] = failure or result

    started = time.monotonic()
    completed = run_jobs(
        ["a", "sleep", "b", "crash", "c"], _double, jobs=2, timeout_s=1.5, on_result=on_result
    )
    assert completed
    assert time.monotonic() - started < 20
    assert seen["sleep"] == "timeout"
    assert seen["crash"] == "worker_crashed"
    assert {p for p, v in seen.items() if isinstance(v, dict)} == {"a", "b", "c"}


def test_run_jobs_stops_when_asked() -> None:
    """should_stop() (Ctrl-C) ends the run early and says so."""
    calls: list[str] = []
    completed = run_jobs(
        ["a", "b", "c"],
        _double,
        jobs=1,
        timeout_s=5,
        on_result=lambda p, r, f: calls.append(p),
        should_stop=lambda: len(calls) >= 1,
    )
    assert not completed
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("\tX", "'\tX"),
        ("SURNAME", "SURNAME"),
        (None, ""),
    ],
)
def test_csv_cells_cannot_become_formulas(cell: str | None, expected: str) -> None:
    """Cells a spreadsheet would execute start with a quote; others are unchanged."""
    assert csv_safe(cell) == expected


def test_jsonl_report_is_flushed_per_item_and_ends_with_a_summary() -> None:
    """Each item is one JSON line as soon as it is written; the summary closes the report."""
    stream = io.StringIO()
    writer = ReportWriter("jsonl", None, stream)
    writer.write_item({"schema_version": "1", "source": "a", "verdict": "clear"})
    assert stream.getvalue().count("\n") == 1
    writer.finish({"complete": True})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["item", "summary"]
    assert lines[1]["complete"] is True


def test_file_report_is_atomic_and_not_overwritten_without_force(tmp_path: Path) -> None:
    """The target appears only when finished; an existing report needs --force."""
    target = tmp_path / "report.csv"
    writer = ReportWriter("csv", target, io.StringIO())
    writer.write_item({"source": "=cmd", "verdict": "review", "reasons": [{"code": "x"}]})
    assert not target.exists()
    writer.finish({"complete": True})
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[1][0] == "'=cmd"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
    with pytest.raises(Exception, match="already exists"):
        ReportWriter("csv", target, io.StringIO())


def test_resume_reads_sources_but_not_interrupted_ones(tmp_path: Path) -> None:
    """--resume skips screened documents and re-runs the ones cut off by Ctrl-C."""
    report = tmp_path / "r.jsonl"
    report.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"type": "item", "source": "a", "verdict": "clear", "error": None},
                {
                    "type": "item",
                    "source": "b",
                    "verdict": "no_result",
                    "error": {"code": "interrupted"},
                },
                {"type": "summary", "complete": False},
            ]
        ),
        encoding="utf-8",
    )
    done, items = read_report_sources(report)
    assert done == {"a"}
    assert [i["source"] for i in items] == ["a"]
