"""PEP 751 `pylock.toml`: built from a resolution, written deterministically.

Same inputs give byte-identical output: packages sorted by name (then version), files by
name, keys in a fixed order, no timestamps of our own. Index URLs are written without
credentials. tether's own data (the input fingerprints and resolver options) lives
under `[tool.tether]`, as PEP 751 reserves `tool` tables for tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from packaging.markers import Marker

from tether.fs import relative_posix
from tether.index.flat import is_local, local_path
from tether.index.page import DistFile
from tether.urls import without_userinfo

LOCK_VERSION = "1.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class LockedPackage:
    name: str
    version: str | None
    marker: Marker | None = None
    requires_python: str | None = None
    index: str | None = None
    dependencies: tuple[str, ...] = ()
    wheels: tuple[DistFile, ...] = ()
    sdist: DistFile | None = None
    directory: str | None = None  # the project itself, or a path dependency
    editable: bool = True  # ... installed editable (the project always is)
    archive: DistFile | None = None  # a direct reference (`name @ url`)
    archive_path: str | None = None  # ... to a local file, relative to the project
    vcs: LockedVcs | None = None  # a git dependency, pinned to its commit


@dataclass(frozen=True, slots=True, kw_only=True)
class LockedVcs:
    """PEP 751's `packages.vcs`: the repository (without credentials), the revision the
    project asked for, and the commit that revision named when the lock was written."""

    url: str
    commit_id: str
    requested_revision: str | None = None
    subdirectory: str | None = None
    type: str = "git"


@dataclass(frozen=True, slots=True, kw_only=True)
class LockDocument:
    requires_python: str
    packages: tuple[LockedPackage, ...]
    environments: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    dependency_groups: tuple[str, ...] = ()
    default_groups: tuple[str, ...] = ()
    tool: Mapping[str, object] = field(default_factory=dict)
    # Where the lock lives: files of a local flat index are written relative to it.
    directory: Path | None = None


def _order(package: LockedPackage) -> tuple[str, str, str]:
    """By name, then version, then marker: one release locked twice (from two
    sources with markers) is written in one order whatever the forks' order."""
    return (package.name, package.version or "", str(package.marker or ""))


def dumps(document: LockDocument) -> str:
    lines = [f"lock-version = {_s(LOCK_VERSION)}"]
    if document.environments:
        lines.append(f"environments = {_array(document.environments)}")
    if document.requires_python:
        lines.append(f"requires-python = {_s(document.requires_python)}")
    lines.append(f"extras = {_array(sorted(document.extras))}")
    lines.append(f"dependency-groups = {_array(sorted(document.dependency_groups))}")
    lines.append(f"default-groups = {_array(list(document.default_groups))}")
    lines.append(f"created-by = {_s('tether')}")
    if not document.packages:
        lines.append("packages = []")  # required by PEP 751, even when empty
    for package in sorted(document.packages, key=_order):
        lines.append("")
        lines.append("[[packages]]")
        lines.append(f"name = {_s(package.name)}")
        if package.version is not None:
            lines.append(f"version = {_s(package.version)}")
        if package.marker is not None:
            lines.append(f"marker = {_s(str(package.marker))}")
        if package.requires_python:
            lines.append(f"requires-python = {_s(package.requires_python)}")
        if package.index is not None:
            lines.append(f"index = {_s(without_userinfo(package.index))}")
        if package.dependencies:
            deps = ", ".join(f"{{ name = {_s(d)} }}" for d in sorted(set(package.dependencies)))
            lines.append(f"dependencies = [{deps}]")
        if package.directory is not None:
            editable = "true" if package.editable else "false"
            lines.append(f"directory = {{ path = {_s(package.directory)}, editable = {editable} }}")
        if package.archive is not None:
            lines.append(f"archive = {_archive(package.archive, package.archive_path)}")
        if package.vcs is not None:
            lines.append(f"vcs = {_vcs(package.vcs)}")
        if package.sdist is not None:
            lines.append(f"sdist = {_file(package.sdist, document.directory)}")
        if package.wheels:
            lines.append("wheels = [")
            lines.extend(
                f"    {_file(w, document.directory)},"
                for w in sorted(package.wheels, key=lambda w: w.filename)
            )
            lines.append("]")
    if document.tool:
        lines.append("")
        lines.append("[tool.tether]")
        for key, value in sorted(document.tool.items()):
            if isinstance(value, Mapping):
                continue
            lines.append(f"{key} = {_value(value)}")
        for key, value in sorted(document.tool.items()):
            if isinstance(value, Mapping):
                lines.append("")
                lines.append(f"[tool.tether.{key}]")
                lines.extend(f"{_key(k)} = {_value(v)}" for k, v in sorted(value.items()))
    return "\n".join(lines) + "\n"


def _file(file: DistFile, directory: Path | None) -> str:
    """A wheel or sdist entry; a local one (a flat index's directory) by its `path`,
    relative to the lock, so that the lock holds no path of this machine's."""
    if is_local(file.url) and directory is not None:
        where = f"path = {_s(relative_posix(local_path(file.url), directory))}"
    else:
        where = f"url = {_s(without_userinfo(file.url))}"
    parts = [f"name = {_s(file.filename)}", where]
    if file.size is not None:
        parts.append(f"size = {file.size}")
    if file.upload_time is not None:
        stamp = file.upload_time.astimezone(UTC)
        parts.append(f"upload-time = {_datetime(stamp)}")
    parts.append(f"hashes = {{ sha256 = {_s(file.sha256 or '')} }}")
    return "{ " + ", ".join(parts) + " }"


def _archive(file: DistFile, path: str | None) -> str:
    where = f"path = {_s(path)}" if path is not None else f"url = {_s(without_userinfo(file.url))}"
    return f"{{ {where}, size = {file.size}, hashes = {{ sha256 = {_s(file.sha256 or '')} }} }}"


def _vcs(vcs: LockedVcs) -> str:
    parts = [f"type = {_s(vcs.type)}", f"url = {_s(without_userinfo(vcs.url))}"]
    if vcs.requested_revision is not None:
        parts.append(f"requested-revision = {_s(vcs.requested_revision)}")
    parts.append(f"commit-id = {_s(vcs.commit_id)}")
    if vcs.subdirectory is not None:
        parts.append(f"subdirectory = {_s(vcs.subdirectory)}")
    return "{ " + ", ".join(parts) + " }"


def _datetime(stamp: datetime) -> str:
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if stamp.microsecond:
        text += f".{stamp.microsecond:06d}"
    return text + "Z"


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset TOML accepts)."""
    return json.dumps(text, ensure_ascii=False)


def _key(text: str) -> str:
    return text if text.replace("-", "").replace("_", "").isalnum() else _s(text)


def _array(items: Sequence[str]) -> str:
    return "[" + ", ".join(_s(i) for i in items) + "]"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, datetime):
        return _datetime(value.astimezone(UTC))
    return _s(str(value))


def set_package_version(text: str, name: str, old: str, new: str) -> str:
    """`text` (a lock tether wrote) with the `version` of package `name` at `old` set to
    `new`: the one line that changes when the project's own version does. Any other
    layout is returned unchanged (the next `tether lock` rewrites it)."""
    block = f"[[packages]]\nname = {_s(name)}\nversion = {_s(old)}\n"
    if text.count(block) != 1:
        return text
    return text.replace(block, f"[[packages]]\nname = {_s(name)}\nversion = {_s(new)}\n")
