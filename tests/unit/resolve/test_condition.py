"""The marker normal form: exact algebra, one text per set, equal to its input."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker

from tether.resolve.condition import ALWAYS, NEVER, Condition, specifier_floor
from tether.resolve.markers import Grid

ATOMS = [
    'python_version < "3.10"',
    'python_version >= "3.11"',
    'python_version == "3.12"',
    'python_version != "3.9"',
    'python_version > "3.10"',
    'python_version <= "3.11"',
    'python_full_version < "3.12.4"',
    'python_full_version >= "3.10.2"',
    'python_full_version == "3.11.*"',
    'sys_platform == "linux"',
    'sys_platform == "darwin"',
    'sys_platform != "win32"',
    'platform_machine == "x86_64"',
    'platform_machine == "aarch64"',
    'implementation_name == "pypy"',
    'os_name == "nt"',
    '"gpu" in extras',
    '"cpu" not in extras',
    '"dev" in dependency_groups',
    '"arm" in platform_machine',
]

GRID = Grid.build(">=3.8")
CONTEXTS = [
    (frozenset(e), frozenset(g))
    for e in ((), ("gpu",), ("cpu",), ("gpu", "cpu"))
    for g in ((), ("dev",))
]
POINTS = [
    {**point, "extras": extras, "dependency_groups": groups}
    for point in GRID.points
    if point["python_full_version"].endswith((".0", ".5"))
    for extras, groups in CONTEXTS
]


def truth(marker: str | None) -> list[bool]:
    if marker is None:
        return [True] * len(POINTS)
    parsed = Marker(marker)
    return [bool(parsed.evaluate(p, context="lock_file")) for p in POINTS]  # type: ignore[arg-type]


expressions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
        lambda t: f"({t[0]}) {t[1]} ({t[2]})"
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_the_written_form_holds_exactly_where_the_input_does(text: str) -> None:
    condition = Condition.of(text)
    if condition.is_never:
        assert not any(truth(text))
        return
    written = condition.text()
    assert truth(written) == truth(text)
    # ... and is itself a fixed point: reading it back gives the same set and text.
    assert Condition.of(written) == condition
    if written is not None:
        assert Condition.of(written).text() == written


@settings(max_examples=200, deadline=None)
@given(expressions, expressions)
def test_equivalent_markers_give_the_same_text(first: str, second: str) -> None:
    a, b = Condition.of(first), Condition.of(second)
    # Rewrites that keep the set: commuted, absorbed, doubled, De Morgan twice.
    forms = [
        f"({first}) and ({second}) or ({first})",
        f"({first}) or ({first})",
        f"(({first}) or ({second})) and ({first})",
    ]
    for form in forms:
        assert Condition.of(form) == a
        if not a.is_never:
            assert Condition.of(form).text() == a.text()
    if not (a | b).is_never:
        assert (a | b).text() == (b | a).text()
    assert (a & b) == (b & a)
    assert ~~a == a


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_requires_python_is_left_out_where_it_already_says_so(text: str) -> None:
    care = Condition.requires_python(">=3.10")
    condition = Condition.of(text)
    inside = [i for i, p in enumerate(POINTS) if p["python_version"] not in ("3.8", "3.9")]
    if (condition & care).is_never:
        return
    written, original = truth(condition.text(care)), truth(text)
    assert [written[i] for i in inside] == [original[i] for i in inside]


@pytest.mark.parametrize(
    ("marker", "care", "expected"),
    [
        (
            '(python_full_version < "3.12.4" and python_version < "3.12" and "dev" in '
            'dependency_groups) or (python_full_version >= "3.12" and "dev" in '
            'dependency_groups) or (python_version == "3.12" and "dev" in dependency_groups)',
            None,
            '"dev" in dependency_groups',
        ),
        (
            'python_version >= "3.9" and python_version < "3.11"',
            ">=3.9",
            'python_full_version < "3.11"',
        ),
        ('python_version < "3.9"', ">=3.9", "never"),
        ('python_version >= "3.9"', ">=3.9", None),
        ('python_version == "3.11"', None, 'python_full_version == "3.11.*"'),
        ('python_full_version == "3.11.2"', None, 'python_full_version == "3.11.2"'),
        (
            'sys_platform == "linux" or sys_platform != "linux" and python_version >= "3.10"',
            ">=3.9",
            'python_full_version >= "3.10" or sys_platform == "linux"',
        ),
        ("extra == 'GPU_x'", None, 'extra == "gpu-x"'),
        (
            "'Dev' in dependency_groups and 'dev' in dependency_groups",
            None,
            '"dev" in dependency_groups',
        ),
        ('"arm" not in platform_machine', None, '"arm" not in platform_machine'),
        (
            'platform_release ~= "5.4"',
            None,
            'platform_release == "5.*" and platform_release >= "5.4"',
        ),
    ],
)
def test_known_forms(marker: str, care: str | None, expected: str | None) -> None:
    condition = Condition.of(marker)
    within = None if care is None else Condition.requires_python(care)
    if expected == "never":
        assert (condition & (within or ALWAYS)).is_never
        return
    assert condition.text(within) == expected


def test_conflicting_extras_are_a_care_set() -> None:
    """With cpu and gpu exclusive, "not cpu" is "gpu or neither"; under the care set
    that forbids both, `"gpu" in extras or "cpu" not in extras` says "cpu" not in extras."""
    both = Condition.of('"cpu" in extras') & Condition.of('"gpu" in extras')
    care = ~both
    marker = Condition.of('"gpu" in extras or "cpu" not in extras')
    assert marker.text(care) == '"cpu" not in extras'


def test_algebra() -> None:
    linux = Condition.of('sys_platform == "linux"')
    assert (linux & ~linux) == NEVER
    assert (linux | ~linux) == ALWAYS
    assert linux.implies(linux | Condition.of('os_name == "nt"'))
    assert linux.disjoint(Condition.of('sys_platform == "win32"'))
    assert Condition.of(None) == ALWAYS
    assert Condition.python((3, 10, 0), None) == Condition.of('python_version >= "3.10"')
    assert Condition.of('python_version < "3.10" or python_version >= "3.12"').python_bounds() == (
        (3, 10, 0),
        (3, 12, 0),
    )


def test_evaluate_matches_packaging() -> None:
    for text in ATOMS:
        condition = Condition.of(text)
        assert [condition.evaluate(p) for p in POINTS] == truth(text), text


def test_every_pair_of_atoms_round_trips() -> None:
    for first, second in itertools.combinations(ATOMS, 2):
        for joined in (f"{first} and {second}", f"{first} or {second}"):
            condition = Condition.of(joined)
            if condition.is_never:
                continue
            assert truth(condition.text()) == truth(joined), joined


@pytest.mark.parametrize(
    ("specifier", "floor"),
    [
        (">=3.9", (3, 9, 0)),
        (">=3.8,<4", (3, 8, 0)),
        (">3.9", (3, 9, 1)),
        ("<3.13", None),
        ("~=3.10", (3, 10, 0)),
        ("==3.11.*", (3, 11, 0)),
        ("garbage", None),
    ],
)
def test_specifier_floor(specifier: str, floor: tuple[int, int, int] | None) -> None:
    assert specifier_floor(specifier) == floor
