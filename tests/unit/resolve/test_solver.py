"""The solver beyond solver.md: messages for missing and unusable versions, strategies,
extras, cycles, and a property test against brute force on random universes."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.unit.resolve.universe import MemoryProvider, Universe, solve_universe
from tether.errors import ResolutionError
from tether.resolve import Available, Dependency, Package, solve
from tether.resolve.version_set import exactly, from_specifier


def explanation(universe: Universe, root: Mapping[str, str], **options: object) -> str:
    with pytest.raises(ResolutionError) as info:
        solve_universe(universe, root, **options)
    assert info.value.message == "no versions satisfy the requirements"
    return info.value.explanation


def test_no_matching_version() -> None:
    assert explanation({"foo": {"1.0": {}}}, {"foo": ">=5"}) == (
        "Because root depends on foo>=5 which doesn't match any versions, version solving failed."
    )


def test_missing_transitive_version() -> None:
    universe = {"foo": {"1.0": {"bar": ">=2"}}, "bar": {"1.0": {}}}
    assert explanation(universe, {"foo": ""}) == (
        "Because every version of foo depends on bar>=2 which doesn't match any versions, "
        "foo is forbidden.\n"
        "So, because root depends on foo, version solving failed."
    )


def test_unavailable_versions_say_why() -> None:
    reason = "requires Python >=3.13"
    universe = {"foo": {"1.0": {}, "2.0": {}}}
    unavailable = {("foo", "1.0"): reason, ("foo", "2.0"): reason}
    # Unusable for the same reason: one statement for every version.
    assert explanation(universe, {"foo": ">=1"}, unavailable=unavailable) == (
        "Because root depends on foo>=1 which requires Python >=3.13, version solving failed."
    )


def test_failed_builds_of_many_releases_are_one_statement() -> None:
    """lm-eval's gptqmodel: twenty sdists that each fail to build, each with its own
    file and output, read as one line about the range (with the newest's details),
    not twenty."""
    versions = [f"1.{i}" for i in range(20)]
    universe = {"gptq": {v: {} for v in versions}}
    unavailable = {
        ("gptq", v): f"failed to build from its sdist (gptq-{v}.tar.gz): no torch ({v})"
        for v in versions
    }
    assert explanation(universe, {"gptq": ">=1.0"}, unavailable=unavailable) == (
        "Because root depends on gptq>=1.0 which failed to build from its sdist "
        "(gptq-1.19.tar.gz): no torch (1.19), version solving failed."
    )


def test_one_line_per_distinct_requirement_not_per_release() -> None:
    """The fastapi/pydantic case: 40 releases, two distinct requirements on pydantic.
    Facts that differ only in the depender's version are merged, so the explanation
    names each requirement once, never "depends on both X and X"."""
    fastapi = {
        f"0.{126 + i}.0": {"pydantic": ">=2.7.0" if i < 10 else ">=2.9.0"} for i in range(40)
    }
    universe = {
        "fastapi": fastapi,
        "pydantic": {"1.10.0": {}, "2.7.0": {}, "2.9.0": {}, "2.12.0": {}},
    }
    text = explanation(universe, {"pydantic": "<2", "fastapi": ">=0.126"})
    assert text == (
        "Because fastapi<0.136.0 depends on pydantic>=2.7.0 and fastapi>=0.136.0 depends on "
        "pydantic>=2.9.0, every version of fastapi requires pydantic>=2.7.0.\n"
        "So, because root depends on both pydantic<2 and fastapi>=0.126, version solving failed."
    )


def test_an_unavailable_version_is_skipped() -> None:
    universe = {"foo": {"1.0": {}, "2.0": {}}}
    chosen = solve_universe(universe, {"foo": ""}, unavailable={("foo", "2.0"): "is broken"})
    assert chosen == {"foo": "1.0"}


def test_lowest_strategy() -> None:
    universe = {
        "foo": {"1.0": {"bar": ">=1.5"}, "2.0": {}},
        "bar": {"1.0": {}, "1.5": {}, "2.0": {}},
    }
    assert solve_universe(universe, {"foo": ""}, lowest=True) == {"bar": "1.5", "foo": "1.0"}
    assert solve_universe(universe, {"foo": ""}) == {"foo": "2.0"}


def test_cycles_resolve() -> None:
    universe = {"a": {"1.0": {"b": "==1.0"}}, "b": {"1.0": {"a": "==1.0"}}}
    assert solve_universe(universe, {"a": ""}) == {"a": "1.0", "b": "1.0"}


class ExtrasProvider:
    """`foo[gpu]` is a package of its own that pins `foo` to its version (uv's model)."""

    def __init__(self) -> None:
        self.extras = {("foo", "gpu"): {"torch": ">=2"}}
        self.universe = {
            "foo": {"1.0": {}, "2.0": {"numpy": "<2"}},
            "torch": {"2.1": {}, "1.9": {}},
            "numpy": {"1.26": {}, "2.0": {}},
            "app": {"1.0": {"foo[gpu]": ">=1"}},
        }

    def versions(self, package: Package) -> Sequence[Version]:
        return sorted((Version(v) for v in self.universe[package.name]), reverse=True)

    def dependencies(self, package: Package, version: Version) -> Available:
        if package.is_root:
            return Available((Dependency(Package("app"), from_specifier("")),))
        deps = []
        if package.extra is not None:
            deps.append(Dependency(package.base, exactly(version)))
            requirements = self.extras[(package.name, package.extra)]
        else:
            requirements = self.universe[package.name][str(version)]
        for name, spec in requirements.items():
            base, _, extra = name.partition("[")
            deps.append(Dependency(Package(base, extra.rstrip("]") or None), from_specifier(spec)))
        return Available(tuple(deps))

    def prefetch(self, packages: Iterable[Package]) -> None:
        pass


def test_extras_are_packages_pinned_to_their_base() -> None:
    resolution = solve(Package.root("root"), Version("0"), ExtrasProvider())
    chosen = {str(p): str(v) for p, v in resolution.versions.items()}
    assert chosen == {
        "app": "1.0",
        "foo[gpu]": "2.0",
        "foo": "2.0",
        "torch": "2.1",
        "numpy": "1.26",
    }


# ---------------------------------------------------------------------- property test

VERSIONS = ["1.0", "2.0", "3.0"]
SPECS = ["", ">=2.0", "<2.0", "==1.0", "==2.0", "!=2.0", ">=3.0", "<3.0"]


@st.composite
def universes(draw: st.DrawFn) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, str]]:
    names = ["a", "b", "c", "d"]
    universe: dict[str, dict[str, dict[str, str]]] = {}
    for name in names:
        versions = draw(st.lists(st.sampled_from(VERSIONS), min_size=1, max_size=3, unique=True))
        universe[name] = {
            v: draw(
                st.dictionaries(
                    st.sampled_from([n for n in names if n != name]),
                    st.sampled_from(SPECS),
                    max_size=2,
                )
            )
            for v in versions
        }
    root = draw(
        st.dictionaries(st.sampled_from(names), st.sampled_from(SPECS), min_size=1, max_size=3)
    )
    return universe, root


def valid(universe: Universe, root: Mapping[str, str], chosen: Mapping[str, str]) -> bool:
    def satisfied(requirements: Mapping[str, str]) -> bool:
        return all(
            name in chosen and Version(chosen[name]) in SpecifierSet(spec)
            for name, spec in requirements.items()
        )

    return satisfied(root) and all(satisfied(universe[n][v]) for n, v in chosen.items())


def brute_force_has_solution(universe: Universe, root: Mapping[str, str]) -> bool:
    names = sorted(universe)
    options = [[None, *universe[n]] for n in names]
    for picks in itertools.product(*options):
        chosen = {n: v for n, v in zip(names, picks, strict=True) if v is not None}
        if valid(universe, root, chosen):
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universes())
def test_solver_agrees_with_brute_force(case: tuple[Universe, dict[str, str]]) -> None:
    universe, root = case
    failure: ResolutionError | None = None
    chosen: dict[str, str] = {}
    try:
        chosen = solve_universe(universe, root)
    except ResolutionError as err:
        failure = err
    if failure is None:
        assert valid(universe, root, chosen), chosen
    else:
        assert not brute_force_has_solution(universe, root), failure.explanation
        assert failure.explanation.endswith("version solving failed.")


class PinnedExtraProvider:
    """`dk` 1..40, each with an extra `dist` pinning `dst` to its own version; only
    `dst` 39.0 exists. Counts the questions asked about `dk[dist]`."""

    def __init__(self) -> None:
        self.asked: list[Version] = []

    def versions(self, package: Package) -> list[Version]:
        if package.name == "dst":
            return [Version("39.0")]
        return [Version(f"{n}.0") for n in range(40, 0, -1)]

    def dependencies(self, package: Package, version: Version) -> Available:
        if package.is_root:
            return Available(
                (
                    Dependency(Package("dk"), from_specifier("")),
                    Dependency(Package("dk", "dist"), from_specifier("")),
                )
            )
        if package.extra == "dist":
            self.asked.append(version)
            return Available(
                (
                    Dependency(Package("dk"), exactly(version)),
                    Dependency(Package("dst"), exactly(version)),
                )
            )
        return Available(())

    def prefetch(self, packages: Iterable[Package]) -> None:
        pass


def test_an_extra_takes_only_versions_its_package_can_take() -> None:
    """An extra is asked about only at versions its package may take: with `dk` at 40,
    `dk[dist]` is asked at 40, then (dk moved) at 39, never lower. (On PyPI's dask,
    decided at 2026.11 while dask[distributed] walked down to 0.2, this took xarray's
    cold lock from 1,710 requests to 605.)"""
    provider = PinnedExtraProvider()
    resolution = solve(Package.root("root"), Version("1"), provider)
    assert {str(p): str(v) for p, v in resolution.versions.items()} == {
        "dk": "39.0",
        "dk[dist]": "39.0",
        "dst": "39.0",
    }
    assert provider.asked == [Version("40.0"), Version("39.0")]


def test_a_stop_hook_ends_the_solve_at_a_decision_with_what_came_before() -> None:
    from packaging.ranges import VersionRange

    from tests.unit.resolve.universe import MemoryProvider
    from tether.resolve.solver import Stopped

    universe = {
        "root": {"1.0.0": {"a": ""}},
        "a": {"1.0": {"b": ">=2"}},
        "b": {"2.0": {}, "3.0": {}},
    }
    asked: list[tuple[str, str, bool]] = []

    def stop(package: Package, version: Version, allowed: VersionRange) -> bool:
        asked.append((package.name, str(version), allowed.contains(Version("1.0"))))
        return package.name == "b"

    with pytest.raises(Stopped) as stopped:
        solve(Package.root("root"), Version("1.0.0"), MemoryProvider(universe), stop=stop)
    assert {p.name: str(v) for p, v in stopped.value.decided.items()} == {"a": "1.0"}
    # Asked with the candidate and what the requirements still allow (b>=2: not 1.0).
    assert asked == [("a", "1.0", True), ("b", "3.0", False)]


def test_packages_are_decided_in_the_order_their_dependents_list_them() -> None:
    """uv's first-seen priorities: a version's dependencies are decided in the order its
    metadata lists them (not the reverse, as propagation would register them), so which
    of two conflicting dependencies gives way follows the project's own listing."""
    universe = {"zeta": {"1.0": {}}, "alpha": {"1.0": {}}, "mid": {"1.0": {}}}
    provider = MemoryProvider({**universe, "root": {"1.0.0": {"zeta": "", "alpha": "", "mid": ""}}})
    solve(Package.root("root"), Version("1.0.0"), provider)
    assert provider.asked == ["zeta", "alpha", "mid"]


def test_the_first_listed_of_two_conflicting_dependencies_keeps_its_newest() -> None:
    """`tool` first: tool 2.0 is decided before `lib`, which then gives way (lib 1.0,
    the release tool 2.0 accepts); listed the other way round, lib keeps 2.0."""
    universe = {
        "tool": {"1.0": {"lib": ">=2.0"}, "2.0": {"lib": "<2.0"}},
        "lib": {"1.0": {}, "2.0": {}},
    }
    assert solve_universe(universe, {"tool": "", "lib": ""}) == {"lib": "1.0", "tool": "2.0"}
    assert solve_universe(universe, {"lib": "", "tool": ""}) == {"lib": "2.0", "tool": "1.0"}
