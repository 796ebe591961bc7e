"""The installed `screening` command, run in a subprocess as users run it."""

from __future__ import annotations

import subprocess
import sys

from conftest import run_cli


def test_version_prints_the_package_version() -> None:
    """`screening --version` prints the version and exits 0."""
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("screening ")


def test_python_dash_m_runs_the_same_cli() -> None:
    """`python -m screening --version` behaves like the console script."""
    result = subprocess.run(
        [sys.executable, "-m", "screening", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("screening ")


def test_unknown_command_is_a_usage_error() -> None:
    """A command that does not exist exits 2 (usage) with a message, never a traceback."""
    result = run_cli("no-such-command")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
