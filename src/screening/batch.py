"""Batch machinery: walk a folder tree safely and run one job per file in killable workers.

ADAPTER (files and processes). Owns what makes a batch trustworthy at a border post: only
regular files are opened (a FIFO would block `open()` forever), symlinks are not followed unless
asked and then each inode is visited once (loops finish), every input is accounted for (skipped
files become items with a reason code), each file gets a time limit enforced by killing its
worker process, and Ctrl-C stops cleanly so that the caller can write a report marked partial.
It knows nothing about MRZs or verdicts: the job is a picklable function path -> dict.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import signal
import stat
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from multiprocessing.context import ForkProcess

__all__ = ["BatchItem", "Job", "discover", "run_jobs"]

Job = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input found under the batch root: a file to screen, or a reason it was skipped."""

    path: str
    skip_code: str | None = None
    skip_message: str | None = None


def discover(root: Path, *, follow_symlinks: bool = False) -> Iterator[BatchItem]:
    """Yield every entry under `root` in a stable order, never opening anything.

    Directories are walked depth-first in name order. Non-regular files (FIFOs, sockets,
    devices), symlinks when not followed, broken links, unreadable directories and second
    paths to an already seen file are yielded with a `skip_code`, so a report can account for
    every input. With `follow_symlinks`, a directory reached twice (a loop) is walked once.
    """
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: dict[tuple[int, int], str] = {}
    try:
        root_stat = root.stat()  # the root itself may be a link the user named on purpose
    except OSError as error:
        yield BatchItem(str(root), _os_error_code(error), f"{root} cannot be read.")
        return
    if not stat.S_ISDIR(root_stat.st_mode):
        yield from _classify(root, follow_symlinks=True, seen_files=seen_files)
        return
    seen_dirs.add((root_stat.st_dev, root_stat.st_ino))
    # A stack of pending entry lists gives a depth-first walk in name order without recursion.
    stack: list[list[Path | BatchItem]] = [list(reversed(_listing(root)))]
    while stack:
        pending = stack[-1]
        if not pending:
            stack.pop()
            continue
        path = pending.pop()
        if isinstance(path, BatchItem):
            yield path
            continue
        try:
            st = path.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                if not follow_symlinks:
                    yield BatchItem(
                        str(path),
                        "symlink_not_followed",
                        f"{path} is a symbolic link; use --follow-symlinks to screen it.",
                    )
                    continue
                st = path.stat()
        except OSError as error:
            yield BatchItem(str(path), _os_error_code(error), _os_error_message(path, error))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key not in seen_dirs:
                seen_dirs.add(key)
                stack.append(list(reversed(_listing(path))))
            continue
        yield from _classify(path, follow_symlinks=follow_symlinks, seen_files=seen_files)


def _listing(directory: Path) -> list[Path | BatchItem]:
    """The entries of a folder in name order; an unreadable folder becomes one skip item."""
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
            return [Path(entry.path) for entry in entries]
    except OSError as error:
        return [
            BatchItem(str(directory), _os_error_code(error), f"Folder {directory} cannot be read.")
        ]


def _classify(
    path: Path, *, follow_symlinks: bool, seen_files: dict[tuple[int, int], str]
) -> Iterator[BatchItem]:
    try:
        st = path.stat(follow_symlinks=follow_symlinks)
    except OSError as error:
        yield BatchItem(str(path), _os_error_code(error), _os_error_message(path, error))
        return
    if not stat.S_ISREG(st.st_mode):
        yield BatchItem(
            str(path),
            "not_regular_file",
            f"{path} is not a regular file (a pipe, socket or device); it was not opened.",
        )
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_files:
        yield BatchItem(
            str(path),
            "duplicate_file",
            f"{path} is the same file as {seen_files[key]}; it was screened once.",
        )
        return
    seen_files[key] = str(path)
    yield BatchItem(str(path))


def _os_error_code(error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return "broken_link"
    if error.errno == errno.ELOOP:
        return "symlink_loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission_denied"
    return "unreadable_file"


def _os_error_message(path: Path, error: OSError) -> str:
    code = _os_error_code(error)
    if code == "broken_link":
        return f"{path} is a link to a file that does not exist."
    if code == "symlink_loop":
        return f"{path} is a link that points back to itself."
    if code == "permission_denied":
        return f"{path} cannot be read: permission denied."
    return f"{path} cannot be read ({os.strerror(error.errno or 0)})."


# --- Workers ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Worker:
    process: ForkProcess
    conn: Connection
    task: tuple[int, str] | None = None
    started: float = 0.0


def _worker_main(conn: Connection, func: Callable[[str], dict[str, Any]]) -> None:
    """Run jobs until the parent closes the pipe. Ctrl-C is the parent's business."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Lead a process group of our own, so that killing this worker also kills what it started
    # (a hung Tesseract would otherwise outlive it: RELIABILITY 14).
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        seq, path = message
        conn.send((seq, func(path)))


def _spawn(
    context: multiprocessing.context.ForkContext, func: Callable[[str], dict[str, Any]]
) -> _Worker:
    parent, child = context.Pipe()
    process = context.Process(target=_worker_main, args=(child, func), daemon=True)
    process.start()
    child.close()
    return _Worker(process=process, conn=parent)


def _kill(worker: _Worker) -> None:
    with contextlib.suppress(OSError):
        worker.conn.close()
    pid = worker.process.pid
    if pid is not None:
        with contextlib.suppress(OSError):  # the group is gone, or not made yet
            os.killpg(pid, signal.SIGKILL)
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)


def run_jobs(
    paths: list[str],
    func: Callable[[str], dict[str, Any]],
    *,
    jobs: int,
    timeout_s: float,
    on_result: Callable[[str, dict[str, Any] | None, str | None], None],
    should_stop: Callable[[], bool] = lambda: False,
) -> bool:
    """Run `func(path)` for every path in `jobs` forked worker processes.

    `on_result(path, result, failure)` is called in the parent once per finished path, in
    completion order: `result` is what `func` returned, or `failure` is `timeout` (the worker
    was killed after `timeout_s` and replaced) or `worker_crashed`. Workers are forked, so what
    the parent loaded before the call (watchlists, indexes) is shared warm. Returns False when
    `should_stop()` became true (Ctrl-C): running workers are killed and the rest is not run.
    """
    context = multiprocessing.get_context("fork")
    pending = deque(enumerate(paths))
    workers = [_spawn(context, func) for _ in range(max(1, min(jobs, len(paths))))]
    completed = True
    try:
        while pending or any(worker.task for worker in workers):
            if should_stop():
                completed = False
                break
            for worker in workers:
                if worker.task is None and pending:
                    worker.task = pending.popleft()
                    worker.started = time.monotonic()
                    worker.conn.send(worker.task)
            busy = [worker for worker in workers if worker.task is not None]
            now = time.monotonic()
            wait_s = min(worker.started + timeout_s - now for worker in busy)
            ready = wait([worker.conn for worker in busy], timeout=max(0.0, min(wait_s, 0.2)))
            for index, worker in enumerate(workers):
                if worker.task is None:
                    continue
                seq, path = worker.task
                if worker.conn in ready:
                    try:
                        _, result = worker.conn.recv()
                    except (EOFError, OSError):
                        _kill(worker)
                        workers[index] = _spawn(context, func)
                        on_result(path, None, "worker_crashed")
                        continue
                    worker.task = None
                    on_result(path, result, None)
                elif time.monotonic() - worker.started > timeout_s:
                    _kill(worker)
                    workers[index] = _spawn(context, func)
                    on_result(path, None, "timeout")
                del seq
    finally:
        for worker in workers:
            if worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            _kill(worker)
    return completed
