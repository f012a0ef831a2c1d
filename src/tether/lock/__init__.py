"""The lock (DESIGN.md §2, L3): a resolution as a deterministic PEP 751 pylock.toml."""

from tether.lock.pylock import LOCK_NAME, LockDocument, LockedPackage, dumps
from tether.lock.reader import locked_versions, read_lock

__all__ = ["LOCK_NAME", "LockDocument", "LockedPackage", "dumps", "locked_versions", "read_lock"]
