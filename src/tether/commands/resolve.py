"""Resolving a list of requirements without a project: what `tether.api.resolve` does,
for tools that want tether's universal resolution of a few packages (a notebook, a CI
bot) without writing a pyproject.toml. The same resolver and forking as `tether lock`."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.errors import UsageError
from tether.lock.freshness import resolver_options
from tether.locking.resolution import resolve_project
from tether.project import Project
from tether.project.settings import Settings

ROOT_NAME = canonicalize_name("tether-api-resolve-root")


@dataclass(frozen=True, slots=True)
class ResolvedPackage:
    name: str
    version: str
    marker: str | None  # where it is needed (None: everywhere)
    dependencies: tuple[str, ...]
    index: str | None
    wheels: tuple[str, ...]  # filenames
    sdist: str | None


@dataclass(frozen=True, slots=True)
class Resolution:
    requires_python: str
    environments: tuple[str, ...]
    packages: tuple[ResolvedPackage, ...]

    def versions(self) -> dict[str, str]:
        """Name → version, sorted by name (the first version, for a package resolved
        differently per fork)."""
        found: dict[str, str] = {}
        for package in sorted(self.packages, key=lambda p: p.name):
            found.setdefault(package.name, package.version)
        return found


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveOptions:
    requirements: Sequence[str]
    environ: Mapping[str, str]
    python: str | None = None  # "3.12": that version only; None: >= the running Python
    environments: Sequence[str] = ()  # markers limiting the platforms resolved for
    constraints: Sequence[str] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    prerelease: str = "if-necessary-or-explicit"
    resolution: str = "highest"


def resolve(options: ResolveOptions) -> Resolution:
    requires_python = _requires_python(options.python)
    environments = tuple(_marker(text) for text in options.environments)
    project = Project(
        root=Path.cwd(),
        name=ROOT_NAME,
        display_name=str(ROOT_NAME),
        version=Version("0"),
        requires_python=SpecifierSet(requires_python),
        dependencies=tuple(_requirement(text) for text in options.requirements),
        settings=Settings(
            environments=environments,
            constraints=tuple(_requirement(text) for text in options.constraints),
        ),
    )
    indexes = resolve_indexes((), options.index, options.environ)
    client = index_client(indexes, options.index, options.environ)
    resolved = resolve_project(
        project,
        client,
        exclude_newer=options.index.exclude_newer,
        resolver=resolver_options(
            resolution=options.resolution,
            prerelease=options.prerelease,
            exclude_newer=options.index.exclude_newer,
        ),
        preferences={},
    )
    packages = tuple(
        ResolvedPackage(
            name=package.name,
            version=package.version or "",
            marker=str(package.marker) if package.marker is not None else None,
            dependencies=package.dependencies,
            index=package.index,
            wheels=tuple(wheel.filename for wheel in package.wheels),
            sdist=package.sdist.filename if package.sdist is not None else None,
        )
        for package in resolved.packages
        if canonicalize_name(package.name) != ROOT_NAME
    )
    return Resolution(
        requires_python=requires_python,
        environments=tuple(str(m) for m in environments),
        packages=packages,
    )


def _requires_python(python: str | None) -> str:
    if python is None:
        return f">={sys.version_info.major}.{sys.version_info.minor}"
    try:
        version = Version(python)
    except InvalidVersion:
        raise UsageError(
            f"python={python!r} is not a version", hint='give one like "3.12"'
        ) from None
    return f"=={version.major}.{version.minor}.*"


def _requirement(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as err:
        raise UsageError(
            f"invalid requirement {text!r}: {err}", hint='write it as PEP 508 says, e.g. "numpy>=2"'
        ) from None


def _marker(text: str) -> Marker:
    try:
        return Marker(text)
    except InvalidMarker as err:
        raise UsageError(
            f"invalid environment marker {text!r}: {err}",
            hint="write it as PEP 508 says, e.g. \"sys_platform == 'linux'\"",
        ) from None
