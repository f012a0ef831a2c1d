"""Carrying out an `InstallPlan`: fetch every archive first (in parallel, each checked
against the lock's sha256), then change the environment.

Nothing in the environment changes until every archive is present and verified, so a
wrong hash or a failed download leaves the environment as it was. The caller holds the
environment's lock (the plan must be made under it too). Archives live in the global cache by hash
(`archives-v1`), unpacked trees beside them (`wheels-v1`), so a second environment
links the same files instead of downloading or unpacking again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tether.cache import Bucket, Cache
from tether.cache.leftovers import clean_leftovers, temporary_prefix
from tether.errors import InstallError
from tether.install.plan import InstallPlan, Wanted
from tether.install.progress import InstallProgress
from tether.install.wheel import (
    LinkMode,
    Placement,
    Target,
    changing,
    finish,
    link_files,
    prepare,
    uninstall,
    unpack,
)

if TYPE_CHECKING:  # urllib3 is loaded only when something is downloaded
    from tether.index.http import HttpClient

LINK_THREADS = max(2, min(4, os.cpu_count() or 1))  # measured: more threads contend for the GIL
LINK_SLICE = 512  # files a thread links at a time
DOWNLOAD_THREADS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyResult:
    installed: tuple[str, ...]
    removed: tuple[str, ...]
    downloaded: int


def apply(
    install_plan: InstallPlan,
    *,
    target: Target,
    cache: Cache,
    http: Callable[[], HttpClient],
    link_mode: LinkMode = LinkMode.HARDLINK,
    build: Callable[[Path], Path] | None = None,
    on_progress: Callable[[str], None] | None = None,
    offline: bool = False,
    progress: InstallProgress | None = None,
    keep_archives: bool = False,
) -> ApplyResult:
    """`build` turns a verified sdist into a wheel for this environment (PEP 517); the
    result is cached by the sdist's hash, so each sdist is built once per machine.
    `offline`: what is not in the cache is an error, never a download. A wheel is kept
    in the cache as its unpacked tree only (its bytes are checked against the lock's
    sha256 as they stream in, and the tree is named by that hash), unless
    `keep_archives`: then the downloaded file stays too."""
    needed = [*install_plan.install, *(w for _, w in install_plan.replace)]
    for want in needed:
        if not want.filename.endswith(".whl") and build is None:
            raise InstallError(
                f"{want.name} {want.version} has only an sdist ({want.filename}) for this "
                "environment, and no way to build it was given",
                hint="use an environment for which the lock has a wheel",
            )
    for bucket in (Bucket.ARCHIVES, Bucket.WHEELS):  # what a killed run left
        clean_leftovers(cache.path(bucket))
    done = 0

    def fetch(want: Wanted) -> tuple[Path, bool]:
        nonlocal done
        tree = cache.path(Bucket.WHEELS, want.sha256)
        if want.filename.endswith(".whl") and tree.is_dir():
            result = tree, False  # unpacked before: the archive is not needed (nor kept)
        else:
            result = _fetch(want, cache, http, offline=offline, progress=progress)
        done += 1
        if on_progress is not None:
            on_progress(f"Fetched {done}/{len(needed)}: {want.filename}")
        return result

    if progress is not None:
        missing = [
            w for w in needed
            if not (w.filename.endswith(".whl") and cache.path(Bucket.WHEELS, w.sha256).is_dir())
            and not cache.path(Bucket.ARCHIVES, w.sha256, w.filename).is_file()
        ]  # fmt: skip
        sizes = [w.size for w in missing]
        known = None if any(size is None for size in sizes) else sum(s for s in sizes if s)
        progress.fetching(len(missing), known)
    pool = ThreadPoolExecutor(DOWNLOAD_THREADS)
    try:
        archives = list(pool.map(fetch, needed))
    finally:
        # On Ctrl-C or a failed download, what has not started is cancelled and nothing
        # waits for what is in flight (a stalled 2 GB wheel would hold Ctrl-C for minutes):
        # each download writes to a temporary file and renames it only when verified.
        pool.shutdown(wait=False, cancel_futures=True)
    if on_progress is not None:
        on_progress(f"Installing {len(needed)} packages...")
    if progress is not None:
        progress.installing(len(needed))
    downloaded = sum(1 for _, fresh in archives if fresh)
    with ThreadPoolExecutor(LINK_THREADS) as pool:  # unpacking: zlib releases the GIL
        unpacked = list(
            pool.map(
                lambda pair: (
                    _unpacked(pair[1][0], cache.path(Bucket.WHEELS, pair[0].sha256), keep_archives)
                    if pair[0].filename.endswith(".whl")
                    else None
                ),
                zip(needed, archives, strict=True),
            )
        )
    trees = []
    for want, (path, _), tree in zip(needed, archives, unpacked, strict=True):
        if tree is not None:
            trees.append(tree)
            continue
        assert build is not None  # noqa: S101 - checked above
        wheel = _built_wheel(path, want.sha256, cache, build, progress)  # one at a time
        trees.append(unpack(wheel, cache.path(Bucket.WHEELS, f"built-{want.sha256}")))
    with changing(target.purelib):
        for have in install_plan.remove:
            uninstall(have.dist_info)
        for have, _ in install_plan.replace:
            uninstall(have.dist_info)
        _link(needed, trees, target, link_mode)
    return ApplyResult(
        installed=tuple(f"{w.name}=={w.version}" for w in needed),
        removed=tuple(h.name for h in install_plan.remove),
        downloaded=downloaded,
    )


def _link(needed: list[Wanted], trees: list[Path], target: Target, link_mode: LinkMode) -> None:
    """Each wheel's directories, then its files, a wheel per task; a big wheel's files
    beyond its first slice become tasks of their own, so that one big wheel does not
    leave the other threads idle at the end. Each RECORD is written when every file is
    in place. Linking is system calls (`os.link` and `os.mkdir` release the GIL):
    threads overlap them, and a thread making directories does not wait for another's
    links."""
    rest: list[Future[None]] = []
    with ThreadPoolExecutor(LINK_THREADS) as pool:

        def start(tree: Path) -> Placement:
            placement = prepare(tree, target, link_mode=link_mode)
            first, *others = placement.slices(LINK_SLICE) or [(placement, 0, 0)]
            rest.extend(pool.submit(link_files, *part) for part in others)
            link_files(*first)
            return placement

        placements = list(pool.map(start, trees))
        for future in rest:
            future.result()
        list(
            pool.map(
                lambda pair: finish(pair[1], target, requested=pair[0].requested),
                zip(needed, placements, strict=True),
            )
        )


def _unpacked(archive: Path, tree: Path, keep_archive: bool) -> Path:
    """The wheel's tree; the archive it came from is dropped unless kept on purpose."""
    if archive == tree:
        return tree
    unpacked = unpack(archive, tree)
    if not keep_archive:
        with contextlib.suppress(OSError):
            archive.unlink()
            archive.parent.rmdir()  # its hash directory, now empty
    return unpacked


def _built_wheel(
    sdist: Path,
    sha256: str,
    cache: Cache,
    build: Callable[[Path], Path],
    progress: InstallProgress | None = None,
) -> Path:
    """The wheel built from `sdist`, from the cache or built now and cached."""
    directory = cache.path(Bucket.BUILT, sha256)
    existing = sorted(directory.glob("*.whl")) if directory.is_dir() else []
    if existing:
        return existing[0]
    if progress is not None:
        progress.building(sdist.name)
    try:
        wheel = build(sdist)
    finally:
        if progress is not None:
            progress.built(sdist.name)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / wheel.name
    shutil.move(str(wheel), final)
    return final


def _fetch(
    want: Wanted,
    cache: Cache,
    http: Callable[[], HttpClient],
    *,
    offline: bool,
    progress: InstallProgress | None = None,
) -> tuple[Path, bool]:
    """The verified archive for `want` in the cache, and whether it was downloaded now."""
    destination = cache.path(Bucket.ARCHIVES, want.sha256, want.filename)
    if destination.is_file():
        return destination, False
    if offline and want.path is None:
        raise InstallError(
            f"{want.filename} ({want.name} {want.version}) is not in the cache, and "
            "--offline (or TETHER_OFFLINE) forbids downloading it",
            hint="nothing was changed; run the command once with network access to fill "
            "the cache, then --offline works",
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    # In the bucket's top directory, where the next run finds it if this one is killed.
    fd, temp_name = tempfile.mkstemp(
        prefix=temporary_prefix("download"), dir=cache.path(Bucket.ARCHIVES)
    )
    os.close(fd)
    temp = Path(temp_name)
    try:
        if want.path is not None:
            shutil.copyfile(want.path, temp)
            digest = hashlib.sha256(temp.read_bytes()).hexdigest()
        elif want.url is not None:
            on_bytes = None if progress is None else progress.download(want.filename, want.size)
            try:
                digest, _ = http().download(want.url, temp, on_bytes=on_bytes)
            finally:
                if progress is not None:
                    progress.downloaded(want.filename)
        else:
            raise InstallError(f"the lock gives no location for {want.filename}")
        if digest != want.sha256:
            raise InstallError(
                f"hash mismatch for {want.filename}: the lock says sha256 {want.sha256}, the "
                f"download has {digest}",
                hint="nothing was installed; the file changed since the lock was made or was "
                "altered on the way. Re-lock if the change is expected",
            )
        temp.replace(destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return destination, True
