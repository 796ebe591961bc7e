"""`screening audit verify|export|purge`: check, export and trim the audit log.

Typer only: options -> `screening.audit.AuditLog` -> one line or a document -> `ExitCode`.
The database and key paths come from the configuration (`audit_db`, `audit_key`) unless
`--db` / `--key` are given. A chain that does not verify exits 4 (ALERT: the log was altered).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from screening.cli.app import ExitCode, app, err_console, out_console
from screening.cli.config_cmd import plain_text
from screening.config import effective_config
from screening.errors import AuditError

if TYPE_CHECKING:
    from screening.audit import AuditLog

__all__ = ["audit_app", "parse_duration"]

audit_app = typer.Typer(
    name="audit",
    help="Check (verify), export and purge the local audit log of screenings.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="Audit database (default: audit_db from the configuration)."),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Configuration file to read instead of XDG.")
]

_DURATION = re.compile(r"\s*(\d{1,6})\s*([dwh])\s*")
_UNITS = {"d": "days", "w": "weeks", "h": "hours"}


class ReportFormat(enum.StrEnum):
    """Output of verify and purge."""

    TABLE = "table"
    JSON = "json"


class ExportFormat(enum.StrEnum):
    """Export formats."""

    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"


def parse_duration(text: str) -> dt.timedelta:
    """`90d`, `12w` or `36h` as a timedelta; anything else is a usage error."""
    found = _DURATION.fullmatch(text)
    if found is None:
        raise typer.BadParameter("use a number and a unit: 90d (days), 12w (weeks) or 36h (hours)")
    return dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def _open(db: Path | None, config: Path | None, *, key: Path | None = None) -> AuditLog:
    from screening.audit import AuditLog  # noqa: PLC0415 - sqlite3 only when needed

    flags: dict[str, object] = {"audit_db": db, "audit_key": key}
    effective = effective_config(flags, path=config)
    return AuditLog(effective.audit_db, effective.audit_key, create=False)


def _emit(document: dict[str, object]) -> None:
    out_console.file.write(json.dumps({"schema_version": "1", **document}) + "\n")


@audit_app.command("verify")
def verify(
    db: DbOpt = None,
    config: ConfigOpt = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ReportFormat.TABLE,
) -> ExitCode:
    """Recompute the hash chain; exit 0 when intact, 4 when a row was altered or removed.

    Prints the number of rows, the purges and the head hash (keep a copy of the head hash
    elsewhere: it also reveals rows removed from the end).

    Example: screening audit verify --db /var/lib/screening/audit.sqlite3
    """
    with _open(db, config) as log:
        report = log.verify()
    code = ExitCode.CLEAR if report.ok else ExitCode.ALERT
    if output is ReportFormat.JSON:
        _emit(
            {
                "ok": report.ok,
                "rows": report.rows,
                "first_bad_row": report.first_bad_row,
                "problem": report.problem,
                "head_hash": report.head_hash,
                "purges": report.purges,
            }
        )
        return code
    if report.ok:
        out_console.print(
            plain_text(f"OK: audit chain intact, {report.rows} rows, {report.purges} purge(s)")
        )
        out_console.print(plain_text(f"head hash: {report.head_hash}"))
    else:
        where = f" (first bad row: {report.first_bad_row})" if report.first_bad_row else ""
        out_console.print(plain_text(f"BROKEN: audit chain does not verify{where}"))
        err_console.print(plain_text(f"error: {report.problem}"))
    return code


@audit_app.command("export")
def export(
    db: DbOpt = None,
    config: ConfigOpt = None,
    output: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="jsonl, json or csv.")
    ] = ExportFormat.JSONL,
    out: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this new file (0600) instead of stdout."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --output.")] = False,
) -> ExitCode:
    """Export every row (no names, no document numbers: only keyed tokens) for archiving.

    CSV cells that a spreadsheet would run as a formula are prefixed with '.

    Example: screening audit export --format csv --output audit-2026-11.csv
    """
    with _open(db, config) as log:
        if out is None:
            count = log.export(str(output), sys.stdout)
        else:
            flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
            try:
                fd = os.open(out, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                raise AuditError(
                    f"{out} already exists; choose another file or add --force.",
                    code="output_exists",
                ) from None
            except OSError as error:
                raise AuditError(
                    f"{out} cannot be written: {error.strerror}.", code="output_unwritable"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                count = log.export(str(output), handle)
            err_console.print(plain_text(f"exported {count} rows to {out}"))
    return ExitCode.CLEAR


@audit_app.command("purge")
def purge(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Remove rows older than this: 90d, 12w, 36h.")
    ],
    db: DbOpt = None,
    config: ConfigOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Purge even when the chain does not verify.")
    ] = False,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ReportFormat.TABLE,
) -> ExitCode:
    """Delete rows older than a retention period; the remaining chain still verifies.

    The deletion is recorded (count and new chain anchor). A log that does not verify is
    not purged (that would erase the evidence) unless --force.

    Example: screening audit purge --older-than 90d
    """
    age = parse_duration(older_than)
    with _open(db, config) as log:
        removed = log.purge(age, dt.datetime.now(tz=dt.UTC), force=force)
        report = log.verify()
    if output is ReportFormat.JSON:
        _emit({"removed": removed, "remaining": report.rows, "verified": report.ok})
    else:
        out_console.print(
            plain_text(
                f"purged {removed} rows older than {older_than.strip()}; "
                f"{report.rows} rows remain; chain {'intact' if report.ok else 'BROKEN'}"
            )
        )
    return ExitCode.CLEAR if report.ok else ExitCode.ALERT
