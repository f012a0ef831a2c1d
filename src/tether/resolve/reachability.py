"""Under which environments each locked package is needed: its PEP 751 `marker`. Pure.

A package's condition is the union, over the edges that reach it, of the parent's
condition and the edge's marker; the root's is "always". Cycles make this a fixpoint,
reached by a worklist: a package's condition only grows, and the conditions are exact
sets (`resolve.condition`), so "did it change?" is an equality test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.version import Version

from tether.resolve.condition import ALWAYS, NEVER, Condition
from tether.resolve.package import Package
from tether.resolve.provider import Edge


def package_conditions(
    *,
    root: Package,
    root_version: Version,
    versions: Mapping[Package, Version],
    edges: Mapping[tuple[Package, Version], Sequence[Edge]],
) -> dict[str, Condition]:
    """The condition per locked (base) package name, within one fork."""
    chosen = {root: root_version, **versions}
    reach: dict[Package, Condition] = {root: ALWAYS}
    pending = [root]
    while pending:
        parent = pending.pop()
        for edge in edges.get((parent, chosen[parent]), ()):
            if edge.child not in chosen:
                continue
            before = reach.get(edge.child, NEVER)
            after = before | (reach[parent] & Condition.of(edge.marker))
            if after != before:
                reach[edge.child] = after
                pending.append(edge.child)
    by_name: dict[str, Condition] = {}
    for package, condition in reach.items():
        if not package.is_root:
            by_name[package.name] = by_name.get(package.name, NEVER) | condition
    return by_name
