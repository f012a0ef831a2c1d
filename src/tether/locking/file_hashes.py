"""Hashes for index files listed without a sha256 (PEP 503 makes the fragment optional;
old or private indexes list md5 only, or nothing): the lock needs one for every file
it records, so such files are downloaded once at lock time and hashed here.

The download is kept in the archive cache under the hash it produced, so the sync that
follows installs it without fetching it again, and verifies it like any other; the
hash is remembered by URL, so a re-lock does not download it again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from tether.cache import Bucket
from tether.cache.leftovers import temporary_prefix
from tether.cache.store import digest
from tether.index.client import IndexClient
from tether.index.page import DistFile
from tether.lock.pylock import LockedPackage
from tether.urls import without_userinfo

THREADS = 8


def with_hashes(packages: Sequence[LockedPackage], client: IndexClient) -> list[LockedPackage]:
    """`packages` with a sha256 (and size) for every wheel and sdist that had none."""
    unhashed = {f.url: f for f in _files(packages) if not f.sha256}
    if not unhashed:
        return list(packages)
    with ThreadPoolExecutor(THREADS, thread_name_prefix="tether-hash") as pool:
        done = dict(
            zip(unhashed, pool.map(lambda f: _hashed(f, client), unhashed.values()), strict=True)
        )

    def fill(file: DistFile) -> DistFile:
        return done.get(file.url, file)

    return [
        replace(
            package,
            wheels=tuple(fill(w) for w in package.wheels),
            sdist=None if package.sdist is None else fill(package.sdist),
        )
        for package in packages
    ]


def _files(packages: Iterable[LockedPackage]) -> Iterable[DistFile]:
    for package in packages:
        yield from package.wheels
        if package.sdist is not None:
            yield package.sdist


def _hashed(file: DistFile, client: IndexClient) -> DistFile:
    cache = client.cache
    key = digest(without_userinfo(file.url), 32)
    known = cache.read(Bucket.FILE_HASHES, key)
    if known is not None:
        remembered, _, length = known.decode().partition(" ")
        if len(remembered) == 64 and length.isdigit():
            return replace(file, sha256=remembered, size=int(length))
    directory = cache.path(Bucket.ARCHIVES)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=temporary_prefix("download"), dir=directory)
    os.close(fd)
    temp = Path(name)
    try:
        sha256, size = client.http.download(file.url, temp)
        archive = cache.path(Bucket.ARCHIVES, sha256, file.filename)
        archive.parent.mkdir(parents=True, exist_ok=True)
        temp.replace(archive)  # what sync verifies and installs: no second download
        cache.write(Bucket.FILE_HASHES, key, data=f"{sha256} {size}".encode())
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return replace(file, sha256=sha256, size=size)
