"""Constraints in one fork: outright where their marker always holds, dropped where it
never does, a requirement of their own where it holds in part."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.version import Version

from tether.provider.bounds import Bounds
from tether.resolve.markers import Grid
from tether.resolve.version_set import from_specifier


def bounds(grid: Grid, *constraints: str) -> Bounds:
    return Bounds.of([Requirement(c) for c in constraints], grid)


def test_constraints_without_a_marker_bound_together() -> None:
    found = bounds(Grid.build(">=3.10"), "engine<3", "engine>=1.5", "other==1")
    assert found.always["engine"] == from_specifier(">=1.5,<3")
    assert found.allows("engine", Version("2"))
    assert not found.allows("engine", Version("3"))
    assert found.allows("unconstrained", Version("9"))
    assert found.partial == {}


def test_a_marker_the_fork_never_meets_drops_the_constraint() -> None:
    found = bounds(Grid.build(">=3.12"), 'engine<2; python_version < "3.11"')
    assert found.always == {}
    assert found.partial == {}


def test_a_marker_that_always_holds_in_the_fork_bounds_outright() -> None:
    found = bounds(Grid.build(">=3.10,<3.11"), 'engine<2; python_version < "3.11"')
    assert found.always["engine"] == from_specifier("<2")


def test_a_marker_that_holds_in_part_of_the_fork_is_kept_with_it() -> None:
    found = bounds(Grid.build(">=3.10"), 'engine<2; python_version < "3.11"')
    assert found.always == {}
    ((marker, versions),) = found.partial["engine"]
    assert str(marker) == 'python_version < "3.11"'
    assert versions == from_specifier("<2")
