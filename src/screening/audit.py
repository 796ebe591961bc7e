"""Audit log (ADAPTER): an append-only, hash-chained SQLite record of every screening.

Each screening is one row of `screenings`: time (UTC), checkpoint, officer id, document type,
issuing state, nationality, verdict, reason codes, list versions (name + SHA-256), tool version,
the ids of flagged agency entries, and `doc_token` = HMAC-SHA256(key, issuing state + document
number). Personal data is minimised as Indonesia's UU PDP expects: no document numbers (only the
keyed token; the key is a 0600 file of 32 random bytes), no names, no MRZ text, no images; the
database file is 0600 and purged rows are overwritten (`secure_delete`). Triggers reject UPDATE
and DELETE. Every row carries `prev_hash` and `row_hash` = SHA-256 over the previous hash and
the row's canonical JSON, so `verify()` finds a row edited, inserted or removed by hand.
`purge()` is the one controlled way to delete: inside one transaction it lifts the delete
trigger, removes the oldest rows, records a `purges` row (count, last removed id, its hash as
the new anchor; the purges are chained too) and restores the trigger, so the remaining chain
still verifies. Limits: whoever can write the file can drop the triggers and rebuild the whole
unkeyed chain, and removing the newest rows leaves a valid shorter chain; compare `head_hash`
from `verify()` with a copy kept elsewhere to catch both.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sqlite3
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ParamSpec, Self, TypeVar

from screening import __version__
from screening.errors import AuditError
from screening.model import Assessment, Verdict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

    from screening.model import ListInfo, Match, Mrz

__all__ = [
    "GENESIS",
    "AuditLog",
    "AuditRecord",
    "PurgeInfo",
    "Stats",
    "VerifyReport",
    "audit_record",
    "document_token",
    "export_text",
]

SCHEMA_VERSION = "1"
GENESIS = "0" * 64
KEY_BYTES = 32
_COLUMNS = (
    "id",
    "ts",
    "checkpoint",
    "officer_id",
    "doc_type",
    "issuing_state",
    "nationality",
    "verdict",
    "reason_codes",
    "list_versions",
    "agency_flags",
    "tool_version",
    "doc_token",
    "prev_hash",
)
_PURGE_COLUMNS = ("id", "ts", "cutoff", "removed", "through_id", "anchor_hash", "prev_hash")
_TRIGGERS = {
    "screenings_no_update": "BEFORE UPDATE ON screenings",
    "screenings_no_delete": "BEFORE DELETE ON screenings",
    "purges_no_update": "BEFORE UPDATE ON purges",
    "purges_no_delete": "BEFORE DELETE ON purges",
}
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    doc_type TEXT,
    issuing_state TEXT,
    nationality TEXT,
    verdict TEXT NOT NULL,
    reason_codes TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    agency_flags TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    doc_token TEXT,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
CREATE INDEX screenings_ts ON screenings (ts);
CREATE TABLE purges (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    cutoff TEXT NOT NULL,
    removed INTEGER NOT NULL,
    through_id INTEGER NOT NULL,
    anchor_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
"""
_CODE = re.compile(r"[a-z0-9_:.-]{1,64}")
_STATE = re.compile(r"[A-Z<]{1,3}")


def _trigger_sql(name: str) -> str:
    event = _TRIGGERS[name]
    return (
        f"CREATE TRIGGER {name} {event} BEGIN "
        "SELECT RAISE(ABORT, 'the audit log is append-only; use screening audit purge'); END"
    )


# --- the record ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What is recorded about one screening; `document_number` only makes the token."""

    ts: dt.datetime  # timezone-aware
    checkpoint: str
    officer_id: str
    doc_type: str | None
    issuing_state: str | None
    nationality: str | None
    document_number: str | None = field(repr=False)  # never stored, never printed
    verdict: str
    reason_codes: tuple[str, ...]
    list_versions: tuple[tuple[str, str], ...]  # (list name, sha256)
    tool_version: str = __version__
    agency_flags: tuple[str, ...] = ()  # watchlist entry ids of agency matches (no names)


def audit_record(
    *,
    ts: dt.datetime,
    checkpoint: str,
    officer_id: str,
    mrz: Mrz | None,
    assessment: Assessment,
    lists: Sequence[ListInfo],
    agency_matches: Sequence[Match] = (),
) -> AuditRecord:
    """Build the record of a screening from its parts (what the orchestration has at hand)."""
    return AuditRecord(
        ts=ts,
        checkpoint=checkpoint,
        officer_id=officer_id,
        doc_type=mrz.doc_type.value if mrz is not None else None,
        issuing_state=mrz.value("issuing_state") or None if mrz is not None else None,
        nationality=mrz.value("nationality") or None if mrz is not None else None,
        document_number=mrz.value("document_number") or None if mrz is not None else None,
        verdict=str(assessment.verdict),
        reason_codes=tuple(dict.fromkeys(f.code for f in assessment.findings)),
        list_versions=tuple((info.name, info.sha256) for info in lists),
        agency_flags=tuple(
            dict.fromkeys(f"{m.list_name}:{m.entry.id}" for m in agency_matches if m.strength)
        ),
    )


def document_token(
    key: bytes, issuing_state: str | None, document_number: str | None
) -> str | None:
    """HMAC-SHA256 of the issuing state and document number (fillers removed), hex; or None."""
    number = (document_number or "").replace("<", "").replace(" ", "").upper()
    if not number:
        return None
    state = (issuing_state or "").replace("<", "").upper()
    return hmac.new(key, f"{state}|{number}".encode(), hashlib.sha256).hexdigest()


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(values: Mapping[str, object]) -> str:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(values: Mapping[str, object]) -> str:
    """Chain hash: SHA-256 over the previous hash and the row's canonical JSON."""
    text = f"{values['prev_hash']}\n{_canonical(values)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_code(value: str | None) -> str | None:
    # Only a 1-3 letter code is kept: a misread name in this field must never be stored.
    if value is None or not _STATE.fullmatch(value):
        return None if not value else "?"
    return value.replace("<", "") or None


# --- reports -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of checking the chain; `first_bad_row` is the id where it breaks."""

    ok: bool
    rows: int
    first_bad_row: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS
    purges: int = 0


@dataclass(frozen=True, slots=True)
class PurgeInfo:
    """One purge: when, the cutoff, how many rows went and the new chain anchor."""

    ts: str
    cutoff: str
    removed: int
    through_id: int
    anchor_hash: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Statistics for periodic evaluations over [since, until] (UTC days, inclusive)."""

    since: dt.date
    until: dt.date
    total: int
    per_day: tuple[tuple[str, int], ...]
    verdicts: tuple[tuple[str, int], ...]
    top_reasons: tuple[tuple[str, int], ...]
    nationalities: tuple[tuple[str, int], ...]
    agencies_flagged: tuple[tuple[str, int], ...]
    checkpoints: tuple[tuple[str, int], ...]

    def as_json(self) -> dict[str, object]:
        """JSON-ready, with `schema_version`."""
        return {
            "schema_version": "1",
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "total": self.total,
            "per_day": dict(self.per_day),
            "verdicts": dict(self.verdicts),
            "top_reasons": dict(self.top_reasons),
            "nationalities": dict(self.nationalities),
            "agencies_flagged": dict(self.agencies_flagged),
            "checkpoints": dict(self.checkpoints),
        }


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _sqlite_errors(action: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Turn a database error (locked, read-only, corrupt) into one AuditError line."""

    def decorate(method: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(method)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as error:
                raise AuditError(
                    f"The audit log could not be {action}: {_reason(error)}.", code="audit_io"
                ) from None

        return guarded

    return decorate


# --- files with private permissions ---------------------------------------------------------------


def _private_dir(path: Path) -> None:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)


def _tighten(path: Path) -> None:
    """Make an existing file 0600 (it may have been copied in with wider permissions)."""
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        path.chmod(0o600)


def _create_private(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)


def _load_key(path: Path) -> bytes:
    try:
        _private_dir(path)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
        _tighten(path)
        key = path.read_bytes()
    except OSError as error:
        raise AuditError(
            f"The audit key file {path} cannot be used: {error.strerror}.", code="audit_key"
        ) from None
    if len(key) != KEY_BYTES:
        raise AuditError(
            f"The audit key file {path} is not a key written by screening "
            f"({len(key)} bytes, expected {KEY_BYTES}); restore it from your backup.",
            code="audit_key",
        )
    return key


def _key_id(key: bytes) -> str:
    return hmac.new(key, b"screening audit key id", hashlib.sha256).hexdigest()[:16]


# --- the log -------------------------------------------------------------------------------------


class AuditLog:
    """The audit database at `path`, with its HMAC key at `key_path` (created on first record)."""

    def __init__(self, path: Path, key_path: Path | None = None, *, create: bool = True) -> None:
        """Open the database, creating it 0600 when `create`; missing and not `create`: error."""
        self.path = Path(path)
        self.key_path = Path(key_path) if key_path is not None else self.path.with_name("audit.key")
        self._key: bytes | None = None
        exists = self.path.exists()
        if not exists and not create:
            raise AuditError(
                f"There is no audit log at {self.path}; screenings create it, or set audit_db.",
                code="audit_missing",
            )
        if exists and not create and self.path.is_file() and self.path.stat().st_size == 0:
            # A read-only command must not turn a truncated (emptied) log into a fresh one
            # that "verifies" with 0 rows.
            raise AuditError(
                f"The audit log {self.path} is empty (0 bytes): it was truncated or is not an "
                "audit log.",
                code="audit_open",
            )
        try:
            if not exists:
                _private_dir(self.path)
                # Created 0600 before SQLite opens it; SQLite gives its journal the same mode.
                _create_private(self.path)
            _tighten(self.path)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise AuditError(
                f"The audit log {self.path} cannot be opened: {_reason(error)}.", code="audit_open"
            ) from None
        try:
            self._db.execute("PRAGMA secure_delete = ON")
            self._ensure_schema()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise AuditError(
                f"{self.path} is not a screening audit log ({_reason(error)}).", code="audit_open"
            ) from None

    # context manager -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        """Use as `with AuditLog(...) as log:`."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the connection."""
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # schema ----------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        tables = {
            row[0]
            for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            self._create_schema()
            return
        if not {"meta", "screenings", "purges"} <= tables:
            raise sqlite3.DatabaseError("the audit tables are missing")
        version = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("unknown audit schema version")

    def _create_schema(self) -> None:
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            for name in _TRIGGERS:
                self._db.execute(_trigger_sql(name))
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT: one writer at a time keeps the chain linear."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _triggers_missing(self) -> list[str]:
        present = {
            row[0]
            for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        return sorted(set(_TRIGGERS) - present)

    def _key_bytes(self) -> bytes:
        if self._key is None:
            key = _load_key(self.key_path)
            ident = _key_id(key)
            with self._transaction():
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('key_id', ?)", (ident,)
                )
                stored = self._db.execute("SELECT value FROM meta WHERE key = 'key_id'").fetchone()
            if stored[0] != ident:
                raise AuditError(
                    f"The audit key file {self.key_path} does not belong to the audit log "
                    f"{self.path}; restore the original key (tokens would not match).",
                    code="audit_key",
                )
            self._key = key
        return self._key

    # chain state -----------------------------------------------------------------------------

    def _last_purge(self) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(
            "SELECT through_id, anchor_hash, row_hash FROM purges ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return row

    def _head(self) -> tuple[int, str]:
        """(last id, last hash) of the chain, following purges when the table is empty."""
        row = self._db.execute(
            "SELECT id, row_hash FROM screenings ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        purge = self._last_purge()
        if purge is not None:
            return int(purge[0]), str(purge[1])
        return 0, GENESIS

    # writing ---------------------------------------------------------------------------------

    def record(self, entry: AuditRecord) -> None:
        """Append one screening; the document number only feeds the token."""
        if self._triggers_missing():
            raise AuditError(
                f"The audit log {self.path} was modified outside screening (its append-only "
                "triggers are gone); run `screening audit verify` and investigate.",
                code="audit_tampered",
            )
        verdict = Verdict(entry.verdict)
        codes = [c for c in entry.reason_codes if _CODE.fullmatch(c)]
        versions = [[str(name), str(digest)] for name, digest in entry.list_versions]
        token = document_token(self._key_bytes(), entry.issuing_state, entry.document_number)
        try:
            with self._transaction():
                last_id, last_hash = self._head()
                values: dict[str, object] = {
                    "id": last_id + 1,
                    "ts": _utc(entry.ts),
                    "checkpoint": entry.checkpoint,
                    "officer_id": entry.officer_id,
                    "doc_type": entry.doc_type,
                    "issuing_state": _state_code(entry.issuing_state),
                    "nationality": _state_code(entry.nationality),
                    "verdict": verdict.value,
                    "reason_codes": json.dumps(codes),
                    "list_versions": json.dumps(versions, ensure_ascii=False),
                    "agency_flags": json.dumps(list(entry.agency_flags), ensure_ascii=False),
                    "tool_version": entry.tool_version,
                    "doc_token": token,
                    "prev_hash": last_hash,
                }
                values["row_hash"] = _hash(values)
                names = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                self._db.execute(
                    f"INSERT INTO screenings ({names}) VALUES ({marks})",  # noqa: S608 - fixed names
                    tuple(values.values()),
                )
        except sqlite3.Error as error:
            raise AuditError(
                f"The screening could not be written to the audit log {self.path}: "
                f"{_reason(error)}.",
                code="audit_write",
            ) from None

    @_sqlite_errors("purged")
    def purge(self, older_than: dt.timedelta, now: dt.datetime, *, force: bool = False) -> int:
        """Delete rows older than `now - older_than` by the controlled path; return the count.

        Refuses on a chain that does not verify (that would erase the evidence) unless `force`.
        """
        if older_than < dt.timedelta(0):
            raise ValueError("older_than must not be negative")
        if not force:
            report = self.verify()
            if not report.ok:
                raise AuditError(
                    f"The audit log {self.path} does not verify ({report.problem}); "
                    "not purging, so that the evidence is kept. Investigate first.",
                    code="audit_tampered",
                )
        cutoff = _utc(now - older_than)
        with self._transaction():
            kept = self._db.execute(
                "SELECT MIN(id) FROM screenings WHERE ts >= ?", (cutoff,)
            ).fetchone()[0]
            if kept is None:
                through = self._db.execute("SELECT MAX(id) FROM screenings").fetchone()[0]
            else:
                through = int(kept) - 1
            if through is None:
                return 0
            removed, anchor = self._db.execute(
                "SELECT COUNT(*), (SELECT row_hash FROM screenings WHERE id = ?) "
                "FROM screenings WHERE id <= ?",
                (through, through),
            ).fetchone()
            if not removed:
                return 0
            last = self._last_purge()
            values: dict[str, object] = {
                "id": int(self._db.execute("SELECT COUNT(*) FROM purges").fetchone()[0]) + 1,
                "ts": _utc(now),
                "cutoff": cutoff,
                "removed": int(removed),
                "through_id": int(through),
                "anchor_hash": str(anchor),
                "prev_hash": str(last[2]) if last is not None else GENESIS,
            }
            values["row_hash"] = _hash(values)
            self._db.execute("DROP TRIGGER screenings_no_delete")
            self._db.execute("DELETE FROM screenings WHERE id <= ?", (through,))
            self._db.execute(_trigger_sql("screenings_no_delete"))
            self._db.execute(
                "INSERT INTO purges (id, ts, cutoff, removed, through_id, anchor_hash, prev_hash, "
                "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                tuple(values.values()),
            )
        return int(removed)

    # reading ---------------------------------------------------------------------------------

    def _rows(self) -> Iterator[dict[str, Any]]:
        cursor = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)}, row_hash FROM screenings ORDER BY id"  # noqa: S608
        )
        for row in cursor:
            yield dict(zip((*_COLUMNS, "row_hash"), row, strict=True))

    @_sqlite_errors("read")
    def purges(self) -> tuple[PurgeInfo, ...]:
        """Every purge, oldest first."""
        return tuple(
            PurgeInfo(ts=r[0], cutoff=r[1], removed=r[2], through_id=r[3], anchor_hash=r[4])
            for r in self._db.execute(
                "SELECT ts, cutoff, removed, through_id, anchor_hash FROM purges ORDER BY id"
            )
        )

    @_sqlite_errors("verified")
    def verify(self) -> VerifyReport:
        """Recompute the chain: purges first, then every remaining screening row."""
        missing = self._triggers_missing()
        purge_rows = self._db.execute(
            f"SELECT {', '.join(_PURGE_COLUMNS)}, row_hash FROM purges ORDER BY id"  # noqa: S608
        ).fetchall()
        prev, expected_id, anchor_id, anchor = GENESIS, 1, 0, GENESIS
        for raw in purge_rows:
            values = dict(zip(_PURGE_COLUMNS, raw[:-1], strict=True))
            if (
                values["id"] != expected_id
                or values["prev_hash"] != prev
                or _hash(values) != raw[-1]
            ):
                return VerifyReport(
                    ok=False,
                    rows=0,
                    problem=f"the purge record {values['id']} was altered",
                    purges=len(purge_rows),
                )
            prev, expected_id = raw[-1], expected_id + 1
            anchor_id, anchor = int(values["through_id"]), str(values["anchor_hash"])
        count, prev, next_id = 0, anchor, anchor_id + 1
        for row in self._rows():
            count += 1
            stored = row.pop("row_hash")
            problem = None
            if row["id"] != next_id:
                problem = f"rows before id {row['id']} are missing (expected id {next_id})"
            elif row["prev_hash"] != prev:
                problem = f"row {row['id']} does not link to the row before it"
            elif _hash(row) != stored:
                problem = f"row {row['id']} was changed after it was written"
            if problem is not None:
                return VerifyReport(
                    ok=False,
                    rows=count,
                    first_bad_row=int(row["id"]),
                    problem=problem,
                    purges=len(purge_rows),
                )
            prev, next_id = stored, next_id + 1
        if missing:
            return VerifyReport(
                ok=False,
                rows=count,
                problem=f"append-only trigger(s) removed: {', '.join(missing)}",
                head_hash=prev,
                purges=len(purge_rows),
            )
        return VerifyReport(ok=True, rows=count, head_hash=prev, purges=len(purge_rows))

    @_sqlite_errors("exported")
    def export(self, fmt: str, out: IO[str]) -> int:
        """Write every row (and the purges, in json) as jsonl, json or csv; return the count."""
        rows = [_exported(row) for row in self._rows()]
        if fmt == "jsonl":
            for row in rows:
                out.write(json.dumps({"schema_version": "1", **row}, ensure_ascii=False) + "\n")
        elif fmt == "json":
            document = {
                "schema_version": "1",
                "screenings": rows,
                "purges": [
                    {
                        "ts": p.ts,
                        "cutoff": p.cutoff,
                        "removed": p.removed,
                        "through_id": p.through_id,
                        "anchor_hash": p.anchor_hash,
                    }
                    for p in self.purges()
                ],
            }
            out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["schema_version", *_COLUMNS, "row_hash"])
            for row in rows:
                writer.writerow(["1", *(_csv_cell(row[c]) for c in (*_COLUMNS, "row_hash"))])
        else:
            raise ValueError(f"unknown export format {fmt!r}")
        return len(rows)

    @_sqlite_errors("read")
    def stats(self, since: dt.date, until: dt.date) -> Stats:
        """Counts for the UTC days since..until inclusive."""
        start = f"{since.isoformat()}T00:00:00"
        end = f"{(until + dt.timedelta(days=1)).isoformat()}T00:00:00"
        per_day: Counter[str] = Counter()
        verdicts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        nationalities: Counter[str] = Counter()
        agencies: Counter[str] = Counter()
        checkpoints: Counter[str] = Counter()
        cursor = self._db.execute(
            "SELECT ts, verdict, reason_codes, nationality, agency_flags, checkpoint "
            "FROM screenings WHERE ts >= ? AND ts < ?",
            (start, end),
        )
        for ts, verdict, codes, nationality, flags, checkpoint in cursor:
            per_day[ts[:10]] += 1
            verdicts[verdict] += 1
            reasons.update(_json_list(codes))
            nationalities[nationality or "unknown"] += 1
            agencies.update(_json_list(flags))
            checkpoints[checkpoint or "unset"] += 1
        return Stats(
            since=since,
            until=until,
            total=sum(per_day.values()),
            per_day=_days(since, until, per_day),
            verdicts=tuple((v.value, verdicts[v.value]) for v in Verdict if verdicts[v.value]),
            top_reasons=tuple(reasons.most_common(10)),
            nationalities=tuple(nationalities.most_common(10)),
            agencies_flagged=tuple(agencies.most_common(10)),
            checkpoints=tuple(checkpoints.most_common(10)),
        )


def _days(since: dt.date, until: dt.date, counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    """Every day of a short period (zeros included, for the chart); only busy days otherwise."""
    span = (until - since).days + 1
    if 0 < span <= 366:
        days = (since + dt.timedelta(days=n) for n in range(span))
        return tuple((d.isoformat(), counts[d.isoformat()]) for d in days)
    return tuple(sorted(counts.items()))


def _json_list(text: str) -> Iterable[str]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return ()
    return [str(v) for v in value] if isinstance(value, list) else ()


def _exported(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("reason_codes", "list_versions", "agency_flags"):
        out[key] = json.loads(out[key]) if isinstance(out[key], str) else out[key]
    return out


def _csv_cell(value: object) -> str:
    """A CSV cell no spreadsheet will run as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    text = (
        ";".join(
            ":".join(str(part) for part in item) if isinstance(item, list) else str(item)
            for item in value
        )
        if isinstance(value, list)
        else str(value)
    )
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + text
    return text


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error) or type(error).__name__


def export_text(log: AuditLog, fmt: str) -> str:
    """The export as a string (for tests and small logs)."""
    buffer = io.StringIO()
    log.export(fmt, buffer)
    return buffer.getvalue()
