"""The lock (DESIGN.md §2, L3): a resolution as a deterministic PEP 751 pylock.toml."""

from typing import TYPE_CHECKING, Any

from tether.lock.pylock import LOCK_NAME, LockDocument, LockedPackage, dumps

if TYPE_CHECKING:
    from tether.lock.reader import locked_versions, read_lock

__all__ = ["LOCK_NAME", "LockDocument", "LockedPackage", "dumps", "locked_versions", "read_lock"]


def __getattr__(name: str) -> Any:
    """`read_lock` / `locked_versions` on first use: they pull in packaging.pylock,
    which the start-up path of `tether run` does not need."""
    if name in ("read_lock", "locked_versions"):
        from tether.lock import reader  # noqa: PLC0415

        return getattr(reader, name)
    raise AttributeError(name)
