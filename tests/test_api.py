"""The public Python API: typed results, one warm Screener, bad inputs become results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import screening
from conftest import ROOT
from screening.errors import WatchlistError
from screening.model import Verdict

MRZ = ROOT / "samples" / "mrz"
LISTS = [ROOT / "watchlists" / "recruiters.csv", ROOT / "watchlists" / "agencies.csv"]
TODAY = dt.date(2026, 11, 28)


def test_screen_returns_a_typed_result() -> None:
    """screening.screen() gives a ScreeningResult with the MRZ, checks and assessment."""
    (result,) = screening.screen(MRZ / "td3_valid.txt", today=TODAY, watchlists=LISTS)
    assert isinstance(result, screening.ScreeningResult)
    assert result.verdict is Verdict.CLEAR
    assert result.mrz is not None
    assert result.mrz.value("surname") == "ERIKSSON"
    assert result.checks
    assert {info.name for info in result.lists} == {"recruiters", "agencies"}


def test_screen_names_the_recruiter_match() -> None:
    """A flagged recruiter gives ALERT and the match carries the entry and explanation."""
    (result,) = screening.screen(
        MRZ / "td3_valid.txt", today=TODAY, watchlists=LISTS, recruiter="H. Suparman"
    )
    assert result.verdict is Verdict.ALERT
    match = result.matches["recruiter"][0]
    assert match.entry.id == "rec-0001"
    assert match.explanation


def test_screen_returns_every_document_of_a_file() -> None:
    """MRZ text with several documents gives one result each; none is dropped."""
    results = screening.screen(MRZ / "several_documents.txt", today=TODAY, watchlists=LISTS)
    assert len(results) == 4
    assert Verdict.ALERT in {r.verdict for r in results}


def test_screen_many_accounts_for_every_input(tmp_path: Path) -> None:
    """Bad inputs become NO_RESULT results; the run goes on and yields one per input."""
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    sources = [MRZ / "td3_valid.txt", empty, tmp_path / "missing.png", MRZ / "td1_valid.txt"]
    results = list(screening.screen_many(sources, today=TODAY, watchlists=LISTS))
    assert [r.verdict for r in results] == [
        Verdict.CLEAR,
        Verdict.NO_RESULT,
        Verdict.NO_RESULT,
        Verdict.CLEAR,
    ]
    assert [r.error_code for r in results[1:3]] == ["empty_file", "file_not_found"]


def test_a_broken_list_fails_closed(tmp_path: Path) -> None:
    """A list that does not load raises WatchlistError instead of screening without it."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,kind,name\n1,person,\n", encoding="utf-8")
    with pytest.raises(WatchlistError):
        screening.screen(MRZ / "td3_valid.txt", today=TODAY, watchlists=[bad])


def test_parse_and_validate_are_public() -> None:
    """parse_mrz and validate_mrz are the documented entry points for MRZ text."""
    mrz = screening.parse_mrz((MRZ / "td3_bad_check_digit.txt").read_text(encoding="utf-8"))
    failed = [check.code for check in screening.validate_mrz(mrz, TODAY) if check.failed]
    assert "check_digit:document_number" in failed
