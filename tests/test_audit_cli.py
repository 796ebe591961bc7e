"""`screening audit verify|export|purge` and `screening report` through the installed command."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import stat
from typing import TYPE_CHECKING

import pytest

from conftest import run_cli
from screening.audit import AuditLog, AuditRecord

if TYPE_CHECKING:
    from pathlib import Path


def now() -> dt.datetime:
    # The CLI purges relative to the real clock, so the rows are made relative to it too.
    return dt.datetime.now(tz=dt.UTC)


def add(log: AuditLog, *, days_ago: float = 0, verdict: str = "review", **kw: object) -> None:
    values: dict[str, object] = {
        "ts": now() - dt.timedelta(days=days_ago),
        "checkpoint": "CGK-T3",
        "officer_id": "officer-7",
        "doc_type": "TD3",
        "issuing_state": "UTO",
        "nationality": "UTO",
        "document_number": "L898902C3",
        "verdict": verdict,
        "reason_codes": ("mrz_check_digit",),
        "list_versions": (("flagged.csv", "a" * 64),),
    }
    values.update(kw)
    log.record(AuditRecord(**values))  # type: ignore[arg-type]


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """HOME and XDG folders of our own: no stray configuration."""
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "audit.sqlite3"
    with AuditLog(path) as log:
        for age in (200, 120, 95, 30, 2, 0):
            add(log, days_ago=age, verdict="alert" if age == 0 else "review")
    return path


def edit_by_hand(db: Path, statement: str) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    try:
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger'"
        ).fetchall()
        for name, _ in triggers:
            con.execute(f"DROP TRIGGER {name}")
        con.execute(statement)
        for _, sql in triggers:
            con.execute(sql)
    finally:
        con.close()


def test_verify_intact_log_exits_0(db: Path, home: dict[str, str]) -> None:
    """An untouched log verifies: exit 0 and an OK line with the row count."""
    result = run_cli("audit", "verify", "--db", str(db), env=home)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "6 rows" in result.stdout


def test_verify_hand_edited_log_exits_4(db: Path, home: dict[str, str]) -> None:
    """A verdict changed by hand: BROKEN, the first bad row, exit 4; JSON says the same."""
    edit_by_hand(db, "UPDATE screenings SET verdict = 'clear' WHERE id = 6")
    result = run_cli("audit", "verify", "--db", str(db), env=home)
    assert result.returncode == 4
    assert "BROKEN" in result.stdout
    assert "first bad row: 6" in result.stdout
    assert "Traceback" not in result.stderr
    result = run_cli("audit", "verify", "--db", str(db), "--format", "json", env=home)
    assert result.returncode == 4
    report = json.loads(result.stdout)
    assert report["schema_version"] == "1"
    assert report["ok"] is False
    assert report["first_bad_row"] == 6


def test_verify_uses_the_configured_database(db: Path, home: dict[str, str]) -> None:
    """Without --db the path comes from SCREENING_AUDIT_DB (configuration)."""
    result = run_cli("audit", "verify", env={**home, "SCREENING_AUDIT_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "6 rows" in result.stdout


def test_verify_without_a_log_exits_6(home: dict[str, str], tmp_path: Path) -> None:
    """No audit log: one line on stderr, exit 6, and no empty log is created."""
    missing = tmp_path / "none.sqlite3"
    result = run_cli("audit", "verify", "--db", str(missing), env=home)
    assert result.returncode == 6
    assert "no audit log" in result.stderr
    assert not missing.exists()


def test_purge_older_than_90d_then_verify(db: Path, home: dict[str, str]) -> None:
    """`audit purge --older-than 90d` reports the count; the remaining chain still verifies."""
    result = run_cli("audit", "purge", "--older-than", "90d", "--db", str(db), env=home)
    assert result.returncode == 0, result.stderr
    assert "purged 3 rows" in result.stdout
    assert "3 rows remain" in result.stdout
    verify = run_cli("audit", "verify", "--db", str(db), "--format", "json", env=home)
    assert verify.returncode == 0
    assert json.loads(verify.stdout)["rows"] == 3
    again = run_cli(
        "audit", "purge", "--older-than", "90d", "--db", str(db), "-f", "json", env=home
    )
    assert json.loads(again.stdout)["removed"] == 0


def test_purge_refuses_a_tampered_log(db: Path, home: dict[str, str]) -> None:
    """A log that does not verify is not purged (evidence kept) unless --force."""
    edit_by_hand(db, "UPDATE screenings SET verdict = 'clear' WHERE id = 1")
    result = run_cli("audit", "purge", "--older-than", "90d", "--db", str(db), env=home)
    assert result.returncode == 6
    assert "not purging" in result.stderr


@pytest.mark.parametrize("value", ["90", "90 days", "-5d", "d", "1y"])
def test_purge_bad_duration_is_a_usage_error(db: Path, home: dict[str, str], value: str) -> None:
    """Durations are a number and d/w/h; anything else exits 2."""
    result = run_cli("audit", "purge", "--older-than", value, "--db", str(db), env=home)
    assert result.returncode == 2


def test_export_to_stdout_and_to_a_private_file(
    db: Path, home: dict[str, str], tmp_path: Path
) -> None:
    """Export writes JSONL to stdout, or a new 0600 file; an existing file needs --force."""
    result = run_cli("audit", "export", "--db", str(db), env=home)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6
    assert "L898902C3" not in result.stdout
    target = tmp_path / "export.csv"
    args = ("audit", "export", "--db", str(db), "-f", "csv", "-o", str(target))
    result = run_cli(*args, env=home)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(target.read_text(encoding="utf-8").splitlines()) == 7
    assert run_cli(*args, env=home).returncode == 6
    assert run_cli(*args, "--force", env=home).returncode == 0


def test_report_json_counts(db: Path, home: dict[str, str]) -> None:
    """`report --format json` gives totals per verdict and reason for the period."""
    today = now().date()
    since = (today - dt.timedelta(days=10)).isoformat()
    result = run_cli(
        "report",
        "--db",
        str(db),
        "--since",
        since,
        "--until",
        today.isoformat(),
        "-f",
        "json",
        env=home,
    )
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["schema_version"] == "1"
    assert stats["total"] == 2
    assert stats["verdicts"] == {"review": 1, "alert": 1}
    assert stats["top_reasons"] == {"mrz_check_digit": 2}
    assert len(stats["per_day"]) == 11


def test_report_table_has_words_and_bars_without_colour(db: Path, home: dict[str, str]) -> None:
    """The terminal report names verdicts in words and draws bars, with no colour codes."""
    result = run_cli("report", "--db", str(db), env=home)
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    for word in (
        "Screenings per day",
        "Verdicts",
        "REVIEW",
        "ALERT",
        "Top reasons",
        "Nationalities",
    ):
        assert word in result.stdout
    assert "█" in result.stdout


def test_report_rejects_bad_dates(db: Path, home: dict[str, str]) -> None:
    """A malformed date or --since after --until is a usage error (exit 2)."""
    assert run_cli("report", "--db", str(db), "--since", "2026-13-01", env=home).returncode == 2
    result = run_cli(
        "report", "--db", str(db), "--since", "2026-11-02", "--until", "2026-11-01", env=home
    )
    assert result.returncode == 2


def test_report_escapes_markup_in_checkpoint_names(tmp_path: Path, home: dict[str, str]) -> None:
    """A checkpoint named like Rich markup or with ESC is shown literally, never interpreted."""
    path = tmp_path / "a.sqlite3"
    with AuditLog(path) as log:
        add(log, checkpoint="[bold]X[/bold]\x1b[2J")
    result = run_cli("report", "--db", str(path), env=home)
    assert result.returncode == 0, result.stderr
    assert "[bold]X[/bold]" in result.stdout
    assert "\x1b" not in result.stdout


# Typer 0.2x imports click.utils.get_*_stream, deprecated in Click 8.3 (in-process only).
@pytest.mark.filterwarnings(
    "ignore:'click.utils.get_[a-z]*_stream' is deprecated:DeprecationWarning"
)
def test_bar_scales_and_shows_small_counts() -> None:
    """Bars are proportional; a non-zero count is never invisible; zero draws nothing."""
    from screening.cli.report_cmd import bar  # noqa: PLC0415

    assert bar(10, 10, width=10) == "█" * 10
    assert bar(5, 10, width=10) == "█" * 5
    assert bar(1, 1000, width=10) != ""
    assert bar(0, 10) == ""
