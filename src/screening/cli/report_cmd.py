"""`screening report`: statistics from the audit log for periodic evaluations.

Typer only: `AuditLog.stats(since, until)` -> Rich tables with text bar charts (no extra
dependencies, readable without colour) or JSON. Days are UTC days.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path  # noqa: TC003 - Typer reads annotations at run time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from screening.cli.app import ExitCode, app, err_console, out_console
from screening.cli.config_cmd import plain_text
from screening.config import effective_config

if TYPE_CHECKING:
    from collections.abc import Sequence

    from screening.audit import Stats

__all__ = ["bar", "report"]

BAR_WIDTH = 40
DEFAULT_DAYS = 30


class ReportFormat(enum.StrEnum):
    """Output of the report."""

    TABLE = "table"
    JSON = "json"


def bar(count: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A bar of block characters proportional to count/largest; any non-zero count shows."""
    if count <= 0 or largest <= 0:
        return ""
    eighths = round(count / largest * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


def _date(value: str | None, option: str, default: dt.date) -> dt.date:
    if value is None:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} must be a date YYYY-MM-DD") from None


def _chart(title: str, rows: Sequence[tuple[str, int]], label: str) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column(label, no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    largest = max((count for _, count in rows), default=0)
    for name, count in rows:
        table.add_row(plain_text(name), Text(str(count)), Text(bar(count, largest)))
    if not rows:
        table.add_row(Text("(none)"), Text("0"), Text(""))
    return table


def _print(stats: Stats) -> None:
    out_console.print(
        plain_text(
            f"Screenings {stats.since.isoformat()} to {stats.until.isoformat()} (UTC): "
            f"{stats.total}"
        )
    )
    sections = (
        ("Screenings per day", stats.per_day, "day"),
        ("Verdicts", tuple((v.upper(), n) for v, n in stats.verdicts), "verdict"),
        ("Top reasons", stats.top_reasons, "reason"),
        ("Nationalities", stats.nationalities, "nationality"),
        ("Agencies flagged (watchlist entry)", stats.agencies_flagged, "list:entry"),
        ("Checkpoints", stats.checkpoints, "checkpoint"),
    )
    for title, rows, label in sections:
        out_console.print()
        out_console.print(_chart(title, rows, label))


@app.command("report")
def report(
    since: Annotated[
        str | None,
        typer.Option("--since", help=f"First day (YYYY-MM-DD); default {DEFAULT_DAYS} days ago."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day, inclusive (YYYY-MM-DD); default today.")
    ] = None,
    output: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ReportFormat.TABLE,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Audit database (default: audit_db from the configuration)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Configuration file to read instead of XDG.")
    ] = None,
) -> ExitCode:
    """Statistics from the audit log, with bar charts in the terminal.

    Screenings per day, verdicts, top reasons, nationalities, agencies flagged (watchlist
    entry ids, never names) and checkpoints, for the UTC days --since to --until.

    Example: screening report --since 2026-11-01 --until 2026-11-30
    """
    from screening.audit import AuditLog  # noqa: PLC0415 - sqlite3 only when needed

    last = _date(until, "--until", dt.datetime.now(tz=dt.UTC).date())
    first = _date(since, "--since", last - dt.timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise typer.BadParameter("--since must not be after --until")
    effective = effective_config({"audit_db": db}, path=config)
    with AuditLog(effective.audit_db, effective.audit_key, create=False) as log:
        stats = log.stats(first, last)
        intact = log.verify().ok
    if output is ReportFormat.JSON:
        document = {**stats.as_json(), "chain_intact": intact}
        out_console.file.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        _print(stats)
    if not intact:
        err_console.print(
            "warning: the audit log does not verify (rows were altered or removed); these "
            "statistics cannot be trusted. Run `screening audit verify`."
        )
        return ExitCode.ALERT
    return ExitCode.CLEAR
