"""A project resolved for every environment and conflict selection it supports: the
forks (regions of the Python and platform space, each with each conflict selection), an
index provider per fork with that fork's Python range, sources and pins, the universal
solve, and the lock entries (hashed, checked for names several indexes serve). Shared by
`tether lock` and `tether pip compile`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tether.index.client import IndexClient
from tether.index.declared import by_name
from tether.lock import LockedPackage
from tether.locking.entries import condition_texts, lock_entries, skipped_builds, yanked
from tether.locking.file_hashes import with_hashes
from tether.locking.preferences import with_inherited
from tether.locking.requirements import (
    care_condition,
    index_pins,
    own_condition,
    placed_sources,
    root_requirements,
    source_markers,
    toggle,
)
from tether.locking.shadowing import shadowed
from tether.project import Project
from tether.provider.bounds import replaced_by, requirements_by_name
from tether.provider.index_provider import FetchSession, IndexProvider, ProviderOptions
from tether.resolve import Package
from tether.resolve.condition import ALWAYS, Condition
from tether.resolve.forks import (
    Fork,
    Selection,
    conflict_care,
    conflict_selections,
    regions,
    root_splitters,
)
from tether.resolve.markers import Grid
from tether.resolve.universal import (
    MAX_SPLITTERS,
    UniversalRequest,
    merged_regions,
    solve_universal,
)
from tether.resolve.version_set import from_specifier
from tether.vcs.git import GitCheckout
from tether.vcs.reference import GitReference


class MetadataBuilder(Protocol):
    """Builds the core metadata of an sdist or a project directory (PEP 517)."""

    def sdist(self, archive: Path) -> bytes: ...

    def directory(self, source: Path) -> bytes: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    """A project resolved for every environment and conflict selection it supports."""

    packages: tuple[LockedPackage, ...]
    root_dependencies: frozenset[str]
    forks: tuple[str, ...]  # the regions that resolved differently (empty: one)
    selections: tuple[str, ...]  # the conflict selections (empty: no conflicts)
    warnings: tuple[str, ...] = ()


def resolve_project(
    project: Project,
    client: IndexClient,
    *,
    builds: MetadataBuilder | None = None,
    exclude_newer: datetime | None,
    resolver: Mapping[str, object],
    preferences: Mapping[NormalizedName, frozenset[Version]],
    on_package: Callable[[str], None] | None = None,
    git: Callable[[GitReference], GitCheckout] | None = None,
    listed_order: bool = False,
) -> Resolved:
    """Resolve `project` for every environment it supports (`resolve.universal`) into
    locked packages. Shared by `tether lock` and `tether pip compile`. `listed_order`:
    the root's requirements are decided in the order given (requirements files, as `uv
    pip compile` reads them), not sorted by name in each section (a project, as `uv
    lock` reads it)."""
    settings = project.settings
    requires_python = str(project.requires_python)
    grid = Grid.build(requires_python, [str(m) for m in settings.environments])
    conflicts = [[toggle(item) for item in items] for items in settings.conflicts]
    required = [("extras", str(canonicalize_name(e))) for e in settings.torch_backends]
    selections = conflict_selections(conflicts, required=required)
    care = care_condition(project, conflict_care(conflicts, required=required))
    everything = Selection(ALWAYS, frozenset(), frozenset())
    provider_options = ProviderOptions(
        grid=grid,
        exclude_newer=exclude_newer,
        exclude_newer_package=dict(settings.exclude_newer_package),
        prerelease=str(resolver["prerelease"]),
        resolution=str(resolver["resolution"]),
        constraints=tuple(settings.constraints),
        overrides=tuple(settings.overrides),
        declared=by_name(settings.dependency_metadata),
        on_package=on_package,
        preferences=dict(preferences),
        project_python=requires_python,
        build_metadata=None if builds is None else builds.sdist,
        build_directory=None if builds is None else builds.directory,
        git_checkout=git,
        required_environments=settings.required_environments,
        no_build=settings.no_build,
        no_binary=settings.no_binary,
        no_build_package=frozenset(settings.no_build_package),
        no_binary_package=frozenset(settings.no_binary_package),
    )
    # Sources with markers first: each fork must lie wholly inside or outside
    # each such marker (`index_pins`), whatever the fork budget leaves of the rest.
    splitters = source_markers(project)
    asked = [item.requirement for item in root_requirements(project, everything).requirements]
    splitters += [
        c
        for c in root_splitters(_root_asks(asked, settings.constraints, settings.overrides))
        if c not in splitters and ~c not in splitters
    ]
    # Each required environment is a fork of its own (uv's): a package needed only on
    # one platform is checked for wheels only there.
    splitters += [
        c for m in settings.required_environments if (c := Condition.of(m)) not in splitters
    ]
    supported = Condition.requires_python(requires_python)
    forks = [
        Fork(region & supported, selection)
        for region in regions(splitters, grid, limit=MAX_SPLITTERS)
        for selection in selections
    ]
    root = Package.root(project.name)
    root_version = project.version or Version("0")
    session = FetchSession(client)

    def open_provider(fork: Fork) -> IndexProvider:
        fork_python = fork.requires_python(requires_python)
        region = fork.region.text()
        fork_grid = Grid.build(fork_python, fork_environments(settings.environments, region))
        return IndexProvider(
            client,
            root_requirements(
                project, fork.selection, region=fork.region, listed_order=listed_order
            ),
            replace(
                provider_options,
                grid=fork_grid,
                pins=index_pins(project, fork.selection, fork.region),
                sources=placed_sources(project, fork.selection, fork.region),
                preferences=with_inherited(provider_options.preferences, fork.prefer),
            ),
            session,
        )

    try:
        solved = solve_universal(
            UniversalRequest(root=root, version=root_version, forks=forks, grid=grid, care=care),
            open_provider,
        )
        packages, root_dependencies = lock_entries(project, solved, root, root_version, care)
        packages = tuple(with_hashes(packages, session.client))
        pinned = {
            name
            for name, sources in project.settings.sources.items()
            if any(source.index for source in sources)
        }
        on_several = shadowed(packages, session.client, pinned)
    finally:
        session.close()
    merged = merged_regions(solved)
    return Resolved(
        warnings=skipped_builds(solved, packages) + yanked(packages) + on_several,
        packages=packages,
        root_dependencies=frozenset(root_dependencies),
        forks=tuple(sorted(condition_texts(merged, care))) if len(merged) > 1 else (),
        selections=tuple(condition_texts([s.condition for s in selections], care))
        if len(selections) > 1
        else (),
    )


def _root_asks(
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    overrides: Sequence[Requirement],
) -> Iterator[tuple[str, Condition, VersionRange]]:
    """What the root asks of each package, under which condition: its requirements
    (or the overrides that replace them, where both markers hold), and beside them the
    constraints on the same packages, as the provider adds them."""
    replaced = requirements_by_name(overrides)
    bounded = requirements_by_name(constraints)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        own = own_condition(requirement)
        if name in replaced:
            for stand_in in replaced_by(requirement, replaced[name]):
                yield name, own & own_condition(stand_in), from_specifier(str(stand_in.specifier))
        else:
            yield name, own, from_specifier(str(requirement.specifier))
        for constraint in bounded.get(name, ()):
            yield name, own & own_condition(constraint), from_specifier(str(constraint.specifier))


def fork_environments(environments: tuple[Marker, ...], region: str | None) -> list[str]:
    """The grid of a fork: the project's environments within the fork's region."""
    if region is None:
        return [str(m) for m in environments]
    if not environments:
        return [region]
    return [f"({m}) and ({region})" for m in environments]
