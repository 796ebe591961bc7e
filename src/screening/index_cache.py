"""On-disk cache of `MatchIndex` arrays, keyed by the lists' content (ADAPTER: file I/O).

Building the index of a large list takes seconds; reloading its arrays takes a fraction of
that. The cache file is a NumPy `.npz` of plain arrays (no pickle: it is loaded with
`allow_pickle=False`, so a planted file cannot run code) named after a SHA-256 over the index
format version, each list's file hash and a sample of the loaded entries, so that a change
to a list, to the loader or to normalisation misses the cache and rebuilds. The
directory is `$XDG_CACHE_HOME/screening/index` (or `~/.cache/screening/index`), or the
`cache_dir` argument; it is created 0700 and files are written 0600 and atomically (temp file
and rename), because the arrays hold the lists' names. A cache that cannot be read or written
is ignored: the index is rebuilt in memory and screening goes on.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from screening.matching import INDEX_FORMAT_VERSION, MatchIndex

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from screening.model import Watchlist

__all__ = ["cache_key", "default_cache_dir", "load_index"]

_SUFFIX = ".npz"
_SAMPLE = 4096


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/screening/index`, or `~/.cache/screening/index`."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".cache"
    return root / "screening" / "index"


def cache_key(lists: Iterable[Watchlist]) -> str:
    """A hex SHA-256 naming the index of these lists.

    It covers the index format version, each list's file hash and entry count, and a sample
    of up to 4096 evenly spaced entries (id, kind, names), so that a change of the loader or
    of the list content misses the cache without hashing a million entries on every start.
    """
    digest = hashlib.sha256(f"screening-index-v{INDEX_FORMAT_VERSION}\n".encode())
    for wl in lists:
        entries = wl.entries
        digest.update(f"{wl.info.sha256}\n{len(entries)}\n".encode())
        step = max(1, len(entries) // _SAMPLE)
        for entry in entries[::step]:
            digest.update(
                "\x1f".join(
                    (entry.id, entry.kind.value, entry.name, *entry.aliases, "\x1e",
                     *entry.weak_aliases, "\n")
                ).encode("utf-8", "surrogatepass")
            )  # fmt: skip
    return digest.hexdigest()


def load_index(
    lists: Iterable[Watchlist],
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
) -> MatchIndex:
    """The index of `lists`, from the cache when a valid entry exists, else built (and saved)."""
    lists = tuple(lists)
    if not use_cache:
        return MatchIndex(lists)
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    path = directory / (cache_key(lists) + _SUFFIX)
    index = _read(path, lists)
    if index is not None:
        return index
    index = MatchIndex(lists)
    _write(path, index)
    return index


def _read(path: Path, lists: tuple[Watchlist, ...]) -> MatchIndex | None:
    import numpy as np  # noqa: PLC0415 - keep CLI start-up light

    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            state = {name: data[name] for name in data.files}
        return MatchIndex(lists, state=state)
    except (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile):
        return None  # absent, unreadable, truncated or foreign: rebuild


def _write(path: Path, index: MatchIndex) -> None:
    import numpy as np  # noqa: PLC0415

    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=_SUFFIX, dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file 0600
                np.savez(handle, **index.export_state())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return  # a read-only or full disk only costs the rebuild next time
