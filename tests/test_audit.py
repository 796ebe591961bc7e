"""The audit log on real SQLite files: privacy, permissions, append-only, chain, purge, stats."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from screening.audit import (
    GENESIS,
    AuditLog,
    AuditRecord,
    audit_record,
    document_token,
    export_text,
)
from screening.errors import AuditError
from screening.model import Assessment, Finding, ListInfo, ListRole, Severity, Verdict
from screening.mrz.parse import parse_mrz

if TYPE_CHECKING:
    from collections.abc import Iterator

SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def record(
    number: str | None = "L898902C3",
    *,
    ts: dt.datetime = NOW,
    verdict: str = "review",
    state: str = "UTO",
    checkpoint: str = "CGK-T3",
    reasons: tuple[str, ...] = ("mrz_check_digit",),
    flags: tuple[str, ...] = (),
    nationality: str = "UTO",
) -> AuditRecord:
    return AuditRecord(
        ts=ts,
        checkpoint=checkpoint,
        officer_id="officer-7",
        doc_type="TD3",
        issuing_state=state,
        nationality=nationality,
        document_number=number,
        verdict=verdict,
        reason_codes=reasons,
        list_versions=(("flagged.csv", "a" * 64),),
        tool_version="0.1.0",
        agency_flags=flags,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "audit.sqlite3"


@pytest.fixture
def log(db: Path):
    with AuditLog(db, db.with_name("audit.key")) as opened:
        yield opened


@contextlib.contextmanager
def raw_connection(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection, as someone editing the file by hand would open it."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        yield con
    finally:
        con.close()


def tokens(db: Path) -> list[str]:
    with raw_connection(db) as con:
        return [r[0] for r in con.execute("SELECT doc_token FROM screenings ORDER BY id")]


# --- privacy and permissions ------------------------------------------------------------------


def test_database_never_holds_number_name_or_mrz(db: Path) -> None:
    """Grep every file the log wrote: no document number, name or MRZ text, only the token."""
    mrz = parse_mrz(SPECIMEN)
    assessment = Assessment(
        verdict=Verdict.ALERT,
        findings=(Finding("document_expired", Severity.ALERT, "expired"),),
    )
    info = ListInfo("flagged.csv", "/l/flagged.csv", ListRole.WATCHLIST, 3, "b" * 64, 1.0, False)
    entry = audit_record(
        ts=NOW,
        checkpoint="CGK",
        officer_id="o-1",
        mrz=mrz,
        assessment=assessment,
        lists=(info,),
    )
    assert "L898902C3" not in repr(entry)  # not even in a traceback
    with AuditLog(db, db.with_name("audit.key")) as log:
        for _ in range(3):
            log.record(entry)
    files = list(db.parent.iterdir())
    assert files
    for path in files:
        data = path.read_bytes()
        for secret in (b"L898902C3", b"ERIKSSON", b"ANNA", b"MARIA", b"P<UTO", b"740812"):
            assert secret not in data, (path.name, secret)
    assert tokens(db)[0] == document_token(
        db.with_name("audit.key").read_bytes(), "UTO", "L898902C3"
    )


def test_database_key_and_folder_are_private(log: AuditLog, db: Path) -> None:
    """The DB and key are 0600 and a folder the log creates is 0700."""
    log.record(record())
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    key = db.with_name("audit.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_existing_world_readable_files_are_tightened(db: Path) -> None:
    """A DB or key copied in with 0644 is made 0600 when opened."""
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    db.chmod(0o644)
    db.with_name("audit.key").chmod(0o644)
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.with_name("audit.key").stat().st_mode) == 0o600


def test_same_document_same_token_different_document_different_token(
    log: AuditLog, db: Path
) -> None:
    """The keyed token links repeat visits without storing the number."""
    log.record(record("L898902C3"))
    log.record(record("L898902C3<"))  # fillers do not change the token
    log.record(record("L898902C4"))
    log.record(record("L898902C3", state="IDN"))
    log.record(record(None))
    first, again, other, other_state, none = tokens(db)
    assert first == again
    assert len({first, other, other_state}) == 3
    assert none is None
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_token_depends_on_the_key() -> None:
    """Without the key the token cannot be recomputed from a guessed number."""
    assert document_token(b"k" * 32, "UTO", "X1") != document_token(b"j" * 32, "UTO", "X1")


def test_key_is_created_once_and_reused(db: Path) -> None:
    """Reopening the log keeps the key, so tokens stay comparable across days."""
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    key = db.with_name("audit.key").read_bytes()
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    assert db.with_name("audit.key").read_bytes() == key
    first, second = tokens(db)
    assert first == second


def test_a_foreign_key_file_is_refused(db: Path, tmp_path: Path) -> None:
    """A different key would silently break token linkage: refused with `audit_key`."""
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    other = tmp_path / "other.key"
    with AuditLog(db, other) as log, pytest.raises(AuditError) as caught:
        log.record(record())
    assert caught.value.code == "audit_key"


def test_a_truncated_key_file_is_refused(db: Path) -> None:
    """A key file that is not 32 bytes is an error, never padded or replaced."""
    key = db.with_name("audit.key")
    key.parent.mkdir(parents=True)
    key.write_bytes(b"short")
    with AuditLog(db, key) as log, pytest.raises(AuditError, match="not a key"):
        log.record(record())


def test_state_fields_keep_only_codes(log: AuditLog, db: Path) -> None:
    """A misread name in the issuing-state field is never stored; codes lose their fillers."""
    log.record(record(state="ERIKSSON", nationality="D<<"))
    with raw_connection(db) as con:
        state, nationality = con.execute(
            "SELECT issuing_state, nationality FROM screenings"
        ).fetchone()
    assert state == "?"
    assert nationality == "D"
    assert b"ERIKSSON" not in db.read_bytes()


def test_naive_timestamp_is_rejected(log: AuditLog) -> None:
    """Times must carry a zone: the log is in UTC."""
    with pytest.raises(ValueError, match="timezone"):
        log.record(record(ts=dt.datetime(2026, 1, 1)))  # noqa: DTZ001


# --- opening -----------------------------------------------------------------------------------


def test_missing_log_is_an_error_when_not_creating(db: Path) -> None:
    """Read-only commands never create an empty log."""
    with pytest.raises(AuditError) as caught:
        AuditLog(db, create=False)
    assert caught.value.code == "audit_missing"
    assert not db.exists()


def test_a_file_that_is_not_an_audit_log_is_refused(tmp_path: Path) -> None:
    """A random file or a foreign SQLite database gives AuditError, not a traceback."""
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(AuditError, match="not a screening audit log"):
        AuditLog(junk)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE t (x)")
    with pytest.raises(AuditError, match="not a screening audit log"):
        AuditLog(other)


# --- append-only and the chain --------------------------------------------------------------


def test_update_and_delete_are_rejected(log: AuditLog, db: Path) -> None:
    """The triggers reject UPDATE and DELETE on screenings and purges."""
    fill(log, [200, 0])
    assert log.purge(dt.timedelta(days=90), NOW) == 1
    with raw_connection(db) as con:
        for statement in (
            "UPDATE screenings SET verdict = 'clear'",
            "DELETE FROM screenings",
            "UPDATE purges SET removed = 0",
            "DELETE FROM purges",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
        assert con.execute("SELECT verdict FROM screenings").fetchone()[0] == "review"


def test_fresh_log_verifies(log: AuditLog) -> None:
    """An empty log and a log of several rows both verify."""
    assert log.verify().ok
    assert log.verify().head_hash == GENESIS
    for day in range(5):
        log.record(record(ts=NOW + dt.timedelta(days=day)))
    report = log.verify()
    assert report.ok
    assert report.rows == 5
    assert report.head_hash != GENESIS


def tamper(db: Path, *statements: str, restore_triggers: bool = True) -> None:
    """Edit the DB by hand the way an insider would: drop the triggers, change, restore."""
    with raw_connection(db) as con:
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for name, _ in triggers:
            con.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            con.execute(statement)
        if restore_triggers:
            for _, sql in triggers:
                con.execute(sql)


def test_hand_edited_verdict_breaks_the_chain(log: AuditLog, db: Path) -> None:
    """Changing one verdict by hand is found at that row."""
    for _ in range(4):
        log.record(record(verdict="alert"))
    tamper(db, "UPDATE screenings SET verdict = 'clear' WHERE id = 3")
    report = log.verify()
    assert not report.ok
    assert report.first_bad_row == 3
    assert "changed" in (report.problem or "")


def test_recomputed_row_hash_is_still_caught_at_the_next_row(log: AuditLog, db: Path) -> None:
    """Fixing the edited row's own hash breaks the link to the following row."""
    for _ in range(3):
        log.record(record(verdict="alert"))
    with raw_connection(db) as con:
        row = dict(
            zip(
                [d[0] for d in con.execute("SELECT * FROM screenings WHERE id = 2").description],
                con.execute("SELECT * FROM screenings WHERE id = 2").fetchone(),
                strict=True,
            )
        )
    from screening.audit import _hash  # noqa: PLC0415 - forging needs the private formula

    row["verdict"] = "clear"
    row.pop("row_hash")
    forged = _hash(row)
    tamper(db, f"UPDATE screenings SET verdict = 'clear', row_hash = '{forged}' WHERE id = 2")
    report = log.verify()
    assert not report.ok
    assert report.first_bad_row == 3


def test_hand_deleted_row_is_found(log: AuditLog, db: Path) -> None:
    """Deleting a row in the middle (or the first one) leaves a gap that verify reports."""
    for _ in range(4):
        log.record(record())
    tamper(db, "DELETE FROM screenings WHERE id = 2")
    report = log.verify()
    assert not report.ok
    assert report.first_bad_row == 3
    assert "missing" in (report.problem or "")
    tamper(db, "DELETE FROM screenings WHERE id = 1")
    assert log.verify().first_bad_row == 3


def test_dropped_triggers_fail_verify_and_stop_recording(log: AuditLog, db: Path) -> None:
    """Triggers removed by hand: verify fails and new screenings are not written."""
    log.record(record())
    tamper(db, restore_triggers=False)
    report = log.verify()
    assert not report.ok
    assert "trigger" in (report.problem or "")
    with pytest.raises(AuditError) as caught:
        log.record(record())
    assert caught.value.code == "audit_tampered"


# --- purge -------------------------------------------------------------------------------------


def fill(log: AuditLog, ages_days: list[int]) -> None:
    for age in ages_days:
        log.record(record(ts=NOW - dt.timedelta(days=age)))


def test_purge_removes_old_rows_and_the_chain_still_verifies(log: AuditLog, db: Path) -> None:
    """Rows older than 90 days go, the count is returned, the remaining chain verifies."""
    fill(log, [200, 150, 91, 89, 10, 0])
    removed = log.purge(dt.timedelta(days=90), NOW)
    assert removed == 3
    report = log.verify()
    assert report.ok, report.problem
    assert report.rows == 3
    assert report.purges == 1
    (purge,) = log.purges()
    assert (purge.removed, purge.through_id) == (3, 3)
    # the chain continues after a purge, and a second purge still verifies
    log.record(record(ts=NOW))
    assert log.purge(dt.timedelta(days=5), NOW) == 2
    assert log.verify().ok
    assert log.verify().rows == 2


def test_purge_with_nothing_old_is_a_no_op(log: AuditLog) -> None:
    """Nothing older than the cutoff: 0 removed, no purge record."""
    fill(log, [1, 0])
    assert log.purge(dt.timedelta(days=90), NOW) == 0
    assert log.purges() == ()
    assert log.verify().ok


def test_purge_everything_then_record(log: AuditLog) -> None:
    """After purging every row, the next row links to the purge anchor."""
    fill(log, [300, 200])
    assert log.purge(dt.timedelta(days=90), NOW) == 2
    assert log.verify().ok
    assert log.verify().rows == 0
    log.record(record())
    report = log.verify()
    assert report.ok, report.problem
    assert report.rows == 1


def test_purge_overwrites_deleted_rows_in_the_file(log: AuditLog, db: Path) -> None:
    """secure_delete: a purged token is gone from the file bytes."""
    log.record(record("OLD0NUMBER", ts=NOW - dt.timedelta(days=400)))
    old_token = tokens(db)[0]
    fill(log, [0])
    log.purge(dt.timedelta(days=90), NOW)
    assert old_token.encode() not in db.read_bytes()


def test_tampering_is_still_detected_after_a_purge(log: AuditLog, db: Path) -> None:
    """Edits after a purge: a changed row, a removed first row, an altered purge record."""
    fill(log, [200, 100, 50, 10, 0])
    log.purge(dt.timedelta(days=90), NOW)
    tamper(db, "UPDATE purges SET removed = 0")
    report = log.verify()
    assert not report.ok
    assert "purge record" in (report.problem or "")
    tamper(db, "UPDATE purges SET removed = 2")  # restore
    assert log.verify().ok
    tamper(db, "DELETE FROM screenings WHERE id = 3")
    assert log.verify().first_bad_row == 4


def test_purge_refuses_a_broken_chain_unless_forced(log: AuditLog, db: Path) -> None:
    """Purging a tampered log would erase the evidence: refused without force."""
    fill(log, [200, 0])
    tamper(db, "UPDATE screenings SET verdict = 'clear' WHERE id = 2")
    with pytest.raises(AuditError) as caught:
        log.purge(dt.timedelta(days=90), NOW)
    assert caught.value.code == "audit_tampered"
    assert log.purge(dt.timedelta(days=90), NOW, force=True) == 1


# --- export and stats -------------------------------------------------------------------------


def test_export_formats(log: AuditLog) -> None:
    """JSONL, JSON (with purges) and CSV carry every row and the schema version."""
    fill(log, [200, 1, 0])
    log.purge(dt.timedelta(days=90), NOW)
    lines = export_text(log, "jsonl").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["schema_version"] == "1"
    assert first["reason_codes"] == ["mrz_check_digit"]
    assert "document_number" not in first
    document = json.loads(export_text(log, "json"))
    assert len(document["screenings"]) == 2
    assert document["purges"][0]["removed"] == 1
    csv_text = export_text(log, "csv")
    assert csv_text.splitlines()[0].startswith("schema_version,id,ts,")
    assert len(csv_text.splitlines()) == 3
    with pytest.raises(ValueError, match="unknown export format"):
        log.export("xml", io.StringIO())


def test_csv_export_is_safe_against_formula_injection(log: AuditLog) -> None:
    """A checkpoint name starting with '=' is exported as text ('=...)."""
    log.record(record(checkpoint='=HYPERLINK("http://x")'))
    assert "'=HYPERLINK" in export_text(log, "csv")
    assert json.loads(export_text(log, "jsonl"))["checkpoint"].startswith("=HYPERLINK")


def test_stats_count_days_verdicts_reasons_nationalities_agencies(log: AuditLog) -> None:
    """The statistics periodic evaluations ask for, over inclusive UTC days."""
    log.record(
        record(ts=NOW, verdict="alert", reasons=("agency_watchlist_strong",), flags=("w:A1",))
    )
    log.record(
        record(ts=NOW, verdict="alert", reasons=("agency_watchlist_strong",), flags=("w:A1",))
    )
    log.record(
        record(ts=NOW - dt.timedelta(days=1), verdict="clear", reasons=(), nationality="IDN")
    )
    log.record(
        record(ts=NOW - dt.timedelta(days=1), verdict="no_result", reasons=("document_unreadable",))
    )
    log.record(record(ts=NOW - dt.timedelta(days=40)))  # outside the period
    stats = log.stats(dt.date(2026, 11, 26), dt.date(2026, 11, 28))
    assert stats.total == 4
    assert stats.per_day == (("2026-11-26", 0), ("2026-11-27", 2), ("2026-11-28", 2))
    assert dict(stats.verdicts) == {"clear": 1, "alert": 2, "no_result": 1}
    assert stats.top_reasons[0] == ("agency_watchlist_strong", 2)
    assert dict(stats.nationalities) == {"UTO": 3, "IDN": 1}
    assert stats.agencies_flagged == (("w:A1", 2),)
    assert stats.as_json()["schema_version"] == "1"


def test_concurrent_writers_keep_one_chain(db: Path) -> None:
    """Two processes recording at once (batch workers, two desks) leave a chain that verifies."""
    with AuditLog(db, db.with_name("audit.key")) as log:
        log.record(record())
    code = (
        "import sys, datetime as dt\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "from test_audit import record\n"
        "from screening.audit import AuditLog\n"
        "db = Path(sys.argv[1])\n"
        "with AuditLog(db, db.with_name('audit.key')) as log:\n"
        "    for _ in range(40):\n"
        "        log.record(record())\n"
    )
    tests_dir = str(Path(__file__).parent)
    workers = [subprocess.Popen([sys.executable, "-c", code, str(db), tests_dir]) for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    with AuditLog(db, db.with_name("audit.key")) as log:
        report = log.verify()
    assert report.ok, report.problem
    assert report.rows == 81


def test_a_corrupted_database_gives_an_audit_error(db: Path) -> None:
    """Damaged pages (disk fault, bad copy) give AuditError, never a raw sqlite3 traceback."""
    with AuditLog(db, db.with_name("audit.key")) as log:
        fill(log, list(range(300)))
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 2 : len(data)] = b"\xa5" * (len(data) - page * 2)
    db.write_bytes(bytes(data))
    # Opening may already detect the damage; otherwise reading the rows does.
    with pytest.raises(AuditError), AuditLog(db, db.with_name("audit.key"), create=False) as log:
        log.verify()
