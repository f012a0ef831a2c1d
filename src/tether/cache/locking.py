"""Readers and a cleaner of one cache, kept apart: every tether process that uses the
cache holds a shared lock on `<cache>/.tether-cache.lock` until it exits; `cache clean`
and `cache prune` take it exclusively, so they wait for running syncs and locks instead
of deleting files from under them (and a sync started during a clean waits for it).

POSIX `flock`; where it does not exist (Windows) the cleaner takes an exclusive
`FileLock` and readers take none, the state before this lock existed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tether.errors import TetherError

LOCK_NAME = ".tether-cache.lock"
_held: dict[Path, int] = {}  # cache root -> the descriptor this process holds shared


def hold_shared(root: Path) -> None:
    """Take (once per process and cache) a shared lock, kept until the process exits.
    It waits while a clean runs."""
    if sys.platform == "win32":
        return
    import fcntl  # noqa: PLC0415 - POSIX only

    try:
        root.mkdir(parents=True, exist_ok=True)
        key = root.resolve()
        if key in _held:
            return
        descriptor = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return  # a read-only cache: nothing there can be cleaned from under us either
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    _held[key] = descriptor


@contextlib.contextmanager
def exclusive(
    root: Path, *, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """The cache to oneself (no reader holds it), or `TetherError` after `timeout`."""
    root.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":
        from filelock import FileLock  # noqa: PLC0415

        with FileLock(str(root / LOCK_NAME), timeout=timeout):
            yield
        return
    import fcntl  # noqa: PLC0415 - POSIX only

    key = root.resolve()
    own = _held.pop(key, None)  # this process's own shared lock would block itself
    if own is not None:
        os.close(own)
    descriptor = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TetherError(
                        f"the cache at {root} is in use by another tether process",
                        hint="wait for it to finish (a sync or lock), then run this again",
                    ) from None
                if not told and on_wait is not None:
                    on_wait("Waiting for other tether processes to release the cache")
                    told = True
                time.sleep(0.1)
        yield
    finally:
        os.close(descriptor)
