"""`tether cache dir | clean [PKG…] | prune`: where the cache is, and taking it apart.

Every entry is rebuildable (pages and metadata are re-fetched, archives re-downloaded
and checked against the lock's hashes), so cleaning loses time, never data. Sizes count
a hard-linked file once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from packaging.utils import (
    canonicalize_name,
)

from tether.cache import maintenance
from tether.cache.locking import LOCK_NAME, exclusive
from tether.cache.maintenance import Removed, children, entries_of, measure, remove
from tether.commands.basics import keep_wheel_archives
from tether.commands.services import cache_dir
from tether.install.layout import LAYOUT_FILE


def clean(
    environ: Mapping[str, str],
    packages: Iterable[str] = (),
    *,
    on_wait: Callable[[str], None] | None = None,
) -> Removed:
    """Everything, or every entry of the named packages in every bucket; waits for
    running tether processes to let go of the cache first."""
    root = cache_dir(environ)
    names: set[str] = {canonicalize_name(p) for p in packages}
    if not root.exists():
        return Removed(0, 0, 0)
    with exclusive(root, timeout=_lock_timeout(environ), on_wait=on_wait):
        if not names:
            return remove([child for child in children(root) if child.name != LOCK_NAME])
        return remove(sorted(entries_of(root, names)))


def prune(
    environ: Mapping[str, str],
    *,
    now: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Removed:
    """What no current tether reads: buckets of old formats, `run --with` overlays,
    temporary files that writers left behind (older than an hour), and downloaded wheels
    whose unpacked tree is there."""
    root = cache_dir(environ)
    if not root.is_dir():
        return Removed(0, 0, 0)
    with exclusive(root, timeout=_lock_timeout(environ), on_wait=on_wait):
        return maintenance.prune(
            root, now, keep_archives=keep_wheel_archives(environ), kept_files=(LAYOUT_FILE,)
        )


def _lock_timeout(environ: Mapping[str, str]) -> float:
    try:
        return float(environ.get("TETHER_CACHE_LOCK_TIMEOUT", "300"))
    except ValueError:
        return 300.0


def size(environ: Mapping[str, str]) -> tuple[int, int]:
    """(files, bytes) in the cache."""
    return measure([cache_dir(environ)])
