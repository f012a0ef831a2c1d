"""Temporary files and directories a killed run leaves in the cache (a half-downloaded
2 GB wheel, a half-unpacked tree), found and removed by the next run.

Writers name them with `temporary_prefix`: the host and the process that owns them.
`clean_leftovers` removes those of this host whose process is gone; one that another
live process (or another machine sharing the cache) still writes is never touched, and
`tether cache prune` removes the rest once they are an hour old.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
from functools import cache
from pathlib import Path

_OWNED = re.compile(r"^\.(?:download|unpack)-(?P<host>[A-Za-z0-9_-]*)-(?P<pid>\d+)-")


@cache
def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40]


def temporary_prefix(kind: str) -> str:
    """The prefix of a temporary name (`download`, `unpack`) this process owns."""
    return f".{kind}-{_host()}-{os.getpid()}-"


def clean_leftovers(directory: Path) -> int:
    """Remove this host's temporaries in `directory` whose process has ended; how many."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        owner = _OWNED.match(entry.name)
        if owner is None or owner["host"] != _host() or _alive(int(owner["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                Path(entry.path).unlink()
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True
