"""File-system primitives that keep user files valid whatever happens mid-write.

A reader of `pyproject.toml`, the lock or a cache entry must see either the old file or
the new one, never half of either: we write beside the target, flush to disk, then
rename over it (an atomic step on POSIX and on Windows for a same-volume rename).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(
    path: Path, data: str | bytes, *, mode: int | None = None, durable: bool = True
) -> None:
    """Replace `path` with `data` atomically.

    Text is written as UTF-8 with the newlines given (no translation), so a file we
    rewrite keeps its line endings. The file keeps its permission bits when it exists,
    else gets `mode` (default: 0o666 less the umask, as `open()` would). `durable=False`
    skips the fsync: for the cache, whose entries are re-fetched when unreadable, and
    where one fsync per index page serialised cold locks on the disk's journal.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _umask() -> int:
    """The process umask (reading it means setting it; we put it straight back)."""
    current = os.umask(0)
    os.umask(current)
    return current


def relative_posix(path: Path, root: Path) -> str:
    """`path` relative to `root` in POSIX form when it can be (a lock or pyproject.toml
    entry then moves with the repository), else absolute (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:
        return path.resolve().as_posix()
