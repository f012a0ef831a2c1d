"""The examples of pub's doc/solver.md, with caret ranges written the PEP 440 way
(`^1.0.0` is `>=1.0.0,<2.0.0`). Each solution or explanation is asserted whole."""

from __future__ import annotations

import pytest

from tests.unit.resolve.universe import solve_universe
from tether.errors import ResolutionError

CARET1 = ">=1.0.0,<2.0.0"
CARET2 = ">=2.0.0,<3.0.0"
CARET3 = ">=3.0.0,<4.0.0"


def fail(universe: dict[str, dict[str, dict[str, str]]], root: dict[str, str]) -> str:
    with pytest.raises(ResolutionError) as info:
        solve_universe(universe, root)
    return info.value.explanation


def test_no_conflicts() -> None:
    universe = {
        "foo": {"1.0.0": {"bar": CARET1}},
        "bar": {"1.0.0": {}, "2.0.0": {}},
    }
    assert solve_universe(universe, {"foo": CARET1}) == {"bar": "1.0.0", "foo": "1.0.0"}


def test_avoiding_conflict_during_decision_making() -> None:
    universe = {
        "foo": {"1.1.0": {"bar": CARET2}, "1.0.0": {}},
        "bar": {"1.0.0": {}, "1.1.0": {}, "2.0.0": {}},
    }
    assert solve_universe(universe, {"foo": CARET1, "bar": CARET1}) == {
        "bar": "1.1.0",
        "foo": "1.0.0",
    }


def test_performing_conflict_resolution() -> None:
    universe = {
        "foo": {"2.0.0": {"bar": CARET1}, "1.0.0": {}},
        "bar": {"1.0.0": {"foo": CARET1}},
    }
    assert solve_universe(universe, {"foo": ">=1.0.0"}) == {"foo": "1.0.0"}


def test_conflict_resolution_with_a_partial_satisfier() -> None:
    universe = {
        "foo": {"1.1.0": {"left": CARET1, "right": CARET1}, "1.0.0": {}},
        "left": {"1.0.0": {"shared": ">=1.0.0"}},
        "right": {"1.0.0": {"shared": "<2.0.0"}},
        "shared": {"2.0.0": {}, "1.0.0": {"target": CARET1}},
        "target": {"2.0.0": {}, "1.0.0": {}},
    }
    assert solve_universe(universe, {"foo": CARET1, "target": CARET2}) == {
        "foo": "1.0.0",
        "target": "2.0.0",
    }


def test_linear_error_reporting() -> None:
    universe = {
        "foo": {"1.0.0": {"bar": CARET2}},
        "bar": {"2.0.0": {"baz": CARET3}},
        "baz": {"1.0.0": {}, "3.0.0": {}},
    }
    assert fail(universe, {"foo": CARET1, "baz": CARET1}) == (
        "Because every version of foo depends on bar>=2.0.0,<3.0.0 which depends on "
        "baz>=3.0.0,<4.0.0, every version of foo requires baz>=3.0.0,<4.0.0.\n"
        "So, because root depends on both foo>=1.0.0,<2.0.0 and baz>=1.0.0,<2.0.0, "
        "version solving failed."
    )


def test_branching_error_reporting() -> None:
    universe = {
        "foo": {
            "1.0.0": {"a": CARET1, "b": CARET1},
            "1.1.0": {"x": CARET1, "y": CARET1},
        },
        "a": {"1.0.0": {"b": CARET2}},
        "b": {"1.0.0": {}, "2.0.0": {}},
        "x": {"1.0.0": {"y": CARET2}},
        "y": {"1.0.0": {}, "2.0.0": {}},
    }
    assert fail(universe, {"foo": CARET1}) == (
        "    Because foo<1.1.0 depends on a>=1.0.0,<2.0.0 which depends on b>=2.0.0,<3.0.0, "
        "foo<1.1.0 requires b>=2.0.0,<3.0.0.\n"
        "(1) So, because foo<1.1.0 depends on b>=1.0.0,<2.0.0, foo<1.1.0 is forbidden.\n"
        "\n"
        "    Because foo>=1.1.0 depends on x>=1.0.0,<2.0.0 which depends on y>=2.0.0,<3.0.0, "
        "foo>=1.1.0 requires y>=2.0.0,<3.0.0.\n"
        "    And because foo>=1.1.0 depends on y>=1.0.0,<2.0.0, foo>=1.1.0 is forbidden.\n"
        "    And because foo<1.1.0 is forbidden (1), foo is forbidden.\n"
        "    So, because root depends on foo>=1.0.0,<2.0.0, version solving failed."
    )
