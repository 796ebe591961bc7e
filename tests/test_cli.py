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


def test_the_command_keeps_openblas_to_one_thread_unless_the_user_chose() -> None:
    """A batch's workers on every core each ran OpenBLAS with a thread per core (117 sample
    files: 29 s with two workers instead of 17 s). The command asks for one thread, unless
    the user set `OPENBLAS_NUM_THREADS`, and it does so before NumPy is imported: importing
    the CLI must not import NumPy, or OpenBLAS would have read the variable already."""
    from screening.cli import limit_blas_threads  # noqa: PLC0415 - the unit under test

    environ: dict[str, str] = {}
    limit_blas_threads(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "1"}
    chosen = {"OPENBLAS_NUM_THREADS": "4"}
    limit_blas_threads(chosen)
    assert chosen == {"OPENBLAS_NUM_THREADS": "4"}
    probe = "import sys, screening.cli; print('numpy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.stdout.strip() == "False"
