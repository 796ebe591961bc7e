# ruff: noqa: INP001 - stand-alone scripts run by libFuzzer, not a package
"""Shared plumbing for the atheris harnesses: seed corpora and a private scratch folder.

Each harness feeds fuzzer bytes to one public entry point and lets only the project's own
`ScreeningError` subclasses pass; any other exception, a hang (libFuzzer `-timeout`) or
memory growth (`-rss_limit_mb`) is a finding. Seeds are generated, never downloaded.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["scratch_file", "write_seeds"]

_SCRATCH = Path(tempfile.mkdtemp(prefix="screening-fuzz-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def scratch_file(data: bytes, suffix: str = ".bin") -> Path:
    """Write `data` to a private file (0600, in a 0700 folder) that is reused every run."""
    path = _SCRATCH / f"input{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def _mrz_seeds(root: Path) -> list[bytes]:
    folder = root / "samples" / "mrz"
    return [p.read_bytes() for p in sorted(folder.glob("*.txt"))]


def _watchlist_seeds(root: Path) -> list[bytes]:
    seeds = [p.read_bytes()[:20_000] for p in sorted((root / "watchlists").glob("*.csv"))]
    seeds.append(
        b'{"id": "x-1", "kind": "person", "name": "Sampel Rekaan", "aliases": ["S. Rekaan"]}\n'
    )
    seeds.append(b'{"id": "e-1", "names": [{"name": "PT Contoh", "type": "organization"}]}\n')
    seeds.append(b'[{"id": "a", "name": "CV Teladan"}]')
    return seeds


def _image_seeds(root: Path) -> list[bytes]:
    from PIL import Image  # noqa: PLC0415 - only the image harness needs Pillow

    image = Image.new("RGB", (48, 32), "white")
    image.putpixel((3, 3), (255, 0, 0))
    seeds = []
    for fmt in ("PNG", "JPEG", "TIFF", "BMP", "WEBP", "PDF"):
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        seeds.append(buffer.getvalue())
    buffer = io.BytesIO()
    image.save(buffer, "TIFF", save_all=True, append_images=[image, image])
    seeds.append(buffer.getvalue())
    seeds.append((root / "samples" / "td3_100dpi.png").read_bytes())
    return seeds


def write_seeds(kind: str, folder: Path) -> Path:
    """Fill `folder` with the seed corpus for `kind` (mrz, watchlist or images)."""
    root = Path(__file__).resolve().parent.parent
    makers = {"mrz": _mrz_seeds, "watchlist": _watchlist_seeds, "images": _image_seeds}
    folder.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(makers[kind](root)):
        (folder / f"seed{index:03d}").write_bytes(seed)
    return folder
