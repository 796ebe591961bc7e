# ruff: noqa: INP001, S101 - stand-alone scripts run by libFuzzer, not a package
"""atheris harness: bytes as a scan into the image/PDF loader (`load_document`).

Run: .venv/bin/python fuzz/fuzz_images.py -max_total_time=60 -timeout=20 -rss_limit_mb=1536 CORPUS
Limits are small (4 Mpx, 3 pages, 2 MB) so that a bomb shows up as memory growth or a hang
rather than a slow test; only `ImageUnreadable` (a `ScreeningError`) may escape.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import scratch_file

with atheris.instrument_imports(include=["screening"]):
    from screening.errors import ScreeningError
    from screening.images import Limits, load_document

LIMITS = Limits(max_pixels=4_000_000, max_pages=3, max_bytes=2 * 1024 * 1024)


def test_one_input(data: bytes) -> None:
    """One fuzz input, written to a private file and loaded."""
    path = scratch_file(data, ".jpg")
    try:
        document = load_document(path, LIMITS)
    except ScreeningError:
        return
    for page in document.pages:
        assert page.image.ndim == 3, "pages are HxWx3 BGR"
        assert page.image.shape[2] == 3, "pages are HxWx3 BGR"
        assert page.image.shape[0] * page.image.shape[1] <= LIMITS.max_pixels * 4


def main() -> None:
    """Start libFuzzer with the command-line arguments."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
