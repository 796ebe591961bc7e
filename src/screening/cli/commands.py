"""Imports every subcommand module so that each registers itself on the Typer app.

One line per command module; keep the list sorted.
"""

from __future__ import annotations

from screening.cli import audit_cmd  # noqa: F401
from screening.cli import config_cmd  # noqa: F401
from screening.cli import mrz_cmd  # noqa: F401
from screening.cli import report_cmd  # noqa: F401
from screening.cli import watchlist_cmd  # noqa: F401
from screening.cli import desk_cmd  # noqa: F401
from screening.cli import screen_cmd  # noqa: F401
