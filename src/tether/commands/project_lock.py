"""One change of a project at a time: `add`, `remove`, `lock` and `version` read
pyproject.toml and the lock, work, and write them back; two at once would each write
what it read, and the later would undo the earlier's edit. They hold the project's
lock for the whole read-modify-write.

The lock file lives in the user's cache (keyed by the project's path), not in the
project. Taking it again inside the same process (`add` runs `lock`) is free: a second
`flock` on another descriptor of the same file would wait for ourselves.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from filelock import FileLock

from tether.cache.store import digest
from tether.commands.basics import cache_dir

_held: set[Path] = set()
_guard = threading.Lock()


@contextlib.contextmanager
def editing(root: Path, environ: Mapping[str, str]) -> Iterator[None]:
    """Hold the project at `root` for a read-modify-write of its files."""
    key = root.resolve()
    with _guard:
        nested = key in _held
        _held.add(key)
    if nested:
        yield
        return
    try:
        directory = cache_dir(environ) / "projects-v1"
        directory.mkdir(parents=True, exist_ok=True)
        with FileLock(str(directory / f"{digest(str(key), 32)}.lock")):
            yield
    finally:
        with _guard:
            _held.discard(key)
