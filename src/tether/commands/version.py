"""`tether version`: show the project's version, set it, or bump it (major, minor, patch,
pre), writing `[project].version` with tomlkit so nothing else in the file changes. The
lock's entry for the project follows (its one `version` line), so the lock stays true
without a re-resolution. A dynamic version is not ours to write: the message says which
tool computes it."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tether.commands.project_lock import editing
from tether.environment.freshness import lock_location
from tether.errors import ProjectError
from tether.fs import atomic_write
from tether.lock.pylock import set_package_version
from tether.project import find_pyproject, load_project
from tether.project.edit import set_project_version
from tether.project.versioning import bumped, dynamic_source, parse_version


@dataclass(frozen=True, slots=True)
class VersionResult:
    name: str
    old: str | None  # None: dynamic
    new: str | None  # None: unchanged (shown only)
    dynamic_from: str | None = None  # where a dynamic version comes from
    lock_updated: bool = False


def version(
    start: Path,
    *,
    value: str | None = None,
    bump: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> VersionResult:
    path = find_pyproject(start)
    with editing(path.parent, os.environ if environ is None else environ):
        return _version(path, value=value, bump=bump, dry_run=dry_run)


def _version(path: Path, *, value: str | None, bump: str | None, dry_run: bool) -> VersionResult:
    project = load_project(path)
    if project.version is None:
        source = dynamic_source(tomllib.loads(path.read_text(encoding="utf-8")))
        if value is None and bump is None:
            return VersionResult(project.display_name, None, None, dynamic_from=source)
        raise ProjectError(
            f"the version is dynamic: {source} computes it, so tether does not write it",
            path=path,
            hint="change it where it comes from (or make it static in [project])",
        )
    old = project.version
    if value is None and bump is None:
        return VersionResult(project.display_name, str(old), None)
    new = parse_version(value) if value is not None else bumped(old, bump or "")
    if dry_run:
        return VersionResult(project.display_name, str(old), str(new))
    original = path.read_text(encoding="utf-8")
    atomic_write(path, set_project_version(original, str(new)))
    lock_path = lock_location(project)
    updated = False
    if lock_path.exists():
        text = lock_path.read_text(encoding="utf-8")
        changed = set_package_version(text, project.name, str(old), str(new))
        if changed != text:
            atomic_write(lock_path, changed)
            updated = True
    return VersionResult(project.display_name, str(old), str(new), lock_updated=updated)
