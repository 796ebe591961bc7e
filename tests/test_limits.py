"""Limits are configurable: lowering one through the environment refuses what it should."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_cli

MRZ = ROOT / "samples" / "mrz"
TODAY = ("--today", "2026-11-28")


def test_text_line_limit_applies_to_mrz_and_screen() -> None:
    """SCREENING_MAX_TEXT_LINES=3: a 4-line stream is `input_too_long` (exit 5) in both commands."""
    env = {"SCREENING_MAX_TEXT_LINES": "3"}
    text = (MRZ / "several_documents.txt").read_text(encoding="utf-8")
    mrz = run_cli("mrz", "-", *TODAY, "--format", "json", stdin=text, env=env)
    assert mrz.returncode == 5
    assert "input_too_long" in mrz.stdout
    screen = run_cli("screen", "-", *TODAY, "--format", "json", "--no-audit", stdin=text, env=env)
    assert screen.returncode == 5
    assert json.loads(screen.stdout)["error"]["code"] == "input_too_long"
    normal = run_cli("mrz", "-", *TODAY, stdin=text)
    assert normal.returncode != 5


def test_text_size_limit_applies() -> None:
    """SCREENING_MAX_TEXT_CHARS=100: one TD3 (89 chars) passes, two documents do not."""
    env = {"SCREENING_MAX_TEXT_CHARS": "100"}
    one = run_cli("mrz", str(MRZ / "td3_valid.txt"), *TODAY, env=env)
    assert one.returncode == 0, one.stdout
    many = run_cli("mrz", str(MRZ / "several_documents.txt"), *TODAY, env=env)
    assert many.returncode == 5


def test_watchlist_field_size_limit_applies(tmp_path: Path) -> None:
    """SCREENING_MAX_FIELD_BYTES=100: a list with a 200-byte reason is refused (exit 6)."""
    listed = tmp_path / "list.csv"
    listed.write_text(f"id,kind,name,reason\nr1,person,Sampel Budi,{'x' * 200}\n", encoding="utf-8")
    ok = run_cli("screen", str(MRZ / "td3_valid.txt"), "-w", str(listed), *TODAY, "--no-audit")
    assert ok.returncode == 0, ok.stderr
    env = {"SCREENING_MAX_FIELD_BYTES": "100"}
    refused = run_cli(
        "screen", str(MRZ / "td3_valid.txt"), "-w", str(listed), *TODAY, "--no-audit", env=env
    )
    assert refused.returncode == 6
    assert "list.csv" in refused.stderr
