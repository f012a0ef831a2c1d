"""The lock (DESIGN.md §2, L3): a resolution as a deterministic PEP 751 pylock.toml."""

from typing import TYPE_CHECKING, Any

LOCK_NAME = "pylock.toml"

if TYPE_CHECKING:
    from tether.lock.pylock import LockDocument, LockedPackage, dumps
    from tether.lock.reader import locked_versions, read_lock

__all__ = ["LOCK_NAME", "LockDocument", "LockedPackage", "dumps", "locked_versions", "read_lock"]


def __getattr__(name: str) -> Any:
    """The writer and the reader on first use: they pull in the index's page model and
    packaging.pylock, which `tether run` and a warm-cache `sync` do not need."""
    if name in ("read_lock", "locked_versions"):
        from tether.lock import reader  # noqa: PLC0415

        return getattr(reader, name)
    if name in ("LockDocument", "LockedPackage", "dumps"):
        from tether.lock import pylock  # noqa: PLC0415

        return getattr(pylock, name)
    raise AttributeError(name)
