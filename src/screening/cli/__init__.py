"""Command-line interface: `screening` (Typer). No domain logic lives here."""

from __future__ import annotations

import sys

from screening.cli.app import ExitCode, app
from screening.cli.app import main as _main

__all__ = ["ExitCode", "app", "main"]


def main() -> None:
    """Console-script entry point."""
    sys.exit(_main())
