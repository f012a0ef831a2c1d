"""Under which environments each locked package is needed: its PEP 751 `marker`. Pure.

A package's marker is the disjunction, over the edges that reach it, of the parent's
marker and the edge's marker; the root's is "always". Cycles make this a fixpoint,
reached when no package's truth table changes on the grid of environments (extended
with the project's extras and groups switched on one at a time, and all together).
Markers true everywhere are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from packaging.markers import Marker
from packaging.version import Version

from tether.resolve import Package
from tether.resolve.markers import Grid, conjoin, disjoin, evaluate_each
from tether.resolve.provider import Edge

MAX_ROUNDS = 64


def package_markers(
    *,
    root: Package,
    root_version: Version,
    versions: Mapping[Package, Version],
    edges: Mapping[tuple[Package, Version], Sequence[Edge]],
    grid: Grid,
    extras: Sequence[str],
    groups: Sequence[str],
    required: Sequence[str] = (),
) -> dict[str, Marker | None]:
    """Marker per locked (base) package name."""
    contexts = _contexts(extras, groups, required=required)
    chosen = {root: root_version, **versions}
    markers: dict[Package, Marker | None] = {root: None}
    truth: dict[Package, frozenset[tuple[int, int]]] = {root: _everything(grid, contexts)}
    for _ in range(MAX_ROUNDS):
        incoming: dict[Package, list[Marker | None]] = {}
        for parent, version in chosen.items():
            if parent not in markers:
                continue
            for edge in edges.get((parent, version), ()):
                if edge.child in chosen:
                    incoming.setdefault(edge.child, []).append(
                        conjoin(markers[parent], edge.marker)
                    )
        changed = False
        for child, candidates in incoming.items():
            combined = disjoin(candidates)
            table = _truth(grid, contexts, None if combined is None else str(combined))
            if truth.get(child) != table:
                truth[child] = table
                markers[child] = None if table == truth[root] else combined
                changed = True
        if not changed:
            break
    by_name: dict[str, list[Marker | None]] = {}
    for package, marker in markers.items():
        if not package.is_root:
            by_name.setdefault(package.name, []).append(marker)
    result = {}
    for name, found in by_name.items():
        combined = disjoin(found)
        table = _truth(grid, contexts, None if combined is None else str(combined))
        result[name] = None if table == truth[root] else combined
    return result


def always(
    marker: Marker,
    *,
    grid: Grid,
    extras: Sequence[str],
    groups: Sequence[str],
    conflicting: bool,
    required: Sequence[str] = (),
) -> bool:
    """Whether `marker` holds in every environment and every choice of extras/groups."""
    contexts = _contexts(extras, groups, conflicting=conflicting, required=required)
    return _truth(grid, contexts, str(marker)) == _everything(grid, contexts)


def _contexts(
    extras: Sequence[str],
    groups: Sequence[str],
    *,
    conflicting: bool = False,
    required: Sequence[str] = (),
) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Choices of extras and groups to evaluate markers under: none, each alone, and all
    together (left out when some of them conflict: that choice is not allowed). With
    `required` extras (torch backend selectors), each choice has exactly one of them on."""
    free = [e for e in extras if e not in required]
    options: list[tuple[frozenset[str], frozenset[str]]] = [(frozenset(), frozenset())]
    options += [(frozenset({e}), frozenset()) for e in free]
    options += [(frozenset(), frozenset({g})) for g in groups]
    if not conflicting:
        options.append((frozenset(free), frozenset(groups)))
    if required:
        options = [(chosen | {r}, group) for chosen, group in options for r in required]
    return tuple(options)


def _everything(grid: Grid, contexts: Sequence[object]) -> frozenset[tuple[int, int]]:
    return frozenset((p, c) for p in range(len(grid.points)) for c in range(len(contexts)))


@lru_cache(maxsize=65536)
def _truth(
    grid: Grid, contexts: tuple[tuple[frozenset[str], frozenset[str]], ...], marker: str | None
) -> frozenset[tuple[int, int]]:
    if marker is None:
        return _everything(grid, contexts)
    environments = [
        {**point, "extras": extras, "dependency_groups": groups}
        for extras, groups in contexts
        for point in grid.points
    ]
    answers = evaluate_each(marker, environments, context="lock_file")
    width = len(grid.points)
    return frozenset(divmod(i, width)[::-1] for i, answer in enumerate(answers) if answer)
