"""Taking the cache apart: every entry of the named packages in every bucket, what no
current tether reads (old buckets, overlays, temporary files writers left behind, wheels
beside their unpacked trees), and sizes that count a hard-linked file once."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from tether.cache import Bucket
from tether.cache.locking import LOCK_NAME

STALE_TEMPORARY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Removed:
    entries: int
    files: int
    bytes: int


def prune(
    root: Path, now: float | None, *, keep_archives: bool, kept_files: tuple[str, ...] = ()
) -> Removed:
    """Old buckets and overlays, stale temporary files (not the lock files or `kept_files`),
    and unless `keep_archives` the wheels whose unpacked tree is there."""
    current = {bucket.value for bucket in Bucket}
    doomed = [
        child
        for child in root.iterdir()
        if child.is_dir() and (child.name not in current or child.name == Bucket.OVERLAYS.value)
    ]
    cutoff = (time.time() if now is None else now) - STALE_TEMPORARY_SECONDS
    for directory, _dirs, files in os.walk(root):
        doomed += [
            Path(directory, name)
            for name in files
            if name.startswith(".")
            and name not in (".lock", LOCK_NAME, *kept_files)
            and _mtime(Path(directory, name)) < cutoff
        ]
    if not keep_archives:
        # Wheels kept beside their unpacked trees (older tethers kept both): the tree
        # is all an install needs.
        doomed += [
            entry
            for entry in children(root / Bucket.ARCHIVES.value)
            if (root / Bucket.WHEELS.value / entry.name).is_dir()
            and all(f.name.endswith(".whl") for f in children(entry))
        ]
    return remove(doomed)


def entries_of(root: Path, names: set[str]) -> Iterable[Path]:
    for page in (root / Bucket.SIMPLE.value).glob("*/*.page"):
        if canonicalize_name(page.stem) in names:
            yield page
    for bucket in (Bucket.ARCHIVES, Bucket.BUILT):
        for entry in children(root / bucket.value):
            if any(_archive_name(f.name) in names for f in children(entry)):
                yield entry
                if bucket is Bucket.ARCHIVES:
                    yield root / Bucket.WHEELS.value / entry.name
    for tree in children(root / Bucket.WHEELS.value):
        if any(_dist_info_name(d) in names for d in tree.glob("*.dist-info")):
            yield tree
    for metadata in (root / Bucket.METADATA.value).glob("*/*.metadata"):
        if _metadata_name(metadata) in names:
            yield metadata


def children(directory: Path) -> list[Path]:
    try:
        return list(directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _archive_name(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        return str(parse_sdist_filename(filename)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _dist_info_name(path: Path) -> str:
    return canonicalize_name(path.name.removesuffix(".dist-info").rsplit("-", 1)[0])


def _metadata_name(path: Path) -> str | None:
    try:
        with path.open("rb") as stream:
            name = BytesParser().parse(stream, headersonly=True).get("Name")
    except OSError:
        return None
    return canonicalize_name(name) if name else None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")


def measure(paths: Iterable[Path]) -> tuple[int, int]:
    seen: set[tuple[int, int]] = set()
    files = total = 0
    for path in paths:
        walked = [(str(path.parent), [], [path.name])] if path.is_file() else os.walk(path)
        for directory, _dirs, names in walked:
            for name in names:
                try:
                    stat = Path(directory, name).lstat()
                except OSError:
                    continue
                files += 1
                if (stat.st_dev, stat.st_ino) not in seen:
                    seen.add((stat.st_dev, stat.st_ino))
                    total += stat.st_size
    return files, total


def remove(paths: list[Path]) -> Removed:
    existing = [p for p in dict.fromkeys(paths) if p.exists() or p.is_symlink()]
    files, total = measure(existing)
    for path in existing:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return Removed(entries=len(existing), files=files, bytes=total)
