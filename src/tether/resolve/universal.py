"""Universal resolution: solve each fork, split the ones that need it, and report the
forks that ended with the same versions together. Pure: each fork's provider comes from
the caller (`open_provider`), so tests run it on in-memory universes.

Forks are solved newest Pythons first, and each prefers the versions the forks solved
before it chose (uv's requires-python fork strategy and fork preferences): an older
Python takes what a newer one took wherever that fits. The loop, per fork (uv's
forking, with its Requires-Python forks):
1. Solve it. Stop at a decision (and solve the parts instead, sharing what was
   decided before) where a Python floor inside the fork keeps out the candidate or a
   newer release, or where the candidate asks for one package with ranges no version
   meets together under markers that exclude each other (`sqlean-py<3.50` on
   Windows, `>=3.50` elsewhere): one fork would take both and fall back to an older
   candidate. Should a part of such a division find no solution, the fork is solved
   whole instead, as it was before the division.
2. If it failed, split it where that may help, and solve the parts instead: at the
   Python floors of the releases the failure involves that `Requires-Python` kept out
   (`numpy>=2.3; python_version >= "3.11"` in a `>=3.10` project: above 3.11 it fits,
   below it the requirement does not apply), else on the markers a package put on one
   dependency. With nothing to split on, the failure is the answer.
3. If it succeeded but a newer release of a chosen package was kept out only by its
   `Requires-Python` floor inside the fork's Python range, split there: each part then
   gets the newest releases its Pythons allow (numpy 2.0 below 3.10, 2.3 above). The
   same when a chosen release has only wheels, starting above the fork's lowest
   Python: below that floor, an older release with wheels for those Pythons is taken.
A budget bounds the number of forks; past it a fork's answer is taken as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.version import Version

from tether.errors import ResolutionError
from tether.resolve.condition import Condition, Release
from tether.resolve.forks import Fork, edge_splitters, possible, regions
from tether.resolve.markers import Grid
from tether.resolve.package import Package
from tether.resolve.provider import Edge, ForkProvider, Unavailable
from tether.resolve.solver import StopAt, Stopped, solve
from tether.resolve.version_set import FULL, same_top

MAX_FORKS = 48
MAX_SPLITTERS = 3


@dataclass(frozen=True, slots=True)
class Solved:
    """One fork's answer: the chosen versions and the edges between them."""

    fork: Fork
    versions: Mapping[Package, Version]
    edges: Mapping[tuple[Package, Version], Sequence[Edge]]
    provider: ForkProvider
    # What later forks may prefer from this one (`_carried`), judged once when it is done.
    carried: Mapping[str, Version] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UniversalRequest:
    root: Package
    version: Version
    forks: Sequence[Fork]
    grid: Grid  # every environment the lock serves
    care: Condition  # for writing fork conditions in messages
    max_forks: int = MAX_FORKS


def solve_universal(
    request: UniversalRequest, open_provider: Callable[[Fork], ForkProvider]
) -> list[Solved]:
    # Newest Pythons first (uv's requires-python fork strategy): what they choose is
    # then preferred by the forks of older Pythons, where it fits.
    pending = sorted(request.forks, key=_python_floor, reverse=True)
    done: list[Solved] = []
    chosen: dict[str, frozenset[Version]] = {}
    opened = 0
    while pending:
        fork = pending.pop(0).preferring(chosen)
        provider = open_provider(fork)
        opened += 1
        room = opened + len(pending) + 1 < request.max_forks
        split = _SplitAt()
        try:
            stop = _stopper(fork, provider, split, request.grid) if room else None
            resolution = solve(request.root, request.version, provider, stop=stop)
        except Stopped as stopped:
            # A solve stopped at a split did a fraction of the work: not counted against
            # the budget (each part splits only at floors inside its own range, or on
            # markers that no longer divide it).
            opened -= 1
            pending[:0] = split.parts(fork, request.grid, stopped.decided)
            continue
        except ResolutionError as error:
            parts = _after_failure(fork, provider, error, request.grid) if room else [fork]
            if len(parts) > 1:
                pending[:0] = parts
                continue
            whole = fork.parent
            if whole is None:
                _say_where(error, fork, request.care)
                raise
            # A part of a division on markers has no answer: the fork it came from is
            # solved whole instead, as it was before the division.
            pending = [whole.undivided(), *(f for f in pending if not f.descends_from(whole))]
            done = [answer for answer in done if not answer.fork.descends_from(whole)]
            chosen = _chosen(done)
            continue
        floors = _python_floors(fork, provider, resolution.versions) if room else {}
        if floors:
            decided = _decided_before(resolution.versions, set(floors.values()))
            pending[:0] = fork.split_python(floors, decided)
            continue
        carried = _carried(resolution.versions, provider)
        done.append(Solved(fork, resolution.versions, dict(provider.edges), provider, carried))
        chosen = _chosen(done)
    return done


@dataclass(slots=True)
class _SplitAt:
    """Where a stopped solve asked to split its fork: at Python floors, or on a
    dependency's markers."""

    floors: list[Release] = field(default_factory=list)
    markers: list[Condition] = field(default_factory=list)

    def parts(self, fork: Fork, grid: Grid, decided: Mapping[Package, Version]) -> list[Fork]:
        shared = _decided_before(decided, set())
        if self.floors:
            return fork.split_python(self.floors, shared)
        return fork.split_on(self.markers, grid, shared)


def _say_where(error: ResolutionError, fork: Fork, care: Condition) -> None:
    if not (fork.condition & care).is_never and not fork.condition.is_always:
        where = fork.condition.text(care)
        if where is not None:
            error.add_note(f"while resolving for environments where {where}")


def _chosen(done: Sequence[Solved]) -> dict[str, frozenset[Version]]:
    """Every version the forks solved so far chose and carry (`_carried`), by name."""
    chosen: dict[str, set[Version]] = {}
    for answer in done:
        for name, version in answer.carried.items():
            chosen.setdefault(name, set()).add(version)
    return {name: frozenset(versions) for name, versions in chosen.items()}


def _carried(versions: Mapping[Package, Version], provider: ForkProvider) -> dict[str, Version]:
    """The versions a fork chose that later forks prefer; but not one it took only
    because its newer releases have no wheel for its platforms (torch 2.2 on macOS
    x86_64): another fork's platforms may install the newest."""
    return {
        package.name: version
        for package, version in versions.items()
        if package.extra is None
        and not package.is_root
        and not provider.held_back(package.name, version)
    }


def _python_floor(fork: Fork) -> Release:
    lower, _upper = fork.python_range()
    return lower if lower is not None else (0, 0, 0)


def merged_regions(solved: Sequence[Solved]) -> list[Condition]:
    """The forks' conditions, those that ended with the same versions joined: what the
    lock records as its forks (uv's resolution markers)."""
    groups: dict[frozenset[tuple[str, Version]], Condition] = {}
    for answer in solved:
        key = frozenset((p.name, v) for p, v in answer.versions.items() if p.extra is None)
        known = groups.get(key)
        groups[key] = answer.fork.condition if known is None else known | answer.fork.condition
    return list(groups.values())


def _after_failure(
    fork: Fork, provider: ForkProvider, error: ResolutionError, grid: Grid
) -> list[Fork]:
    floors = {
        floor
        for name in sorted(error.packages)
        if (floor := _first_inside(fork, provider.python_floors(name))) is not None
    }
    if floors:
        return fork.split_python(floors)
    splitters = [
        s
        for s in edge_splitters(provider.edges)
        if not (fork.region & s).is_never and not (fork.region & ~s).is_never
    ]
    if not splitters:
        return [fork]
    parts = regions(splitters, grid, limit=MAX_SPLITTERS)
    return [
        Fork(fork.region & part, fork.selection, parent=fork.parent, divide=fork.divide)
        for part in parts
        if not (fork.region & part).is_never
    ]


def _stopper(fork: Fork, provider: ForkProvider, split: _SplitAt, grid: Grid) -> StopAt:
    """Fork at a decision, as uv does, when the candidate or a newer release is kept
    out only by a Python floor inside the fork (or the candidate's wheels start above
    its lowest Python), or when the candidate asks for one package differently under
    markers that divide the fork (arize-phoenix: `sqlean-py<3.50` on Windows,
    `sqlean-py>=3.50` elsewhere on Python 3.14): what the solve would do after it is
    done again in each part anyway. What to split at is put in `split`."""

    # A release's dividing markers, once per fork: after each backjump the solver
    # decides the same releases again (langflow: 45,000 decisions of 1,500 releases).
    dividing: dict[tuple[Package, Version], list[Condition]] = {}

    def stop(package: Package, version: Version, allowed: VersionRange) -> bool:
        floor = _split_floor(fork, provider, package, version, allowed)
        if floor is not None:
            split.floors.append(floor)
            return True
        if fork.divide:
            found = dividing.get((package, version))
            if found is None:
                found = _dividing_markers(fork, provider, package, version, grid)
                dividing[(package, version)] = found
            split.markers += found
            # uv's local-version fork: torch 2.9.0+cpu has no macOS wheel, 2.9.0 has.
            for os in provider.base_platforms(package, version, allowed):
                marker = Condition.of(Marker(f"sys_platform == '{os}'"))
                inside = fork.region & marker
                if possible(inside, grid) and possible(fork.region & ~marker, grid):
                    split.markers.append(marker)
        return bool(split.markers)

    return stop


def _dividing_markers(
    fork: Fork, provider: ForkProvider, package: Package, version: Version, grid: Grid
) -> list[Condition]:
    """The markers under which `version` of `package` asks for one package differently
    enough to fork on: ranges no version satisfies together, under markers that exclude
    each other inside the fork; or, where the project itself asks (a constraint, a
    workspace member's requirement), ranges the solver would start from different
    releases of (`onnxruntime>=1.18`, and `onnxruntime<1.24` for Python 3.10): the
    marker of each that holds in only a part of the fork divides it, so the rest of the
    fork gets the newest release, as uv forks. Not for any package's metadata: uv forks
    there too, but tether's divisions restart the solve from a decision taken while
    backtracking, and on the corpus (autogen-ext: magika 1.0.1 tried, then left) that
    cost more agreement with uv than it won. Ranges that differ lower down (`>=3.45`
    here, `>=3.50` there) are served by one version anyway, and a division costs a solve
    per part."""
    if isinstance(provider.dependencies(package, version), Unavailable):
        return []
    by_name: dict[str, list[tuple[Marker | None, VersionRange, bool]]] = {}
    for edge in provider.edges.get((package, version), ()):
        if edge.versions is not None:
            by_name.setdefault(edge.child.name, []).append((edge.marker, edge.versions, edge.own))
    found: list[Condition] = []
    for name, asked in by_name.items():
        if len(asked) < 2 or all(marker is None for marker, _, _ in asked):
            continue
        for index, (marker, versions, own) in enumerate(asked):
            for other_marker, other_versions, other_own in asked[index + 1 :]:
                # Cheapest test first: most pairs overlap (`>=1.2` and `>=1.4`).
                apart = (versions & other_versions).is_empty
                if marker == other_marker or (
                    not apart
                    and (
                        not (own or other_own)
                        or same_top(versions, other_versions)
                        or _first_taken(provider, name, versions)
                        == _first_taken(provider, name, other_versions)
                    )
                ):
                    continue
                mine, theirs = Condition.of(marker), Condition.of(other_marker)
                here, there = fork.region & mine, fork.region & theirs
                if apart:
                    if here.disjoint(theirs) and possible(here, grid) and possible(there, grid):
                        found += [c for c in (mine, theirs) if c not in found]
                    continue
                found += [
                    c
                    for c in (mine, theirs)
                    if c not in found
                    and possible(fork.region & c, grid)
                    and possible(fork.region & ~c, grid)
                ]
    return found


def _first_taken(provider: ForkProvider, name: str, versions: VersionRange) -> Version | None:
    """The release the solver would try first for `name` within `versions`: where two
    ranges would start from the same release, a division changes nothing."""
    return next(
        (v for v in provider.versions(Package(name)) if versions.contains(v, prereleases=True)),
        None,
    )


def _split_floor(
    fork: Fork, provider: ForkProvider, package: Package, version: Version, allowed: VersionRange
) -> Release | None:
    """The Python floor inside the fork that `version` of `package` calls for, if any:
    its own (a candidate only its Requires-Python keeps out, the newest numpy below
    3.12), a newer release's, or where its wheels start."""
    own = provider.python_floor(package, version)
    wheels = provider.wheel_floor(package, version)
    ahead = provider.python_floors_ahead(package, version, allowed)
    return _first_inside(fork, [f for f in (own, *ahead, wheels) if f is not None])


def _decided_before(
    versions: Mapping[Package, Version], triggers: set[str]
) -> dict[str, frozenset[Version]]:
    """The versions decided before the first package that caused a split (the
    resolution lists its decisions in order): what the parts of the split share, as
    they would had the split happened at that point of the solve, as in uv."""
    found: dict[str, frozenset[Version]] = {}
    for package, version in versions.items():
        if package.name in triggers:
            break
        if package.extra is None and not package.is_root:
            found[package.name] = frozenset({version})
    return found


def _python_floors(
    fork: Fork, provider: ForkProvider, versions: Mapping[Package, Version]
) -> dict[Release, str]:
    """Python bounds inside the fork to split at, each with the package that asks."""
    allowed: dict[str, VersionRange] = {}
    for (parent, version), edges in provider.edges.items():
        if not parent.is_root and versions.get(parent) != version:
            continue  # a version the solver tried and left
        for edge in edges:
            if edge.versions is not None:
                allowed[edge.child.name] = allowed.get(edge.child.name, FULL) & edge.versions
    floors: dict[Release, str] = {}
    for package, version in versions.items():
        if package.extra is not None:
            continue
        floor = _split_floor(fork, provider, package, version, allowed.get(package.name, FULL))
        if floor is not None:
            floors.setdefault(floor, package.name)
    return floors


def _first_inside(fork: Fork, floors: Sequence[Release]) -> Release | None:
    """The most preferred floor that splits the fork (a release kept out by a floor
    above the fork's Pythons, numpy 2.3 in a fork below 3.11, says nothing there)."""
    return next((floor for floor in floors if fork.inside(floor)), None)
