"""The Typer application, exit codes and the single error boundary.

Every subcommand lives in its own small module in this package and registers itself on `app`;
this module owns what they share: `ExitCode`, the `--format` choice, the consoles, and `main()`,
the one place that turns exceptions into a one-line message and an exit code (pre-commit's
error_handler). Tracebacks are never printed: they contain passport data in local variables.
With `--debug` the traceback goes to a 0600 file and its path is printed.
"""

from __future__ import annotations

import enum
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape

from screening import __version__
from screening.errors import (
    EnvironmentProblem,
    InputError,
    ScreeningError,
    WatchlistError,
)

__all__ = [
    "ExitCode",
    "OcrTimeoutOpt",
    "OutputFormat",
    "app",
    "err_console",
    "main",
    "out_console",
]


class ExitCode(enum.IntEnum):
    """Documented exit codes (README "Exit codes"); a batch exits with the worst one.

    Precedence for a batch, worst first: ALERT > NO_RESULT > REVIEW > CLEAR.
    """

    CLEAR = 0  # screened, every check passed, nothing found
    INTERNAL = 1  # a bug: "unexpected error, please report"
    USAGE = 2  # bad command line (Click's own code)
    REVIEW = 3  # screened, something needs an officer's look (e.g. a failing check)
    ALERT = 4  # screened, strong signal (watchlist hit, possible forgery)
    NO_RESULT = 5  # input could not be screened: unparseable MRZ, no MRZ found, unreadable file
    CONFIG = 6  # configuration or watchlist error (fail closed)
    ENVIRONMENT = 7  # something missing on this machine, e.g. Tesseract
    INTERRUPTED = 130  # Ctrl-C


class OutputFormat(enum.StrEnum):
    """Output formats shared by every command."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


# `--ocr-timeout`, shared by the commands that read images (`read`, `screen`, `batch`).
OcrTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--ocr-timeout",
        min=0.5,
        help="Time limit in seconds for each OCR call (default: setting ocr_timeout_s).",
        show_default=False,
    ),
]


app = typer.Typer(
    name="screening",
    help="Screen travel documents: read and validate the MRZ, match names, print a verdict.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out_console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)

_state: dict[str, bool] = {"debug": False}


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an unexpected error, write the traceback to a private (0600) file.",
        ),
    ] = False,
) -> None:
    """Screen travel documents at an immigration checkpoint."""
    del version
    _state["debug"] = debug


def _exit_code_for(error: ScreeningError) -> ExitCode:
    if isinstance(error, WatchlistError):
        return ExitCode.CONFIG
    if isinstance(error, EnvironmentProblem):
        return ExitCode.ENVIRONMENT
    if isinstance(error, InputError):
        return ExitCode.NO_RESULT
    return ExitCode.CONFIG


def _write_debug_log() -> Path:
    """Write the current traceback to a new 0600 file and return its path."""
    directory = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
    directory = directory / "screening"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        directory = Path(tempfile.gettempdir())
    fd, name = tempfile.mkstemp(
        prefix=time.strftime("debug-%Y%m%d-%H%M%S-"), suffix=".log", dir=directory
    )
    with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp creates it 0600
        handle.write(traceback.format_exc())
    return Path(name)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and exit with a documented code; the only exception boundary."""
    # Import the subcommand modules for their registration side effect (kept here so that
    # `screening --help` stays fast: each module imports heavy libraries lazily).
    from screening.cli import commands  # noqa: F401, PLC0415

    code: int
    try:
        result = app(args=argv, standalone_mode=False, prog_name="screening")
        code = int(result) if isinstance(result, int) else 0
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.exceptions.Abort:
        err_console.print("Interrupted.")
        code = ExitCode.INTERRUPTED
    except click.ClickException as usage:
        usage.show()
        code = ExitCode.USAGE
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        code = ExitCode.INTERRUPTED
    except ScreeningError as error:
        err_console.print(f"[red]error:[/] {escape(error.message)}")
        code = _exit_code_for(error)
    except Exception:  # noqa: BLE001 - the one boundary: a bug must not leak passport data
        message = "unexpected error, please report it (run again with --debug for details)"
        if _state["debug"]:
            path = _write_debug_log()
            message = f"unexpected error, please report it; traceback written to {path}"
        err_console.print(f"[red]error:[/] {escape(message)}")
        code = ExitCode.INTERNAL
    sys.stdout.flush()
    return code
