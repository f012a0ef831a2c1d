"""The global cache: versioned buckets of immutable or revalidated entries.

One cache serves every project and every concurrent tether process. Entries are
written beside their final name and renamed into place, so a reader sees a whole entry
or none, and two processes filling the same entry both succeed (the last rename wins,
and both wrote the same bytes). A bucket's name carries its format version
(`simple-v4`): a format change bumps the name instead of migrating in place, and old
buckets are simply pruned.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from tether.fs import atomic_write

_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tether.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


class Bucket(StrEnum):
    """The kinds of entry, each in its own versioned directory."""

    SIMPLE = "simple-v4"  # digested index pages (rows grouped by version), with validators
    METADATA = "metadata-v1"  # core metadata (METADATA files), by artifact hash
    INTERPRETERS = "interpreter-v1"  # what an interpreter said about itself, by path+mtime
    ARCHIVES = "archives-v1"  # downloaded wheels and sdists, verified, by sha256
    WHEELS = "wheels-v1"  # wheels unpacked once, by sha256; installs link from here
    BUILT = "built-v1"  # wheels built from sdists, by the sdist's sha256
    # Metadata a project directory's backend reported, by its path and input fingerprint.
    PROJECT_METADATA = "project-metadata-v1"
    OVERLAYS = "overlays-v1"  # environments for `run --with`, by what they hold
    SELECTIONS = "selections-v1"  # what a lock selects for an interpreter (sync's memo)
    ADVISORIES = "advisories-v1"  # audit answers from PyPI / OSV, by source and release
    TOOLS = "tools-v1"  # isolated environments for `tether tool run`, by what they hold
    # sha256 of index files listed without one (PEP 503 makes it optional), by URL.
    FILE_HASHES = "file-hashes-v1"
    SCRIPTS = "scripts-v1"  # per PEP 723 script (by path): its lock, and the run memo
    ENVIRONMENTS = "environments-v1"  # scripts' environments, by the resolved set
    GIT_DB = "git-db-v1"  # a bare repository per git remote, by its URL
    GIT_CHECKOUTS = "git-checkouts-v1"  # one tree per (remote, commit)
    GIT_BUILT = "git-built-v1"  # wheels built from a checkout, by remote, commit, subdirectory


class Cache:
    """A cache rooted at `root`. Holds no open resources; cheap to create."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, bucket: Bucket, *segments: str) -> Path:
        """Where an entry lives. Segments are checked, so a package name from an index
        can never point outside the cache."""
        for segment in segments:
            if not _SAFE_SEGMENT.match(segment) or segment in (".", ".."):
                msg = f"unsafe cache key segment: {segment!r}"
                raise ValueError(msg)
        return self.root.joinpath(bucket.value, *segments)

    def read(self, bucket: Bucket, *segments: str) -> bytes | None:
        try:
            return self.path(bucket, *segments).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write(self, bucket: Bucket, *segments: str, data: bytes) -> Path:
        target = self.path(bucket, *segments)
        self._ensure_root()
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data, mode=0o644, durable=False)
        return target

    def remove(self, bucket: Bucket, *segments: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(bucket, *segments).unlink()

    def entries(self, bucket: Bucket) -> Iterator[Path]:
        """Every entry file in `bucket` (temporary files of writers in flight excluded)."""
        base = self.root / bucket.value
        if not base.is_dir():
            return
        for directory, _dirs, files in os.walk(base):
            for name in files:
                if not name.startswith("."):
                    yield Path(directory, name)

    def _ensure_root(self) -> None:
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                atomic_write(tag, CACHEDIR_TAG)


def digest(text: str, length: int = 16) -> str:
    """A short, stable, filesystem-safe key for arbitrary text (an index URL)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
