"""Command-line interface: `screening` (Typer). No domain logic lives here."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from screening.cli.app import ExitCode, app
from screening.cli.app import main as _main

if TYPE_CHECKING:
    from collections.abc import MutableMapping

__all__ = ["ExitCode", "app", "main"]


def limit_blas_threads(environ: MutableMapping[str, str]) -> None:
    """One OpenBLAS thread per process, unless the user chose otherwise.

    NumPy's OpenBLAS starts a thread per core for our line reader's small matrix products;
    with a batch's workers on every core, those threads fight over the cores: 117 sample
    files took 29 s with two workers instead of 17 s (`bench/batch.py`), while one thread
    costs a single read nothing. OpenBLAS reads the variable when NumPy is first imported,
    so the command sets it before anything imports NumPy; callers of the Python API who
    read in several processes can set `OPENBLAS_NUM_THREADS=1` themselves.
    """
    environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> None:
    """Console-script entry point."""
    limit_blas_threads(os.environ)
    sys.exit(_main())
