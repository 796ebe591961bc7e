# ruff: noqa: INP001 - stand-alone scripts run by libFuzzer, not a package
"""atheris harness: bytes as a watchlist file into every loader and importer.

Run: .venv/bin/python fuzz/fuzz_watchlist.py -max_total_time=60 -timeout=10 -rss_limit_mb=512 CORPUS
The first byte picks the loader (native list strict/partial, OFAC, UN XML, FollowTheMoney);
only `ScreeningError` subclasses (`WatchlistError`) may escape.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import scratch_file

with atheris.instrument_imports(include=["screening"]):
    from screening.errors import ScreeningError
    from screening.importers import import_ftm, import_ofac, import_un
    from screening.watchlist import load_watchlist

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
_SUFFIXES = (".csv", ".jsonl", ".json", ".csv", ".xml", ".json", ".csv")


def test_one_input(data: bytes) -> None:
    """One fuzz input: the first byte chooses the loader, the rest is the file."""
    if not data:
        return
    choice = data[0] % len(_SUFFIXES)
    path = scratch_file(data[1:], _SUFFIXES[choice])
    try:
        if choice <= 2:
            load_watchlist(path, now=NOW, max_field_bytes=4096)
        elif choice == 3:
            load_watchlist(path, now=NOW, allow_partial=True, encoding="latin-1")
        elif choice == 4:
            import_un(path)
        elif choice == 5:
            import_ftm(path)
        else:
            import_ofac(path)
    except ScreeningError:
        pass


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
