"""`tether lock`: resolve the project for every environment it supports and write
`pylock.toml` (PEP 751); `--check` tells whether the lock still matches its inputs."""

from __future__ import annotations

import contextlib
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.file_hashes import with_hashes
from tether.commands.git_sources import git_fetcher, locked_commits
from tether.commands.locations import lock_location
from tether.commands.metadata_build import MetadataBuilds
from tether.commands.project_lock import editing
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.commands.shadowing import shadowed
from tether.errors import LockError
from tether.fs import atomic_write, relative_posix
from tether.index.client import IndexClient
from tether.lock import LockDocument, LockedPackage, dumps
from tether.lock.foreign import foreign_pins
from tether.lock.freshness import check_inputs, resolver_options
from tether.lock.merge import Sides, has_conflict_markers, pins, provenance, read_sides
from tether.lock.pylock import LockedVcs
from tether.project import ConflictItem, Project, find_pyproject
from tether.project.fingerprint import inputs
from tether.project.workspace import open_project, workspace_project
from tether.provider.index_provider import (
    FetchSession,
    IndexProvider,
    ProviderOptions,
    RootRequirements,
)
from tether.resolve import Package
from tether.resolve.condition import ALWAYS, NEVER, Condition
from tether.resolve.forks import (
    Fork,
    Selection,
    Toggle,
    conflict_care,
    conflict_selections,
    regions,
    root_splitters,
)
from tether.resolve.markers import Grid, substitute
from tether.resolve.provider import Edge
from tether.resolve.reachability import package_conditions
from tether.resolve.universal import (
    MAX_SPLITTERS,
    Solved,
    UniversalRequest,
    merged_regions,
    solve_universal,
)
from tether.vcs.git import GitCheckout
from tether.vcs.reference import GitReference


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
    exclude_newer = options.index.exclude_newer or settings.exclude_newer
    resolver = resolver_options(
        resolution=options.resolution or settings.resolution.value,
        prerelease=options.prerelease or settings.prerelease.value,
        exclude_newer=options.index.exclude_newer or settings.exclude_newer_input(),
        exclude_newer_package=settings.exclude_newer_package_inputs,
    )
    fingerprints = inputs(project, resolver)
    path = lock_location(project)
    if options.check:
        check_inputs(path, fingerprints)
        return LockResult(path=path, packages=0, changed=False, seconds=time.monotonic() - started)
    if not (options.upgrade or options.upgrade_packages or options.index.refresh):
        try:
            check_inputs(path, fingerprints)
        except LockError:
            pass  # missing or stale: resolve below
        else:
            # Fresh: its versions would all be kept as preferences anyway (uv does the same).
            return LockResult(
                path=path, packages=0, changed=False, seconds=time.monotonic() - started, fresh=True
            )
    _refuse_unsupported(project)
    sides = _conflict_sides(path)
    seeds: Mapping[str, str | tuple[str, ...]] = options.seed_preferences
    seeded_from = None
    if not seeds and project.script is None and not path.exists() and not options.upgrade:
        # A project coming from Poetry or uv: its first lock keeps their versions.
        seeded_from, seeds = foreign_pins(project.root)
    indexes = resolve_indexes(settings.indexes, options.index, options.environ)
    client = index_client(
        indexes,
        IndexOptions(
            index_url=options.index.index_url,
            extra_index_urls=options.index.extra_index_urls,
            offline=options.index.offline,
            refresh=options.index.refresh,
            exclude_newer=_latest(exclude_newer, settings.exclude_newer_package.values()),
        ),
        options.environ,
    )
    builds = MetadataBuilds(
        requires_python=str(project.requires_python),
        indexes=indexes,
        index=options.index,
        environ=options.environ,
        constraints=settings.build_constraints,
    )
    project = _filled(project, builds)
    resolved = resolve_project(
        project,
        client,
        builds=builds,
        exclude_newer=exclude_newer,
        resolver=resolver,
        preferences={}
        if options.upgrade
        else {
            **_seeds(seeds),
            **_preferences(path, {canonicalize_name(n) for n in options.upgrade_packages}, sides),
        },
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
    packages = list(resolved.packages)
    if project.is_package:
        packages.append(
            LockedPackage(
                name=project.name,
                version=None if project.version is None else str(project.version),
                dependencies=tuple(sorted(_own_dependencies(project, resolved.root_dependencies))),
                directory=".",
            )
        )
    document = LockDocument(
        requires_python=str(project.requires_python),
        environments=tuple(str(m) for m in settings.environments),
        extras=tuple(project.optional_dependencies),
        dependency_groups=tuple(project.dependency_groups),
        default_groups=project.default_groups(),
        packages=tuple(packages),
        tool={
            **{k: v for k, v in resolver.items() if v is not None},
            **({"forks": list(resolved.forks)} if resolved.forks else {}),
            **({"conflict-selections": list(resolved.selections)} if resolved.selections else {}),
            "inputs": fingerprints,
        },
    )
    text = dumps(document)
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    if previous != text:
        path.parent.mkdir(parents=True, exist_ok=True)  # a script's lock in the cache
        atomic_write(path, text)
    stats = client.stats
    return LockResult(
        path=path,
        packages=len(packages),
        changed=previous != text,
        seconds=time.monotonic() - started,
        requests=stats.requests if stats else 0,
        bytes_received=stats.bytes_received if stats else 0,
        merged=None if sides is None else tuple(provenance(sides, pins(text))),
        warnings=(*project.notes, *resolved.warnings),
        seeded_from=seeded_from,
    )


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
    builds: MetadataBuilds | None = None,
    exclude_newer: datetime | None,
    resolver: Mapping[str, object],
    preferences: Mapping[NormalizedName, frozenset[Version]],
    on_package: Callable[[str], None] | None = None,
    git: Callable[[GitReference], GitCheckout] | None = None,
) -> Resolved:
    """Resolve `project` for every environment it supports (`resolve.universal`) into
    locked packages. Shared by `tether lock` and `tether pip compile`."""
    settings = project.settings
    requires_python = str(project.requires_python)
    grid = Grid.build(requires_python, [str(m) for m in settings.environments])
    conflicts = [[_toggle(item) for item in items] for items in settings.conflicts]
    required = [("extras", str(canonicalize_name(e))) for e in settings.torch_backends]
    selections = conflict_selections(conflicts, required=required)
    care = _care(project, conflict_care(conflicts, required=required))
    everything = Selection(ALWAYS, frozenset(), frozenset())
    provider_options = ProviderOptions(
        grid=grid,
        exclude_newer=exclude_newer,
        exclude_newer_package=dict(settings.exclude_newer_package),
        prerelease=str(resolver["prerelease"]),
        resolution=str(resolver["resolution"]),
        constraints={canonicalize_name(r.name): r for r in settings.constraints},
        overrides={canonicalize_name(r.name): r for r in settings.overrides},
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
    splitters = root_splitters(
        (canonicalize_name(requirement.name), _own_condition(requirement))
        for requirement, _ in _root_requirements(project, everything).requirements
    )
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
        fork_grid = Grid.build(fork_python, _fork_environments(settings.environments, region))
        return IndexProvider(
            client,
            _root_requirements(project, fork.selection),
            replace(
                provider_options,
                grid=fork_grid,
                pins=_index_pins(project, fork.selection),
                sources=_sources(project, fork.selection),
                preferences=_with_inherited(provider_options.preferences, fork.prefer),
            ),
            session,
        )

    try:
        solved = solve_universal(
            UniversalRequest(root=root, version=root_version, forks=forks, grid=grid, care=care),
            open_provider,
        )
        packages, root_dependencies = _lock_entries(project, solved, root, root_version, care)
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
        warnings=_skipped_builds(solved, packages) + _yanked(packages) + on_several,
        packages=packages,
        root_dependencies=frozenset(root_dependencies),
        forks=tuple(sorted(_texts(merged, care))) if len(merged) > 1 else (),
        selections=tuple(_texts([s.condition for s in selections], care))
        if len(selections) > 1
        else (),
    )


def _skipped_builds(solved: Sequence[Solved], packages: Sequence[LockedPackage]) -> tuple[str, ...]:
    """A release whose sdist failed to build was skipped for an older one (or another
    package): say so, never leave the user to wonder why the lock is behind."""
    chosen = {(p.name, p.version) for p in packages}
    found: dict[tuple[str, Version], str] = {}
    for answer in solved:
        provider = answer.provider
        assert isinstance(provider, IndexProvider)  # noqa: S101 - open_provider made it
        for name, version, reason in provider.build_failures:
            if (name, str(version)) not in chosen:
                found.setdefault((name, version), reason)
    return tuple(
        f"{name} {version} was skipped: it {reason}"
        for (name, version), reason in sorted(found.items())
    )


def _yanked(packages: Sequence[LockedPackage]) -> tuple[str, ...]:
    """A yanked release is locked only when pinned with `==` (PEP 592): say so, as pip
    and uv do, so that the pin is not forgotten."""
    found = []
    for package in packages:
        files = [*package.wheels, *([package.sdist] if package.sdist else [])]
        if files and all(f.yanked for f in files):
            reasons = sorted({f.yanked_reason for f in files if f.yanked_reason})
            why = f" ({'; '.join(reasons)})" if reasons else ""
            found.append(
                f"{package.name} {package.version} is yanked{why}; it is locked because it is "
                "pinned with ==: move to another release when you can"
            )
    return tuple(found)


def _with_inherited(
    preferences: Mapping[NormalizedName, frozenset[Version]], inherited: Mapping[str, Version]
) -> dict[NormalizedName, frozenset[Version]]:
    """The lock's preferences plus the versions a fork inherits from the one it split
    from (tried after the lock's own)."""
    merged = dict(preferences)
    for name, version in inherited.items():
        key = canonicalize_name(name)
        merged[key] = merged.get(key, frozenset()) | {version}
    return merged


def _texts(conditions: Sequence[Condition], care: Condition) -> list[str]:
    found = []
    for condition in conditions:
        text = condition.text(care) if not (condition & care).is_never else None
        if text is not None and text not in found:
            found.append(text)
    return found


def _care(project: Project, conflicts: Condition) -> Condition:
    """The environments and choices the lock serves: requires-python, the declared
    `environments`, the allowed combinations of conflicting extras and groups."""
    care = Condition.requires_python(str(project.requires_python)) & conflicts
    if project.settings.environments:
        allowed = NEVER
        for marker in project.settings.environments:
            allowed |= Condition.of(marker)
        care &= allowed
    return care


def _toggle(item: ConflictItem) -> Toggle:
    if item.extra is not None:
        return ("extras", str(item.extra))
    return ("dependency_groups", str(item.group))


def _own_condition(requirement: Requirement) -> Condition:
    own = substitute(requirement.marker, extra=None)
    if own is False:
        return NEVER
    return ALWAYS if own is True else Condition.of(own)


def _lock_entries(
    project: Project,
    solved: Sequence[Solved],
    root: Package,
    root_version: Version,
    care: Condition,
) -> tuple[tuple[LockedPackage, ...], set[str]]:
    """Each (package, version) any fork chose, needed where the union of the forks'
    conditions for it says."""
    found: dict[tuple[str, str | None], tuple[LockedPackage, Condition]] = {}
    root_dependencies: set[str] = set()
    for answer in solved:
        provider = answer.provider
        assert isinstance(provider, IndexProvider)  # noqa: S101 - open_provider made it
        conditions = package_conditions(
            root=root, root_version=root_version, versions=answer.versions, edges=answer.edges
        )
        children = _children(answer.edges)
        for package, version in answer.versions.items():
            if package.extra is not None:
                continue
            condition = answer.fork.condition & conditions.get(package.name, NEVER)
            entry = _locked(
                package,
                version,
                provider,
                project.root,
                dependencies=children.get((package.name, version), set()),
                editable=any(
                    source.editable
                    for source in project.settings.sources.get(canonicalize_name(package.name), ())
                ),
            )
            key = (entry.name, entry.version)
            known = found.get(key)
            found[key] = (entry, condition if known is None else known[1] | condition)
        root_dependencies |= {e.child.name for e in answer.edges.get((root, root_version), ())}
    packages = tuple(
        replace(entry, marker=condition.marker(care))
        for entry, condition in found.values()
        if not (condition & care).is_never
    )
    return packages, root_dependencies


def _conflict_sides(path: Path) -> Sides | None:
    """Both sides of a lock git left conflicted; None for a normal (or no) lock."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    if not has_conflict_markers(text):
        return None
    sides = read_sides(text)
    if sides is None:
        raise LockError(
            f"{path} holds git conflict markers, and a side of the conflict is not valid TOML",
            hint=f"take one side (`git checkout --ours {path.name}`), then run `tether lock`",
        )
    return sides


def _latest(moment: datetime | None, others: Iterable[datetime | None]) -> datetime | None:
    """The cut-off the index client may assume: the latest any package uses (None: one
    has none), so that cached pages are refreshed for the package that looks furthest."""
    if moment is None:
        return None
    latest = moment
    for other in others:
        if other is None:
            return None
        latest = max(latest, other)
    return latest


def _seeds(
    pins: Mapping[str, str | tuple[str, ...]],
) -> dict[NormalizedName, frozenset[Version]]:
    seeds: dict[NormalizedName, frozenset[Version]] = {}
    for name, given in pins.items():
        versions = (given,) if isinstance(given, str) else given
        kept = set()
        for text in versions:
            with contextlib.suppress(InvalidVersion):
                kept.add(Version(text))
        if kept:
            seeds[canonicalize_name(name)] = frozenset(kept)
    return seeds


def _preferences(
    path: Path, upgrading: set[NormalizedName], sides: Sides | None = None
) -> dict[NormalizedName, frozenset[Version]]:
    """The versions the current lock holds (both sides' of a conflicted one), except for
    packages being upgraded. An unreadable lock gives no preferences (it is about to be
    replaced anyway)."""
    if sides is not None:
        held = [sides.ours, sides.theirs]
    else:
        try:
            held = [pins(path.read_text(encoding="utf-8"))]
        except (OSError, tomllib.TOMLDecodeError):
            return {}
    found: dict[NormalizedName, set[Version]] = {}
    for side in held:
        for name, versions in side.items():
            if canonicalize_name(name) in upgrading:
                continue
            for version in versions:
                with contextlib.suppress(InvalidVersion):
                    found.setdefault(canonicalize_name(name), set()).add(Version(version))
    return {name: frozenset(versions) for name, versions in found.items()}


def _filled(project: Project, builds: MetadataBuilds) -> Project:
    """`project` with what its backend computes filled in; in a workspace, the root's
    own project is filled, then the workspace combined again (filling the combined
    project would replace the members it depends on with the root's own list)."""
    workspace = project.workspace
    if workspace is None or workspace.root_project is None:
        return builds.project(project)
    root = workspace.members[workspace.root_project]
    members = {**workspace.members, root.name: builds.project(root)}
    return workspace_project(replace(workspace, members=MappingProxyType(members)))


def _own_dependencies(project: Project, names: Iterable[str]) -> set[str]:
    """The root's dependencies in the lock. In a workspace, only what the root's own
    project requires to run (its dependencies and extras): members depending on it
    reach it, and must not reach its dependency groups (or the other members the
    lock resolves beside it) through it."""
    if project.workspace is None or project.workspace.root_project is None:
        return set(names)
    own = project.workspace.members[project.workspace.root_project]
    required = {
        canonicalize_name(r.name)
        for r in (*own.dependencies, *(r for rs in own.optional_dependencies.values() for r in rs))
    }
    return {n for n in names if canonicalize_name(n) in required}


def _refuse_unsupported(project: Project) -> None:
    settings = project.settings
    required = {canonicalize_name(r.name) for r, _ in _root_requirements(
        project, Selection(ALWAYS, frozenset(), frozenset())).requirements}  # fmt: skip
    for name, sources in settings.sources.items():
        for source in sources:
            if source.workspace and source.path is None and name in required:
                where = "is not in a workspace" if project.workspace is None else (
                    "is in a workspace without a member of that name"
                )  # fmt: skip
                raise LockError(
                    f"'{name}' has a workspace source (`workspace = true`), but "
                    f"{project.pyproject_path} {where}",
                    hint="declare the workspace in the root's pyproject.toml "
                    '([tool.tether.workspace] members = ["packages/*"]), or use a path source',
                )
            if source.marker:
                kind = "marker-conditional"
                raise LockError(
                    f"the source for '{name}' is a {kind} source, which `tether lock` "
                    "does not support yet",
                    hint="pin the package to one index unconditionally for now",
                )


def _index_pins(project: Project, selection: Selection) -> dict[NormalizedName, str]:
    """Per package, the first index source that applies under `selection`: an extra's or
    a group's source applies unless the selection turns that extra or group off."""
    pins: dict[NormalizedName, str] = {}
    for name, sources in project.settings.sources.items():
        for source in sources:
            item = _source_item(source.extra, source.group)
            if source.index is not None and (item is None or item not in selection.off):
                pins[name] = source.index
                break
    return pins


def _root_requirements(project: Project, selection: Selection) -> RootRequirements:
    """The project's requirements, the extras and groups `selection` turns off left out,
    and packages with a path or URL source turned into direct references."""
    entries: list[tuple[Requirement, Marker | None]] = [(r, None) for r in project.dependencies]
    for extra, requirements in sorted(project.optional_dependencies.items()):
        if ("extras", str(extra)) not in selection.off:
            entries += [(r, Marker(f"'{extra}' in extras")) for r in requirements]
    for group, requirements in sorted(project.dependency_groups.items()):
        if ("dependency_groups", str(group)) not in selection.off:
            entries += [(r, Marker(f"'{group}' in dependency_groups")) for r in requirements]
    expanded = [e for r, m in entries for e in _itself(project, r, m, selection, frozenset())]
    located = [(_with_source(project, r, selection), m) for r, m in expanded]
    return RootRequirements(name=project.name, requirements=tuple(located))


def _itself(
    project: Project,
    requirement: Requirement,
    marker: Marker | None,
    selection: Selection,
    seen: frozenset[str],
) -> list[tuple[Requirement, Marker | None]]:
    """A requirement on the project's own name means the project itself, as pip, uv
    and Poetry read it (`complete = ["mylib[io,plot]"]`, `dev = ["mylib[test]"]`):
    never the index's package of that name. It stands for the named extras'
    requirements, under its own marker too; the project's own dependencies are the
    root's already."""
    if canonicalize_name(requirement.name) != project.name or requirement.url:
        return [(requirement, marker)]
    own = None if requirement.marker is None else requirement.marker
    found: list[tuple[Requirement, Marker | None]] = []
    for extra in sorted(canonicalize_name(e) for e in requirement.extras):
        if extra in seen or ("extras", str(extra)) in selection.off:
            continue
        for inner in project.optional_dependencies.get(extra, ()):
            found += _itself(
                project, _also_when(inner, own), marker, selection, seen | {str(extra)}
            )
    return found


def _also_when(requirement: Requirement, marker: Marker | None) -> Requirement:
    """`requirement` needed only where `marker` holds too."""
    if marker is None:
        return requirement
    combined = Requirement(str(requirement))
    combined.marker = (
        marker if requirement.marker is None else Marker(f"({requirement.marker}) and ({marker})")
    )
    return combined


def _with_source(project: Project, requirement: Requirement, selection: Selection) -> Requirement:
    """`requirement` as `name @ url` when `[tool.tether.sources]` gives it a path or URL."""
    for source in project.settings.sources.get(canonicalize_name(requirement.name), ()):
        item = _source_item(source.extra, source.group)
        if item is not None and item in selection.off:
            continue
        if source.index is not None or (source.workspace and source.path is None):
            return requirement  # (a workspace source outside a workspace: refused above)
        location = source.url or (project.root / (source.path or "")).resolve().as_uri()
        if source.git is not None:
            location = GitReference(source.git, source.rev, source.subdirectory).requirement_url()
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        marker = f" ; {requirement.marker}" if requirement.marker is not None else ""
        return Requirement(f"{requirement.name}{extras} @ {location}{marker}")
    return requirement


def _source_item(extra: NormalizedName | None, group: NormalizedName | None) -> Toggle | None:
    if extra is not None:
        return ("extras", str(extra))
    if group is not None:
        return ("dependency_groups", str(group))
    return None


def _sources(project: Project, selection: Selection) -> dict[NormalizedName, Requirement]:
    """`name @ location` for each package a path or URL source places, wherever in the
    graph it appears (a source declared at the root is not only for direct
    dependencies: a transitive `lib-b` must not come from an index where a stranger's
    package of that name may exist)."""
    found: dict[NormalizedName, Requirement] = {}
    for name in project.settings.sources:
        placed = _with_source(project, Requirement(str(name)), selection)
        if placed.url:
            found[name] = placed
    return found


def _children(
    edges: Mapping[tuple[Package, Version], Sequence[Edge]],
) -> dict[tuple[str, Version], set[str]]:
    """The names each (package, version) depends on, its extras' dependencies included:
    built once per fork (scanning every edge per package was quadratic)."""
    children: dict[tuple[str, Version], set[str]] = {}
    for (parent, parent_version), parent_edges in edges.items():
        if parent.is_root:
            continue
        names = children.setdefault((parent.name, parent_version), set())
        names.update(e.child.name for e in parent_edges if e.child.name != parent.name)
    return children


def _locked(
    package: Package,
    version: Version,
    provider: IndexProvider,
    root_dir: Path,
    *,
    dependencies: set[str],
    editable: bool = False,
) -> LockedPackage:
    listing = provider.listing(package.name)
    release = provider.release(package.name, version)
    if listing.direct is not None and listing.direct.vcs is not None:
        checkout = listing.direct.vcs
        return LockedPackage(
            name=package.name,
            version=str(version),
            dependencies=tuple(sorted(dependencies)),
            vcs=LockedVcs(
                url=checkout.reference.shown,
                commit_id=checkout.commit,
                requested_revision=checkout.reference.rev,
                subdirectory=checkout.reference.subdirectory,
            ),
        )
    if listing.direct is not None and listing.direct.directory:
        assert listing.direct.path is not None  # noqa: S101 - a directory is a local path
        return LockedPackage(
            name=package.name,
            version=None if listing.direct.dynamic_version else str(version),
            dependencies=tuple(sorted(dependencies)),
            directory=relative_posix(listing.direct.path, root_dir),
            editable=editable,
        )
    if listing.direct is not None:
        path = listing.direct.path
        return LockedPackage(
            name=package.name,
            version=str(version),
            dependencies=tuple(sorted(dependencies)),
            archive=listing.direct.file,
            archive_path=None if path is None else relative_posix(path, root_dir),
        )
    # Files listed without a sha256 are hashed before the lock is written (with_hashes).
    wheels = tuple(f for f in release.files if f.is_wheel)
    sdists = sorted((f for f in release.files if not f.is_wheel), key=lambda f: not f.sha256)
    pythons = sorted(
        {_without_ceiling(f.requires_python) for f in release.files if f.requires_python}
    )
    return LockedPackage(
        name=package.name,
        version=str(version),
        requires_python=pythons[0] if len(pythons) == 1 and pythons[0] else None,
        index=None if listing.index is None else listing.index.url,
        dependencies=tuple(sorted(dependencies)),
        wheels=wheels,
        sdist=sdists[0] if sdists else None,
    )


def _without_ceiling(requires_python: str) -> str:
    """A release's Requires-Python as the lock states it: without upper bounds, which
    resolution ignores (as uv does), so an installer never refuses a Python the lock
    says it serves (lightning-thunder's `<3.14` on 3.14)."""
    try:
        kept = [str(s) for s in SpecifierSet(requires_python) if s.operator not in ("<", "<=")]
    except InvalidSpecifier:
        return ""
    return ",".join(sorted(kept))


def _fork_environments(environments: tuple[Marker, ...], region: str | None) -> list[str]:
    """The grid of a fork: the project's environments within the fork's region."""
    if region is None:
        return [str(m) for m in environments]
    if not environments:
        return [region]
    return [f"({m}) and ({region})" for m in environments]
