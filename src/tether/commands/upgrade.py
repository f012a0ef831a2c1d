"""`tether upgrade [PKG…]`: re-lock taking the newest versions the constraints allow
(for every package, or only those named), say what moved, then sync."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.commands.lock import LockOptions, LockResult, lock
from tether.commands.services import IndexOptions
from tether.environment.freshness import lock_location
from tether.errors import LockError
from tether.lock import locked_versions
from tether.project import find_pyproject
from tether.project.workspace import open_project


@dataclass(frozen=True, slots=True, kw_only=True)
class UpgradeOptions:
    start: Path
    environ: Mapping[str, str]
    index: IndexOptions = field(default_factory=IndexOptions)
    packages: tuple[str, ...] = ()
    no_sync: bool = False
    on_package: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    before: tuple[str, ...]  # empty: added
    after: tuple[str, ...]  # empty: removed


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    lock: LockResult
    changes: tuple[Change, ...]
    synced: bool


def upgrade(options: UpgradeOptions) -> UpgradeResult:
    project = open_project(find_pyproject(options.start))
    lock_path = lock_location(project)
    before = locked_versions(lock_path)
    named = {canonicalize_name(n): n for n in options.packages}
    unknown = [given for name, given in named.items() if name not in before]
    if unknown and before:
        raise LockError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not in {lock_path}",
            hint="check the name; `tether add` adds a new dependency",
        )
    result = lock(
        LockOptions(
            start=project.root,
            index=options.index,
            environ=options.environ,
            upgrade=not named,
            upgrade_packages=tuple(named),
            on_package=options.on_package,
        )
    )
    after = locked_versions(lock_path)
    changes = tuple(
        Change(name, before.get(name, ()), after.get(name, ()))
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    )
    if options.no_sync:
        return UpgradeResult(lock=result, changes=changes, synced=False)
    from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415 - only when syncing

    sync(SyncOptions(start=project.root, environ=options.environ, index=options.index, frozen=True))
    return UpgradeResult(lock=result, changes=changes, synced=True)
