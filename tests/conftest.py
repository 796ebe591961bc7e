"""Shared fixtures: the fixed `today`, the path to ../shared/data, and running the real CLI.

Tests that need ../shared/data skip with a clear reason only when that folder is absent.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
TODAY = dt.date(2026, 11, 28)
# Commands run by tests keep their config, audit log and debug logs here, never in $HOME.
XDG_HOME = Path(tempfile.mkdtemp(prefix="screening-tests-"))
atexit.register(shutil.rmtree, XDG_HOME, ignore_errors=True)  # test audit logs, caches
XDG_ENV = {
    "XDG_CONFIG_HOME": str(XDG_HOME / "config"),
    "XDG_DATA_HOME": str(XDG_HOME / "data"),
    "XDG_STATE_HOME": str(XDG_HOME / "state"),
    "XDG_CACHE_HOME": str(XDG_HOME / "cache"),
}
os.environ.update(XDG_ENV)  # in-process API tests too (index cache, audit log)


@pytest.fixture
def today() -> dt.date:
    """A fixed date: the core never reads the clock."""
    return TODAY


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip with the reason."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (expected beside the project)")
    return SHARED_DATA


def screening_exe() -> str:
    """The installed console script of the active environment."""
    exe = Path(sys.executable).with_name("screening")
    if exe.exists():
        return str(exe)
    found = shutil.which("screening")
    assert found, "the screening console script is not installed"
    return found


def run_cli(
    *args: str,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed `screening` command in a subprocess, as a user does."""
    full_env = {**os.environ, **XDG_ENV, "NO_COLOR": "1", "COLUMNS": "160", **(env or {})}
    data = stdin.decode("utf-8", "replace") if isinstance(stdin, bytes) else stdin
    return subprocess.run(
        [screening_exe(), *args],
        input=data,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
