"""`tether lock`: resolve the project for every environment it supports and write
`pylock.toml` (PEP 751); `--check` tells whether the lock still matches its inputs."""

from __future__ import annotations

import contextlib
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.errors import LockError, ResolutionError
from tether.fs import atomic_write, relative_posix
from tether.index.client import IndexClient
from tether.lock import LOCK_NAME, LockDocument, LockedPackage, dumps
from tether.lock.freshness import check_inputs, resolver_options
from tether.lock.merge import Sides, has_conflict_markers, pins, provenance, read_sides
from tether.lock.reachability import always, package_markers
from tether.project import ConflictItem, Project, find_pyproject, load_project
from tether.project.fingerprint import inputs
from tether.provider.index_provider import IndexProvider, ProviderOptions, RootRequirements
from tether.resolve import Package, solve
from tether.resolve.markers import Grid, conjoin, disjoin, negate, substitute
from tether.resolve.provider import Edge


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
    seed_preferences: Mapping[str, str] = field(default_factory=dict)


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


def lock(options: LockOptions) -> LockResult:
    started = time.monotonic()
    project = load_project(find_pyproject(options.start))
    settings = project.settings
    exclude_newer = options.index.exclude_newer or settings.exclude_newer
    resolver = resolver_options(
        resolution=options.resolution or settings.resolution.value,
        prerelease=options.prerelease or settings.prerelease.value,
        exclude_newer=exclude_newer,
    )
    fingerprints = inputs(project, resolver)
    path = project.root / LOCK_NAME
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
    indexes = resolve_indexes(settings.indexes, options.index, options.environ)
    client = index_client(
        indexes,
        IndexOptions(
            index_url=options.index.index_url,
            extra_index_urls=options.index.extra_index_urls,
            offline=options.index.offline,
            refresh=options.index.refresh,
            exclude_newer=exclude_newer,
        ),
        options.environ,
    )
    resolved = resolve_project(
        project,
        client,
        exclude_newer=exclude_newer,
        resolver=resolver,
        preferences={}
        if options.upgrade
        else {
            **_seeds(options.seed_preferences),
            **_preferences(path, {canonicalize_name(n) for n in options.upgrade_packages}, sides),
        },
        on_package=options.on_package,
    )
    forks, selections, packages = resolved.forks, resolved.selections, list(resolved.packages)
    if project.is_package:
        packages.append(
            LockedPackage(
                name=project.name,
                version=None if project.version is None else str(project.version),
                dependencies=tuple(sorted(resolved.root_dependencies)),
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
            **({"forks": [str(f) for f in forks]} if forks != [None] else {}),
            **(
                {"conflict-selections": [str(s.marker) for s in selections]}
                if len(selections) > 1
                else {}
            ),
            "inputs": fingerprints,
        },
    )
    text = dumps(document)
    previous = path.read_text(encoding="utf-8") if path.exists() else None
    if previous != text:
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
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    """A project resolved for every environment and conflict selection it supports."""

    packages: tuple[LockedPackage, ...]
    root_dependencies: frozenset[str]
    forks: list[Marker | None]
    selections: list[Selection]


def resolve_project(
    project: Project,
    client: IndexClient,
    *,
    exclude_newer: datetime | None,
    resolver: Mapping[str, object],
    preferences: Mapping[NormalizedName, frozenset[Version]],
    on_package: Callable[[str], None] | None = None,
) -> Resolved:
    """Resolve `project` (forking where its requirements ask for it) into locked
    packages. Shared by `tether lock` and `tether pip compile`."""
    settings = project.settings
    grid = Grid.build(str(project.requires_python), [str(m) for m in settings.environments])
    selections = conflict_selections(settings.conflicts, required=settings.torch_backends)
    everything = Selection(None, frozenset(), frozenset())
    requirements = _root_requirements(project, everything)
    provider_options = ProviderOptions(
        grid=grid,
        exclude_newer=exclude_newer,
        prerelease=str(resolver["prerelease"]),
        resolution=str(resolver["resolution"]),
        pins=_index_pins(project, everything),
        constraints={canonicalize_name(r.name): r for r in settings.constraints},
        overrides={canonicalize_name(r.name): r for r in settings.overrides},
        on_package=on_package,
        preferences=dict(preferences),
    )
    splitters = root_splitters(requirements)
    while True:
        forks = regions(splitters, grid)
        try:
            found, root_dependencies = _resolve_forks(
                project, client, provider_options, forks, selections
            )
            break
        except _ForkFailed as failure:
            more = failure.splitters - splitters
            if not more or len(splitters) >= MAX_SPLITTERS:
                raise failure.error from None
            splitters |= more
    return Resolved(
        packages=tuple(_merge(entries, grid, project) for entries in found.values()),
        root_dependencies=frozenset(root_dependencies),
        forks=forks,
        selections=selections,
    )


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


def _seeds(pins: Mapping[str, str]) -> dict[NormalizedName, frozenset[Version]]:
    seeds: dict[NormalizedName, frozenset[Version]] = {}
    for name, version in pins.items():
        with contextlib.suppress(InvalidVersion):
            seeds[canonicalize_name(name)] = frozenset({Version(version)})
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


@dataclass(frozen=True, slots=True)
class Selection:
    """One way to honour `[tool.tether].conflicts`: which conflicting extras and groups
    are on (at most one per conflict) and which are off, and the lock marker saying so."""

    marker: Marker | None
    active: frozenset[ConflictItem]
    excluded: frozenset[ConflictItem]


def conflict_selections(
    conflicts: Sequence[Sequence[ConflictItem]], *, required: Sequence[str] = ()
) -> list[Selection]:
    """Each conflict set contributes "one of its items is on, the others off" or "all
    off"; sets multiply. With no conflicts there is one selection that excludes nothing.
    The set of `required` extras (the torch backends) has no "all off": one is always on."""
    selections = [Selection(None, frozenset(), frozenset())]
    selector = {ConflictItem(extra=canonicalize_name(e)) for e in required}
    for items in conflicts:
        expanded = []
        for selection in selections:
            none: list[ConflictItem | None] = [] if selector and set(items) == selector else [None]
            for chosen in [*items, *none]:
                off = frozenset(i for i in items if i != chosen)
                on = frozenset() if chosen is None else frozenset({chosen})
                parts = [_item_marker(i, present=True) for i in on] + [
                    _item_marker(i, present=False) for i in sorted(off, key=str)
                ]
                expanded.append(
                    Selection(
                        conjoin(selection.marker, *parts),
                        selection.active | on,
                        selection.excluded | off,
                    )
                )
        selections = expanded
    return selections


def _item_marker(item: ConflictItem, *, present: bool) -> Marker:
    variable = "extras" if item.extra is not None else "dependency_groups"
    name = item.extra if item.extra is not None else item.group
    return Marker(f"'{name}' {'in' if present else 'not in'} {variable}")


def _refuse_unsupported(project: Project) -> None:
    settings = project.settings
    for name, sources in settings.sources.items():
        for source in sources:
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
            if source.index is not None and (item is None or item not in selection.excluded):
                pins[name] = source.index
                break
    return pins


def _root_requirements(project: Project, selection: Selection) -> RootRequirements:
    """The project's requirements, the extras and groups `selection` turns off left out,
    and packages with a path or URL source turned into direct references."""
    entries: list[tuple[Requirement, Marker | None]] = [(r, None) for r in project.dependencies]
    for extra, requirements in sorted(project.optional_dependencies.items()):
        if ConflictItem(extra=extra) not in selection.excluded:
            entries += [(r, Marker(f"'{extra}' in extras")) for r in requirements]
    for group, requirements in sorted(project.dependency_groups.items()):
        if ConflictItem(group=group) not in selection.excluded:
            entries += [(r, Marker(f"'{group}' in dependency_groups")) for r in requirements]
    located = [(_with_source(project, r, selection), m) for r, m in entries]
    return RootRequirements(name=project.name, requirements=tuple(located))


def _with_source(project: Project, requirement: Requirement, selection: Selection) -> Requirement:
    """`requirement` as `name @ url` when `[tool.tether.sources]` gives it a path or URL."""
    for source in project.settings.sources.get(canonicalize_name(requirement.name), ()):
        item = _source_item(source.extra, source.group)
        if item is not None and item in selection.excluded:
            continue
        if source.index is not None:
            return requirement
        location = source.url or (project.root / (source.path or "")).resolve().as_uri()
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        marker = f"; {requirement.marker}" if requirement.marker is not None else ""
        return Requirement(f"{requirement.name}{extras} @ {location}{marker}")
    return requirement


def _source_item(extra: NormalizedName | None, group: NormalizedName | None) -> ConflictItem | None:
    if extra is not None:
        return ConflictItem(extra=extra)
    if group is not None:
        return ConflictItem(group=group)
    return None


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
    markers: Mapping[str, Marker | None],
    root_dir: Path,
    *,
    dependencies: set[str],
    editable: bool = False,
) -> LockedPackage:
    listing = provider.listing(package.name)
    release = provider.release(package.name, version)
    if listing.direct is not None and listing.direct.directory:
        assert listing.direct.path is not None  # noqa: S101 - a directory is a local path
        return LockedPackage(
            name=package.name,
            version=None if listing.direct.dynamic_version else str(version),
            marker=markers.get(package.name),
            dependencies=tuple(sorted(dependencies)),
            directory=relative_posix(listing.direct.path, root_dir),
            editable=editable,
        )
    if listing.direct is not None:
        path = listing.direct.path
        return LockedPackage(
            name=package.name,
            version=str(version),
            marker=markers.get(package.name),
            dependencies=tuple(sorted(dependencies)),
            archive=listing.direct.file,
            archive_path=None if path is None else relative_posix(path, root_dir),
        )
    wheels = tuple(f for f in release.files if f.is_wheel and f.sha256)
    sdists = [f for f in release.files if not f.is_wheel and f.sha256]
    pythons = sorted({f.requires_python for f in release.files if f.requires_python})
    return LockedPackage(
        name=package.name,
        version=str(version),
        marker=markers.get(package.name),
        requires_python=pythons[0] if len(pythons) == 1 else None,
        index=None if listing.index is None else listing.index.url,
        dependencies=tuple(sorted(dependencies)),
        wheels=wheels,
        sdist=sdists[0] if sdists else None,
    )


def root_splitters(requirements: RootRequirements) -> set[str]:
    """Markers to fork on: when the project asks for one package under different markers
    (`a>=2; sys_platform == 'linux'` and `a<2; sys_platform == 'darwin'`), each
    combination of those markers is resolved on its own, so each may pick its own
    version (uv's forking)."""
    by_name: dict[str, set[str | None]] = {}
    for requirement, _ in requirements.requirements:
        own = substitute(requirement.marker, extra=None)
        if own is False:
            continue
        key = canonicalize_name(requirement.name)
        by_name.setdefault(key, set()).add(None if own is True else str(own))
    return {m for markers in by_name.values() if len(markers) > 1 for m in markers if m is not None}


def edge_splitters(edges: Mapping[tuple[Package, Version], Sequence[Edge]]) -> set[str]:
    """Markers to fork on found below the root: a package that depends on one name under
    different markers (`b>=2; implementation_name == 'cpython'`, `b<2; ... 'pypy'`).
    Used after a fork failed: splitting on them may let each part succeed."""
    found: set[str] = set()
    for (parent, _), children in edges.items():
        if parent.is_root:
            continue
        by_name: dict[str, set[str | None]] = {}
        for edge in children:
            marker = None if edge.marker is None else str(edge.marker)
            by_name.setdefault(edge.child.name, set()).add(marker)
        found |= {m for ms in by_name.values() if len(ms) > 1 for m in ms if m is not None}
    return found


def regions(splitters: set[str], grid: Grid) -> list[Marker | None]:
    """Every possible combination of the splitters holding or not."""
    regions: list[Marker | None] = [None]
    for text in sorted(splitters)[:MAX_SPLITTERS]:
        marker = Marker(text)
        inverse = negate(marker)
        if inverse is None:
            continue
        regions = [
            region
            for previous in regions
            for part in (marker, inverse)
            if grid.possible(region := conjoin(previous, part))
        ]
    unique: dict[tuple[frozenset[int], str], Marker | None] = {}
    for region in regions:
        truth = grid.truth(region)
        # Regions only off-grid platforms reach (`sys_platform == "os1"`) all have an
        # empty truth table: tell them apart by their text.
        unique.setdefault((truth, "" if truth else str(region)), region)
    return list(unique.values())


MAX_SPLITTERS = 3


class _ForkFailed(Exception):
    """A fork had no solution; `splitters` may split it into parts that have one."""

    def __init__(self, error: ResolutionError, splitters: set[str]) -> None:
        super().__init__(error.message)
        self.error = error
        self.splitters = splitters


def _fork_environments(environments: tuple[Marker, ...], fork: Marker | None) -> list[str]:
    if fork is None:
        return [str(m) for m in environments]
    if not environments:
        return [str(fork)]
    return [str(conjoin(m, fork)) for m in environments]


def _merge(entries: list[LockedPackage], grid: Grid, project: Project) -> LockedPackage:
    """One package version chosen in several forks: the union of their markers."""
    marker = disjoin(e.marker for e in entries)
    if marker is not None and always(
        marker,
        grid=grid,
        extras=sorted(project.optional_dependencies),
        groups=sorted(project.dependency_groups),
        conflicting=bool(project.settings.conflicts),
        required=project.settings.torch_backends,
    ):
        marker = None
    return replace(entries[0], marker=marker)


def _resolve_forks(
    project: Project,
    client: IndexClient,
    provider_options: ProviderOptions,
    env_forks: list[Marker | None],
    selections: list[Selection],
) -> tuple[dict[tuple[str, str | None], list[LockedPackage]], set[str]]:
    """Resolve each environment fork under each conflict selection; collect the locked
    packages by (name, version)."""
    settings = project.settings
    root = Package.root(project.name)
    root_version = project.version or Version("0")
    forks = [(env, selection) for env in env_forks for selection in selections]
    found: dict[tuple[str, str | None], list[LockedPackage]] = {}
    root_dependencies: set[str] = set()
    for fork, selection in forks:
        fork_grid = Grid.build(
            str(project.requires_python), _fork_environments(settings.environments, fork)
        )
        provider = IndexProvider(
            client,
            _root_requirements(project, selection),
            replace(provider_options, grid=fork_grid, pins=_index_pins(project, selection)),
        )
        try:
            resolution = solve(root, root_version, provider)
        except ResolutionError as error:
            where = conjoin(fork, selection.marker)
            if where is not None:
                error.add_note(f"while resolving for environments where {where}")
            raise _ForkFailed(error, edge_splitters(provider.edges)) from None
        finally:
            provider.close()
        markers = package_markers(
            root=root,
            root_version=root_version,
            versions=resolution.versions,
            edges=provider.edges,
            grid=fork_grid,
            extras=sorted(project.optional_dependencies),
            groups=sorted(project.dependency_groups),
            required=settings.torch_backends,
        )
        children = _children(provider.edges)
        for package, version in resolution.versions.items():
            if package.extra is None:
                entry = _locked(
                    package,
                    version,
                    provider,
                    markers,
                    project.root,
                    dependencies=children.get((package.name, version), set()),
                    editable=any(
                        source.editable
                        for source in settings.sources.get(canonicalize_name(package.name), ())
                    ),
                )
                entry = replace(entry, marker=conjoin(fork, selection.marker, entry.marker))
                found.setdefault((entry.name, entry.version), []).append(entry)
        root_dependencies |= {e.child.name for e in provider.edges.get((root, root_version), ())}
    return found, root_dependencies
