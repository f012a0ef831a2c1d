"""The pieces of a universal resolution, pure: forks, what splits them, and which
combinations of conflicting extras and groups a lock must serve.

A *fork* is a part of the environments a lock serves (a *region*: platforms and a
Python range, as a `Condition`) under one *selection* of conflicting extras/groups.
Each fork is solved on its own, so each may pick its own versions: numpy 2.0 for
Python < 3.10 and numpy 2.3 above (uv's forking). Forks are split

- at the root, when the project asks for one package under different markers
  (`a>=2; sys_platform == 'linux'`, `a<2; sys_platform != 'linux'`);
- by Python version, when a newer release of a chosen package is kept out only by its
  `Requires-Python` floor inside the fork's Python range: above the floor it fits;
- below the root, after a fork failed, on the markers a package put on one dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.version import Version

from tether.resolve.condition import ALWAYS, Condition, Release
from tether.resolve.markers import Grid
from tether.resolve.package import Package
from tether.resolve.provider import Edge
from tether.resolve.version_set import same_top

# ("extras" | "dependency_groups", normalised name): one side of a declared conflict.
Toggle = tuple[str, str]


def toggle_condition(toggle: Toggle, *, on: bool) -> Condition:
    variable, name = toggle
    return Condition.of(f'"{name}" {"in" if on else "not in"} {variable}')


@dataclass(frozen=True, slots=True)
class Selection:
    """One way to honour the declared conflicts: which of their extras and groups are
    on (at most one per conflict) and which off, and the condition saying so."""

    condition: Condition
    on: frozenset[Toggle]
    off: frozenset[Toggle]


def conflict_selections(
    conflicts: Sequence[Sequence[Toggle]], *, required: Sequence[Toggle] = ()
) -> list[Selection]:
    """Each conflict set contributes "one of its items is on, the others off" or "all
    off"; sets multiply. With no conflicts there is one selection that excludes nothing.
    A conflict set equal to `required` (the torch backends) has no "all off"."""
    selections = [Selection(ALWAYS, frozenset(), frozenset())]
    for items in conflicts:
        expanded = []
        for selection in selections:
            choices: list[Toggle | None] = list(items)
            if not (required and set(items) == set(required)):
                choices.append(None)
            for chosen in choices:
                off = frozenset(i for i in items if i != chosen)
                on = frozenset() if chosen is None else frozenset({chosen})
                condition = selection.condition
                for item in on:
                    condition &= toggle_condition(item, on=True)
                for item in sorted(off):
                    condition &= toggle_condition(item, on=False)
                expanded.append(Selection(condition, selection.on | on, selection.off | off))
        selections = expanded
    return selections


def conflict_care(
    conflicts: Sequence[Sequence[Toggle]], *, required: Sequence[Toggle] = ()
) -> Condition:
    """The choices of extras and groups a user may make: at most one item of each
    conflict set on, exactly one of the `required` set (when it is declared)."""
    care = ALWAYS
    for items in conflicts:
        for first_index, first in enumerate(items):
            for second in items[first_index + 1 :]:
                care &= ~(toggle_condition(first, on=True) & toggle_condition(second, on=True))
        if required and set(items) == set(required):
            anyone = ~ALWAYS
            for item in items:
                anyone |= toggle_condition(item, on=True)
            care &= anyone
    return care


@dataclass(frozen=True, slots=True)
class Fork:
    """A region of environments under one selection, solved on its own. `prefer`: the
    versions tried first, the newest that fits first: what its parent fork had decided
    before the split (uv forks in the middle of a solve, so what was decided before the
    fork point is shared), and what the forks solved before it chose."""

    region: Condition
    selection: Selection
    prefer: Mapping[str, frozenset[Version]] = field(default_factory=dict)
    # The fork whose division on a dependency's markers made this one (kept by its
    # Python splits): solved whole again, without dividing, should a part fail.
    parent: Fork | None = field(default=None, compare=False)
    divide: bool = True  # whether a dependency's markers may divide it

    def preferring(self, chosen: Mapping[str, frozenset[Version]]) -> Fork:
        """This fork, also preferring `chosen` (what earlier forks chose, as uv carries
        each finished fork's versions to the next as preferences) where its parent had
        not decided."""
        if not chosen:
            return self
        prefer = {**chosen, **self.prefer}
        return Fork(self.region, self.selection, prefer, self.parent, self.divide)

    def _inherited(
        self, decided: Mapping[str, frozenset[Version]] | None
    ) -> Mapping[str, frozenset[Version]]:
        """What the parts of this fork prefer: what was decided before the split, and
        where that says nothing, what this fork itself preferred. A solve stopped at a
        split early on has decided little; its parts still prefer what its own parent
        had decided (uv's forks carry the whole state of the fork they came from), or
        they would walk again through releases the parent already ruled out
        (langflow's Python 3.13 part: 27,000 decisions for pydantic-ai's 300 releases,
        which the fork above it had ended at 0.0.41)."""
        if decided is None:
            return self.prefer
        return {**self.prefer, **decided}

    def descends_from(self, ancestor: Fork) -> bool:
        parent = self.parent
        while parent is not None:
            if parent is ancestor:
                return True
            parent = parent.parent
        return False

    def undivided(self) -> Fork:
        """This fork to be solved whole: no division on markers inside it."""
        return Fork(self.region, self.selection, self.prefer, self.parent, divide=False)

    @property
    def condition(self) -> Condition:
        return self.region & self.selection.condition

    def python_range(self) -> tuple[Release | None, Release | None]:
        """The lowest and the highest-but-one Python the region admits (None: open)."""
        return self.region.python_hull()

    def requires_python(self, project: str) -> str:
        """The project's `requires-python` narrowed to this fork's Python range: what
        every `Requires-Python` check inside the fork is made against."""
        lower, upper = self.python_range()
        parts = [project] if project else []
        if lower is not None:
            parts.append(f">={_text(lower)}")
        if upper is not None:
            parts.append(f"<{_text(upper)}")
        return ",".join(parts)

    def inside(self, bound: Release) -> bool:
        """Whether splitting at Python `bound` leaves something on both sides."""
        below, above = Condition.python(None, bound), Condition.python(bound, None)
        return not (self.region & below).is_never and not (self.region & above).is_never

    def split_python(
        self, bounds: Iterable[Release], prefer: Mapping[str, frozenset[Version]] | None = None
    ) -> list[Fork]:
        """This fork cut at each Python bound inside its range, highest part first (a
        failure there is explained without the releases older Pythons cannot use)."""
        edges = sorted({b for b in bounds if self.inside(b)})
        shared = self._inherited(prefer)
        parts = []
        lower: Release | None = None
        for upper in [*edges, None]:
            part = self.region & Condition.python(lower, upper)
            if not part.is_never:
                parts.append(Fork(part, self.selection, shared, self.parent, self.divide))
            lower = upper
        return parts[::-1] or [self]

    def split_on(
        self, markers: Sequence[Condition], grid: Grid, prefer: Mapping[str, frozenset[Version]]
    ) -> list[Fork]:
        """This fork cut where each of `markers` holds or not (the parts that can
        occur), each preferring `prefer`, what was decided before the split (and what
        this fork preferred, `_inherited`)."""
        shared = self._inherited(prefer)
        parts = [
            Fork(self.region & part, self.selection, shared, parent=self)
            for part in regions(markers, grid, limit=len(markers))
            if possible(self.region & part, grid)
        ]
        # Newest Pythons first, as everywhere (uv sorts every split so).
        parts.sort(key=lambda part: part.python_range()[0] or (0, 0, 0), reverse=True)
        return parts or [self]


def possible(condition: Condition, grid: Grid) -> bool:
    """Whether some environment of the grid (or one naming a platform the condition
    itself names) lies in `condition`."""
    if condition.is_never:
        return False
    text = condition.text()
    return text is None or grid.possible(Marker(text))


def root_splitters(
    requirements: Iterable[tuple[str, Condition, VersionRange]],
) -> list[Condition]:
    """The conditions to fork on at the root, each `(name, condition, versions)` one
    requirement's own marker and range: a package asked for under conditions that
    exclude each other (`a>=2; sys_platform == 'linux'`, `a<2; sys_platform !=
    'linux'`), or under overlapping ones with ranges whose tops differ (`onnxruntime`,
    and the constraint `onnxruntime<1.24; python_version < "3.11"`): the newest
    release then differs from one part to the other, as in uv's forks. Overlapping
    conditions over ranges that end alike (outlines for "not macOS x86_64" in one
    extra, for "macOS arm64" in another) are no reason to fork: one version serves
    both where they meet anyway."""
    by_name: dict[str, list[tuple[Condition, VersionRange]]] = {}
    for name, condition, versions in requirements:
        if condition.is_never:
            continue
        known = by_name.setdefault(name, [])
        if (condition, versions) not in known:
            known.append((condition, versions))
    found = _disjoint_pairs(
        list(dict.fromkeys(condition for condition, _ in asked)) for asked in by_name.values()
    )
    for asked in by_name.values():
        for index, (condition, versions) in enumerate(asked):
            for other, other_versions in asked[index + 1 :]:
                if condition == other or same_top(versions, other_versions):
                    continue
                found += [c for c in (condition, other) if not c.is_always and c not in found]
    return found


def _disjoint_pairs(groups: Iterable[list[Condition]]) -> list[Condition]:
    """Every condition that excludes another of its group, once each."""
    found: list[Condition] = []
    for conditions in groups:
        for index, condition in enumerate(conditions):
            others = conditions[:index] + conditions[index + 1 :]
            disjoint = any(condition.disjoint(other) for other in others)
            if disjoint and condition not in found and not condition.is_always:
                found.append(condition)
    return found


def edge_splitters(edges: Mapping[tuple[Package, Version], Sequence[Edge]]) -> list[Condition]:
    """Conditions to fork on below the root: a package that depends on one name under
    different markers (`b>=2; implementation_name == 'cpython'`, `b<2; ... 'pypy'`).
    Used after a fork failed: splitting on them may let each part succeed."""
    found: list[Condition] = []
    for (parent, _), children in sorted(edges.items(), key=lambda item: str(item[0])):
        if parent.is_root:
            continue
        by_name: dict[str, list[Condition]] = {}
        for edge in children:
            condition = Condition.of(edge.marker)
            known = by_name.setdefault(edge.child.name, [])
            if condition not in known:
                known.append(condition)
        found += [c for c in _disjoint_pairs(by_name.values()) if c not in found]
    return found


def regions(splitters: Sequence[Condition], grid: Grid, *, limit: int) -> list[Condition]:
    """Every combination of the splitters holding or not that can occur."""
    found = [ALWAYS]
    for splitter in splitters[:limit]:
        found = [
            part
            for previous in found
            for part in (previous & splitter, previous & ~splitter)
            if possible(part, grid)
        ]
    unique: list[Condition] = []
    for region in found:
        if region not in unique:
            unique.append(region)
    return unique


def _text(release: Release) -> str:
    major, minor, micro = release
    return f"{major}.{minor}.{micro}" if micro else f"{major}.{minor}"
