"""Imports every subcommand module so that each registers itself on the Typer app.

One line per command module; keep the list sorted.
"""

from __future__ import annotations

from screening.cli import (
    audit_cmd,  # noqa: F401
    config_cmd,  # noqa: F401
    desk_cmd,  # noqa: F401
    match_cmd,  # noqa: F401
    mrz_cmd,  # noqa: F401
    read_cmd,  # noqa: F401
    report_cmd,  # noqa: F401
    screen_cmd,  # noqa: F401
    watchlist_cmd,  # noqa: F401
)
