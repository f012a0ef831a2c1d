"""Universal resolution on in-memory universes: forks by Python version (newest release
per Python range), fork-local Python ranges, splitting after a failure, selections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pytest
from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.requirements import Requirement
from packaging.version import Version

from tether.errors import ResolutionError
from tether.resolve import Available, Dependency, Package, Unavailable
from tether.resolve.condition import ALWAYS, Condition, Release, specifier_floor
from tether.resolve.forks import (
    Fork,
    Selection,
    conflict_care,
    conflict_selections,
    edge_splitters,
    possible,
    regions,
    root_splitters,
)
from tether.resolve.markers import Grid, substitute
from tether.resolve.provider import Edge
from tether.resolve.universal import UniversalRequest, merged_regions, solve_universal
from tether.resolve.version_set import exactly, from_specifier

# name -> version -> (requires-python, [requirements])
Universe = Mapping[str, Mapping[str, tuple[str, Sequence[str]]]]
ROOT = Package.root("app")


class ForkedProvider:
    """A provider for one fork of an in-memory universe: releases whose Requires-Python
    floor lies above the fork's lowest Python are unusable (and say their floor)."""

    def __init__(self, universe: Universe, root: Sequence[str], fork: Fork, project: str):
        self.universe = universe
        self.root = [Requirement(r) for r in root]
        self.python = fork.requires_python(project)
        self.grid = Grid.build(self.python, [t] if (t := fork.region.text()) else [])
        self.prefer = fork.prefer
        self.region = fork.region
        self._edges: dict[tuple[Package, Version], tuple[Edge, ...]] = {}

    @property
    def edges(self) -> Mapping[tuple[Package, Version], Sequence[Edge]]:
        return self._edges

    def versions(self, package: Package) -> Sequence[Version]:
        """Newest first, the versions the fork prefers ahead of the rest (as tether's
        index provider orders them)."""
        newest = sorted((Version(v) for v in self.universe.get(package.name, {})), reverse=True)
        preferred = self.prefer.get(package.name, frozenset())
        return sorted(newest, key=lambda v: v not in preferred)

    def _floor(self, package: Package, version: Version) -> Release | None:
        releases = self.universe[package.name]
        python = next(p for v, (p, _) in releases.items() if Version(v) == version)
        floor = specifier_floor(python)
        lowest = specifier_floor(self.python) or (0, 0, 0)
        return floor if floor is not None and floor > lowest else None

    def dependencies(self, package: Package, version: Version) -> Available | Unavailable:
        if package.is_root:
            requirements = self.root
        else:
            if self._floor(package, version) is not None:
                return Unavailable("requires a newer Python")
            if package.name.startswith("win-wheels") and not possible(
                WINDOWS & self.region, self.grid
            ):
                return Unavailable("has no wheel for the platforms this lock serves here")
            if (
                package.name.startswith("no-win")
                and version.major >= 2  # the universe's convention
                and not possible(~WINDOWS & self.region, self.grid)
            ):
                return Unavailable("has no Windows wheel")
            releases = self.universe[package.name]
            requirements = [
                Requirement(r)
                for v, (_, rs) in releases.items()
                if Version(v) == version
                for r in rs
            ]
        dependencies, edges = [], []
        for requirement in requirements:
            own = substitute(requirement.marker, extra=None)
            if own is False or (own is not True and not self.grid.possible(own)):
                continue
            versions = from_specifier(str(requirement.specifier))
            child = Package(requirement.name)
            dependencies.append(Dependency(child, versions))
            edges.append(Edge(child, None if own is True else own, versions))
        self._edges[(package, version)] = tuple(edges)
        return Available(tuple(dependencies))

    def prefetch(self, packages: Iterable[Package]) -> None:
        pass

    def python_floors_ahead(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> list[Release]:
        found = []
        for candidate in self.versions(package):
            if candidate == version:
                break
            floor = self._floor(package, candidate)
            if floor is not None and allowed.contains(candidate):
                found.append(floor)
        return found

    def wheel_floor(self, package: Package, version: Version) -> Release | None:
        return None

    def base_platforms(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> tuple[str, ...]:
        return ()

    def python_floor(self, package: Package, version: Version) -> Release | None:
        return self._floor(package, version)

    def held_back(self, name: str, version: Version) -> bool:
        """`no-win` releases from 2 on have no Windows wheel."""
        return (
            name.startswith("no-win")
            and version.major < 2  # the universe's convention
            and not possible(~WINDOWS & self.region, self.grid)
            and any(Version(v).major >= 2 for v in self.universe[name])
        )

    def python_floors(self, name: str) -> list[Release]:
        found = []
        for candidate in self.versions(Package(name)):
            floor = self._floor(Package(name), candidate)
            if floor is None:
                break
            found.append(floor)
        return found


def resolve(
    universe: Universe, root: Sequence[str], project: str = ">=3.9"
) -> dict[str, list[tuple[str, str | None]]]:
    """Package -> [(version, marker)] over every fork, as a lock would hold them."""
    care = Condition.requires_python(project)
    grid = Grid.build(project)
    forks = [Fork(care, Selection(ALWAYS, frozenset(), frozenset()))]
    solved = solve_universal(
        UniversalRequest(root=ROOT, version=Version("1"), forks=forks, grid=grid, care=care),
        lambda fork: ForkedProvider(universe, root, fork, project),
    )
    found: dict[tuple[str, Version], Condition] = {}
    for answer in solved:
        for package, version in answer.versions.items():
            key = (package.name, version)
            found[key] = found.get(key, ~ALWAYS) | answer.fork.condition
    result: dict[str, list[tuple[str, str | None]]] = {}
    for (name, version), condition in sorted(found.items()):
        result.setdefault(name, []).append((str(version), condition.text(care)))
    return result


WINDOWS = Condition.of("sys_platform == 'win32'")

NUMPY = {
    "2.0.2": (">=3.9", []),
    "2.2.6": (">=3.10", []),
    "2.3.5": (">=3.11", []),
}


def test_newest_release_per_python_range() -> None:
    """uv's Requires-Python forks: numpy 2.0 for 3.9, 2.2 for 3.10, 2.3 above."""
    assert resolve({"numpy": NUMPY}, ["numpy"]) == {
        "numpy": [
            ("2.0.2", 'python_full_version < "3.10"'),
            ("2.2.6", 'python_full_version == "3.10.*"'),
            ("2.3.5", 'python_full_version >= "3.11"'),
        ]
    }


def test_a_dependency_only_newer_pythons_can_use_gets_its_own_range() -> None:
    """Every recent release of `modern` says >=3.10: a >=3.9 project still locks,
    with `modern` where it fits (uv gives it a python_full_version >= "3.10" branch)."""
    universe = {
        "app-lib": {"1.0": (">=3.9", ["modern; python_version >= '3.10'"])},
        "modern": {"1.0": (">=3.10", []), "2.0": (">=3.10", [])},
    }
    assert resolve(universe, ["app-lib"]) == {
        "app-lib": [("1.0", None)],
        "modern": [("2.0", 'python_full_version >= "3.10"')],
    }


def test_requirements_inside_a_python_fork_use_its_range() -> None:
    """`numpy>=2.3; python_version >= '3.11'` in a `>=3.10` project: inside the fork
    where the requirement applies, Python is >=3.11, so numpy 2.3 fits."""
    result = resolve({"numpy": NUMPY}, ["numpy>=2.3; python_version >= '3.11'"], ">=3.10")
    assert result == {"numpy": [("2.3.5", 'python_full_version >= "3.11"')]}


def test_forks_that_end_alike_are_recorded_as_one() -> None:
    universe = {"numpy": NUMPY, "other": {"1.0": (">=3.9", [])}}
    care = Condition.requires_python(">=3.9")
    grid = Grid.build(">=3.9")
    forks = [Fork(care, Selection(ALWAYS, frozenset(), frozenset()))]
    solved = solve_universal(
        UniversalRequest(root=ROOT, version=Version("1"), forks=forks, grid=grid, care=care),
        lambda fork: ForkedProvider(universe, ["other"], fork, ">=3.9"),
    )
    assert len(solved) == 1
    assert [c.text(care) for c in merged_regions(solved)] == [None]


def test_a_fork_with_no_solution_names_where() -> None:
    """The failure is tried in smaller Python ranges first (a newer release might fit
    above its floor); the one that still fails is named."""
    universe = {"numpy": NUMPY}
    with pytest.raises(ResolutionError) as info:
        resolve(universe, ["numpy>=3; python_version < '3.11'"], ">=3.9")
    assert info.value.__notes__[-1] == (
        'while resolving for environments where python_full_version == "3.10.*"'
    )
    assert "numpy>=3 which doesn't match any versions" in info.value.explanation


def test_root_splitters_fork_on_one_package_under_two_markers() -> None:
    linux, other = Condition.of('sys_platform == "linux"'), Condition.of('sys_platform != "linux"')
    any_a = from_specifier("")
    found = root_splitters([("a", linux, any_a), ("a", other, any_a), ("b", ALWAYS, any_a)])
    assert found == [linux, other]
    parts = regions(found, Grid.build(">=3.11"), limit=3)
    assert sorted(p.text() or "" for p in parts) == [
        'sys_platform != "linux"',
        'sys_platform == "linux"',
    ]


def test_root_splitters_fork_where_a_range_is_capped_under_a_marker_only() -> None:
    # `onnxruntime>=1.18`, and the constraint `onnxruntime<1.24; python_version <
    # "3.11"`: the newest onnxruntime for Python 3.11 and later is not capped (uv forks).
    old_python = Condition.of('python_version < "3.11"')
    found = root_splitters(
        [
            ("onnxruntime", ALWAYS, from_specifier(">=1.18")),
            ("onnxruntime", old_python, from_specifier("<1.24")),
        ]
    )
    assert found == [old_python]
    # Ranges that end alike need no fork: one version serves both.
    windows = Condition.of('sys_platform == "win32"')
    alike = [("a", ALWAYS, from_specifier(">=1")), ("a", windows, from_specifier(">=2,!=2.1"))]
    assert root_splitters(alike) == []


def test_edge_splitters() -> None:
    parent = (Package("b"), Version("1.0"))
    edges = {
        parent: (
            Edge(Package("c"), Marker("implementation_name == 'cpython'"), exactly(Version("2"))),
            Edge(Package("c"), Marker("implementation_name == 'pypy'"), exactly(Version("1"))),
        )
    }
    assert [s.text() for s in edge_splitters(edges)] == [
        'implementation_name == "cpython"',
        'implementation_name == "pypy"',
    ]


def test_conflict_selections_and_their_care_set() -> None:
    cpu, gpu = ("extras", "cpu"), ("extras", "gpu")
    selections = conflict_selections([[cpu, gpu]])
    assert [s.condition.text() for s in selections] == [
        '"cpu" in extras and "gpu" not in extras',
        '"cpu" not in extras and "gpu" in extras',
        '"cpu" not in extras and "gpu" not in extras',
    ]
    required = conflict_selections([[cpu, gpu]], required=[cpu, gpu])
    assert len(required) == 2  # one backend is always on
    care = conflict_care([[cpu, gpu]], required=[cpu, gpu])
    assert Condition.of('"gpu" not in extras').text(care) == '"cpu" in extras'


def test_forks_of_older_pythons_prefer_what_newer_ones_chose() -> None:
    """uv solves the newest Pythons first and carries each finished fork's versions to
    the next as preferences: numpy 2.3 (3.11+) asks for helper<2, so helper 1.0 serves
    every Python, not helper 1.0 above 3.11 and 2.0 below."""
    universe = {
        "numpy": {"2.0.2": (">=3.9", []), "2.3.5": (">=3.11", ["helper<2"])},
        "helper": {"1.0": (">=3.9", []), "2.0": (">=3.9", [])},
    }
    assert resolve(universe, ["numpy", "helper"]) == {
        "helper": [("1.0", None)],
        "numpy": [
            ("2.0.2", 'python_full_version < "3.11"'),
            ("2.3.5", 'python_full_version >= "3.11"'),
        ],
    }


def test_the_parts_of_a_split_still_prefer_what_the_fork_preferred() -> None:
    """A fork stopped at a split early on has decided little; its parts prefer what it
    decided and, where it decided nothing, what it preferred itself (what its parent
    had decided): langflow's Python 3.13 part otherwise walked pydantic-ai's 300
    releases again, which the fork above it had ended at 0.0.41."""
    inherited = {
        "pydantic-ai": frozenset({Version("0.0.41")}),
        "numpy": frozenset({Version("2.0")}),
    }
    decided = {"numpy": frozenset({Version("2.3")})}
    fork = Fork(Condition.requires_python(">=3.10"), Selection(ALWAYS, frozenset(), frozenset()))
    fork = fork.preferring(inherited)
    expected = {"pydantic-ai": frozenset({Version("0.0.41")}), "numpy": frozenset({Version("2.3")})}
    by_python = fork.split_python([(3, 12, 0)], decided)
    by_marker = fork.split_on([WINDOWS], Grid.build(">=3.10"), decided)
    assert len(by_python) == 2
    assert len(by_marker) == 2
    assert all(part.prefer == expected for part in [*by_python, *by_marker])
    assert all(part.prefer == inherited for part in fork.split_python([(3, 12, 0)]))


SQLEAN_SPLIT = [
    "sqlean<3.50; sys_platform == 'win32'",
    "sqlean>=3.50; sys_platform != 'win32'",
]


def test_a_dependency_asked_for_differently_under_exclusive_markers_divides_the_fork() -> None:
    """arize-phoenix asks for sqlean-py<3.50 on Windows and >=3.50 elsewhere: uv forks
    there, so the newest arize-phoenix serves every platform (one fork would take both
    requirements at once and fall back to an older release)."""
    universe = {
        "phoenix": {"1.0": (">=3.9", SQLEAN_SPLIT), "0.9": (">=3.9", ["sqlean"])},
        "sqlean": {"3.49": (">=3.9", []), "3.50": (">=3.9", [])},
    }
    assert resolve(universe, ["phoenix"]) == {
        "phoenix": [("1.0", None)],
        "sqlean": [("3.49", 'sys_platform == "win32"'), ("3.50", 'sys_platform != "win32"')],
    }


def test_a_divided_fork_whose_part_has_no_answer_is_solved_whole() -> None:
    """A part of the division too narrow for some release (no wheel for its platforms)
    fails: the fork is solved as it was before the division, not given up."""
    universe = {
        "phoenix": {
            "1.0": (">=3.9", [*SQLEAN_SPLIT, "win-wheels"]),
            "0.9": (">=3.9", ["sqlean", "win-wheels"]),
        },
        "sqlean": {"3.49": (">=3.9", []), "3.50": (">=3.9", [])},
        "win-wheels": {"1.0": (">=3.9", [])},
    }
    assert resolve(universe, ["phoenix"]) == {
        "phoenix": [("0.9", None)],
        "sqlean": [("3.50", None)],
        "win-wheels": [("1.0", None)],
    }


def test_a_release_one_platform_cannot_install_is_not_taken_for_the_others() -> None:
    """napari's torch: the newest has no wheel for one platform (macOS x86_64 there,
    Windows here), where an older release is taken. The other forks keep the newest:
    a release taken for want of wheels is not carried to them as a preference, as
    one taken for a requirement is."""
    universe = {
        "kernels": {"1.0": (">=3.9", SQLEAN_SPLIT)},
        "sqlean": {"3.49": (">=3.9", []), "3.50": (">=3.9", [])},
        "no-win-torch": {"1.9": (">=3.9", []), "2.15": (">=3.9", [])},
    }
    assert resolve(universe, ["kernels", "no-win-torch"])["no-win-torch"] == [
        ("1.9", 'sys_platform == "win32"'),
        ("2.15", 'sys_platform != "win32"'),
    ]
