"""Partial evaluation of markers: what `tether export` and the lock's extras rely on."""

from __future__ import annotations

import pytest
from packaging.markers import Marker

from tether.resolve.markers import Grid, evaluate_each, select, substitute

LOCKED = Marker('"dev" in dependency_groups and sys_platform == "win32" or "gpu" in extras')


@pytest.mark.parametrize(
    ("extras", "groups", "expected"),
    [
        ((), ("dev",), 'sys_platform == "win32"'),
        ((), (), False),
        (("GPU",), (), True),
        (("gpu",), ("dev",), True),
    ],
)
def test_select_decides_extras_and_groups(
    extras: tuple[str, ...], groups: tuple[str, ...], expected: str | bool
) -> None:
    result = select(LOCKED, extras=extras, groups=groups)
    assert (str(result) if isinstance(result, Marker) else result) == expected


def test_select_handles_not_in_and_leaves_other_markers() -> None:
    marker = Marker('"docs" not in dependency_groups and python_version >= "3.12"')
    assert str(select(marker, extras=(), groups=())) == 'python_version >= "3.12"'
    assert select(marker, extras=(), groups=("docs",)) is False
    assert select(None, extras=(), groups=()) is True


def test_substitute_decides_the_extra_variable() -> None:
    marker = Marker('extra == "a" and python_version < "3.12"')
    assert str(substitute(marker, extra="a")) == 'python_version < "3.12"'
    assert substitute(marker, extra=None) is False


def test_grid_for_one_exact_interpreter_has_its_version() -> None:
    """A build environment resolves for one interpreter (`==3.11.2`); a grid without
    that point would drop every marker-conditional requirement (mypy's librt)."""
    from tether.resolve.markers import Grid

    grid = Grid.build("==3.11.2", ["sys_platform == 'linux' and implementation_name == 'cpython'"])
    assert grid.points
    assert {p["python_full_version"] for p in grid.points} == {"3.11.2"}
    assert {p["platform_python_implementation"] for p in grid.points} == {"CPython"}


@pytest.mark.parametrize(
    "marker",
    [
        'platform_release >= "20.0"',
        'platform_release > "20.0"',
        'platform_release < "20"',
        '"microsoft" in platform_release',
        'platform_version == "#1 SMP" and sys_platform == "linux"',
    ],
)
def test_a_marker_on_the_kernel_release_can_hold(marker: str) -> None:
    """The grid cannot know `platform_release` / `platform_version` (every point holds
    ""): a comparison on them may hold somewhere, so its requirement is kept."""
    assert Grid.build(">=3.10").possible(Marker(marker))


def test_a_kernel_release_does_not_make_an_impossible_platform_possible() -> None:
    marker = 'platform_release >= "20" and sys_platform == "linux" and sys_platform == "win32"'
    assert not Grid.build(">=3.10").possible(Marker(marker))


def test_evaluate_each_answers_per_environment() -> None:
    environments = [
        {"sys_platform": platform, "python_version": python, "python_full_version": python}
        for platform in ("linux", "win32", "darwin")
        for python in ("3.11", "3.12")
    ]
    answers = evaluate_each('sys_platform == "linux" and python_version >= "3.12"', environments)
    assert answers == [False, True, False, False, False, False]
    # A comparison that is not defined in an environment (no `extras` here) does not hold.
    assert evaluate_each('"x" in extras', environments[:2], context="lock_file") == [False, False]
    assert evaluate_each('"x" in extras', [{"extras": frozenset({"x"})}], context="lock_file") == [
        True
    ]


@pytest.mark.parametrize(
    ("environments", "reaches"),
    [
        ((), False),  # unrestricted: the listed platforms stand for all
        (("python_full_version >= '3.12'",), False),  # a Python range leaves none out
        (("sys_platform == 'darwin' and platform_machine == 'x86_64'",), False),
        (("sys_platform == 'linux'",), True),  # Linux on a CPU the grid does not list
        (("sys_platform != 'darwin' and sys_platform != 'linux' and sys_platform != 'win32'"
          " or sys_platform == 'darwin' and platform_machine != 'arm64'",), True),
    ],
)  # fmt: skip
def test_whether_a_fork_reaches_platforms_the_grid_does_not_list(
    environments: tuple[str, ...], reaches: bool
) -> None:
    assert Grid.build(">=3.10", environments).reaches_unlisted() is reaches
