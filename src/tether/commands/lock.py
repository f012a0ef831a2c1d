"""`tether lock`: resolve the project for every environment it supports and write
`pylock.toml` (PEP 751); `--check` tells whether the lock still matches its inputs.
The resolution itself is `tether.locking`; this module opens the index, the cache and
the builders, and writes the file."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tether.commands.git_sources import git_fetcher, locked_commits
from tether.commands.project_lock import editing
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.environment.freshness import lock_location
from tether.errors import LockError
from tether.fs import atomic_write
from tether.index.client import IndexClient
from tether.lock import dumps
from tether.lock.foreign import foreign_pins
from tether.lock.freshness import check_inputs, resolver_options
from tether.lock.merge import Sides, pins, provenance
from tether.locking.document import filled_project, lock_document
from tether.locking.preferences import (
    conflict_sides,
    latest_cutoff,
    locked_preferences,
    pinned_preferences,
)
from tether.locking.requirements import refuse_unsupported
from tether.locking.resolution import resolve_project
from tether.project import Project, find_pyproject
from tether.project.dynamic import needs_backend
from tether.project.fingerprint import inputs
from tether.project.workspace import open_project

if TYPE_CHECKING:  # loaded on first build (see _LazyBuilds)
    from tether.commands.metadata_build import MetadataBuilds


@dataclass(frozen=True, slots=True, kw_only=True)
class LockOptions:
    start: Path
    index: IndexOptions
    environ: Mapping[str, str]
    check: bool = False
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    resolution: str | None = None
    prerelease: str | None = None
    on_package: Callable[[str], None] | None = None  # progress: a package's versions arrived
    # Versions to keep where possible besides the current lock's (e.g. poetry.lock's pins).
    seed_preferences: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    project: Project | None = None  # already read (a PEP 723 script); else found from start


@dataclass(frozen=True, slots=True, kw_only=True)
class LockResult:
    path: Path
    packages: int
    changed: bool
    seconds: float
    requests: int = 0
    bytes_received: int = 0
    fresh: bool = False  # the lock matched its inputs: nothing was resolved
    merged: tuple[str, ...] | None = None  # a conflicted lock: where each change came from
    warnings: tuple[str, ...] = ()  # releases skipped because their sdist failed to build
    seeded_from: str | None = None  # poetry.lock / uv.lock, whose versions were preferred


def lock(options: LockOptions) -> LockResult:
    if options.project is not None:  # a script (or a project the caller has read)
        with editing(options.project.script or options.project.root, options.environ):
            return _lock(options.project, options)
    pyproject = find_pyproject(options.start)
    with editing(pyproject.parent, options.environ):
        return _lock(open_project(pyproject), options)


def _lock(project: Project, options: LockOptions) -> LockResult:
    started = time.monotonic()
    settings = project.settings
    resolver = resolver_options(
        resolution=options.resolution or settings.resolution.value,
        prerelease=options.prerelease or settings.prerelease.value,
        exclude_newer=options.index.exclude_newer or settings.exclude_newer_input(),
        exclude_newer_package=settings.exclude_newer_package_inputs,
    )
    fingerprints = inputs(project, resolver)
    path = lock_location(project)
    if _fresh(path, fingerprints, options):
        seconds = time.monotonic() - started
        return LockResult(
            path=path, packages=0, changed=False, seconds=seconds, fresh=not options.check
        )
    refuse_unsupported(project)
    sides = conflict_sides(path)
    seeded_from, preferences = _preferences(project, path, sides, options)
    client = _client(project, options)
    builds = _LazyBuilds(project, options)
    project = filled_project(project, builds.project)
    resolved = resolve_project(
        project,
        client,
        builds=builds,
        exclude_newer=options.index.exclude_newer or settings.exclude_newer,
        resolver=resolver,
        preferences=preferences,
        on_package=options.on_package,
        git=git_fetcher(
            open_cache(options.environ),
            options.environ,
            locked_commits(
                path,
                upgrade=options.upgrade,
                upgrading={canonicalize_name(n) for n in options.upgrade_packages},
            ),
        ),
    )
    text = dumps(lock_document(project, resolved, resolver, fingerprints))
    stats = client.stats
    return LockResult(
        path=path,
        packages=len(resolved.packages) + int(project.is_package),
        changed=_write(path, text),
        seconds=time.monotonic() - started,
        requests=stats.requests if stats else 0,
        bytes_received=stats.bytes_received if stats else 0,
        merged=None if sides is None else tuple(provenance(sides, pins(text))),
        warnings=(*project.notes, *resolved.warnings),
        seeded_from=seeded_from,
    )


def _write(path: Path, text: str) -> bool:
    """Write the lock when its text changed; whether it did."""
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    if previous == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)  # a script's lock in the cache
    atomic_write(path, text)
    return True


def _fresh(path: Path, fingerprints: dict[str, str], options: LockOptions) -> bool:
    """Whether the lock matches its inputs (`--check`: raise when it does not). A fresh
    lock is left alone: its versions would all be kept as preferences anyway (uv does
    the same), unless an upgrade or a refresh asks for a new resolution."""
    if options.check:
        check_inputs(path, fingerprints)
        return True
    if options.upgrade or options.upgrade_packages or options.index.refresh:
        return False
    try:
        check_inputs(path, fingerprints)
    except LockError:
        return False  # missing or stale: resolve
    return True


def _preferences(
    project: Project, path: Path, sides: Sides | None, options: LockOptions
) -> tuple[str | None, dict[NormalizedName, frozenset[Version]]]:
    """The versions to keep where possible (none for `--upgrade`): the caller's seeds, or
    on a project's first lock those of the Poetry or uv lock it comes from (and which),
    then the current lock's, except for the packages being upgraded."""
    seeds: Mapping[str, str | tuple[str, ...]] = options.seed_preferences
    seeded_from = None
    if not seeds and project.script is None and not path.exists() and not options.upgrade:
        seeded_from, seeds = foreign_pins(project.root)
    if options.upgrade:
        return seeded_from, {}
    upgrading = {canonicalize_name(n) for n in options.upgrade_packages}
    return seeded_from, {
        **pinned_preferences(seeds),
        **locked_preferences(path, upgrading, sides),
    }


def _client(project: Project, options: LockOptions) -> IndexClient:
    settings = project.settings
    indexes = resolve_indexes(settings.indexes, options.index, options.environ)
    exclude_newer = options.index.exclude_newer or settings.exclude_newer
    return index_client(
        indexes,
        IndexOptions(
            index_url=options.index.index_url,
            extra_index_urls=options.index.extra_index_urls,
            offline=options.index.offline,
            refresh=options.index.refresh,
            exclude_newer=latest_cutoff(exclude_newer, settings.exclude_newer_package.values()),
        ),
        options.environ,
    )


class _LazyBuilds:
    """The metadata builders, made on first use: most locks build nothing, and the build
    stack (PEP 517 hooks, the build-environment installer) is 60 to 90 ms of imports on
    every `tether lock`. Thread-safe: the resolver's fetch threads ask for builds."""

    def __init__(self, project: Project, options: LockOptions) -> None:
        self._project = project
        self._options = options
        self._made: MetadataBuilds | None = None
        self._lock = threading.Lock()

    def _builds(self) -> MetadataBuilds:
        from tether.commands.metadata_build import MetadataBuilds  # noqa: PLC0415 - see above

        with self._lock:
            if self._made is None:
                settings, options = self._project.settings, self._options
                self._made = MetadataBuilds(
                    requires_python=str(self._project.requires_python),
                    indexes=resolve_indexes(settings.indexes, options.index, options.environ),
                    index=options.index,
                    environ=options.environ,
                    constraints=settings.build_constraints,
                )
            return self._made

    def sdist(self, archive: Path) -> bytes:
        return self._builds().sdist(archive)

    def directory(self, source: Path) -> bytes:
        return self._builds().directory(source)

    def project(self, project: Project, version: bool = False) -> Project:
        """`project` with the fields its backend computes filled in (itself, without
        loading the build stack, when none that the lock needs is dynamic)."""
        if not needs_backend(project, version=version):
            return project
        return self._builds().project(project, version=version)
