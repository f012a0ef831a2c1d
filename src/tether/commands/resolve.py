"""Resolving a list of requirements without a project: what `tether.api.resolve` does,
for tools that want tether's universal resolution of a few packages (a notebook, a CI
bot) without writing a pyproject.toml. The same resolver and forking as `tether lock`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.lock.freshness import resolver_options
from tether.locking.bare_requirements import (
    ROOT_NAME,
    Resolution,
    ResolvedPackage,
    parsed_marker,
    parsed_requirement,
    python_range,
)
from tether.locking.resolution import resolve_project
from tether.project import Project
from tether.project.settings import Settings


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
    requires_python = python_range(options.python)
    environments = tuple(parsed_marker(text) for text in options.environments)
    project = Project(
        root=Path.cwd(),
        name=ROOT_NAME,
        display_name=str(ROOT_NAME),
        version=Version("0"),
        requires_python=SpecifierSet(requires_python),
        dependencies=tuple(parsed_requirement(text) for text in options.requirements),
        settings=Settings(
            environments=environments,
            constraints=tuple(parsed_requirement(text) for text in options.constraints),
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
        listed_order=True,
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
