"""Environment markers for a universal lock: partial evaluation, and/or, and a grid of
real environments to tell "can this be true for the project?" and "is this always true?".

A universal resolution must not evaluate markers against the machine it runs on. It
keeps them: a dependency edge carries its marker, a package in the lock carries the
disjunction over the paths that reach it. Two questions are answered by evaluating a
marker on a grid of plausible environments (every Python the project admits, the common
OS/CPU pairs, CPython and PyPy): whether it can hold at all (else the edge is dropped),
and whether it always holds (else it is kept). The grid errs towards keeping markers:
a condition true on every grid point (`sys_platform != "aix"`) is dropped, which at
worst installs a package that an unusual platform did not need.

`extra` is not an environment variable in a lock: `substitute` evaluates `extra == ...`
clauses for the extra being resolved and keeps the rest of the marker intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

PLATFORMS = (
    {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "aarch64",
    },
    {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "arm64",
    },
    {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    },
)
IMPLEMENTATIONS = (
    {"implementation_name": "cpython", "platform_python_implementation": "CPython"},
    {"implementation_name": "pypy", "platform_python_implementation": "PyPy"},
)
PYTHON_MINORS = tuple(f"3.{minor}" for minor in range(6, 16))
PATCHES = (0, 1, 5, 11, 25)


@dataclass(frozen=True, slots=True)
class Grid:
    """The environments a lock for `requires_python` may be installed into."""

    requires_python: str = ""
    environments: tuple[str, ...] = ()  # [tool.tether].environments, as marker strings
    points: tuple[dict[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def build(cls, requires_python: str = "", environments: Iterable[str] = ()) -> Grid:
        allowed = SpecifierSet(requires_python)
        limits = [Marker(e) for e in environments]
        # Platforms the environments name that the grid lacks (`sys_platform == "os1"`)
        # join it, or restricting to them would leave no environment at all.
        platforms = list(PLATFORMS) + [
            {**PLATFORMS[0], variable: value}
            for limit in limits
            for variable, value in sorted(_literals(limit._markers))
            if not _known(variable, value)
        ]
        # An exact requires-python (`==3.11.2`, one interpreter's build environment) is
        # a point of its own: the sampled patch releases might all miss it.
        exact = {
            Version(s.version).micro
            for s in allowed
            if s.operator in ("==", "===") and not s.version.endswith("*")
        }
        points = []
        for minor in PYTHON_MINORS:
            for patch in sorted(set(PATCHES) | exact):
                full = f"{minor}.{patch}"
                if not allowed.contains(Version(full), prereleases=True):
                    continue
                for platform in platforms:
                    for implementation in IMPLEMENTATIONS:
                        point = {
                            "python_version": minor,
                            "python_full_version": full,
                            "implementation_version": full,
                            "platform_release": "",
                            "platform_version": "",
                            "extra": "",
                            **platform,
                            **implementation,
                        }
                        if not limits or any(m.evaluate(point) for m in limits):
                            points.append(point)
        return cls(requires_python, tuple(environments), tuple(points))

    def truth(self, marker: Marker | None) -> frozenset[int]:
        """The grid points where `marker` holds (every point for no marker)."""
        if marker is None:
            return frozenset(range(len(self.points)))
        return _truth(self, str(marker))

    def possible(self, marker: Marker | None) -> bool:
        """Whether some environment satisfies `marker`: a grid point, or one that takes a
        platform value the marker itself names (an OS the grid does not list)."""
        return bool(self.truth(marker)) or (
            marker is not None and _possible_elsewhere(self, str(marker))
        )

    def always(self, marker: Marker | None) -> bool:
        return len(self.truth(marker)) == len(self.points)

    def reaches_unlisted(self) -> bool:
        """Whether the grid's environments, where they restrict it (a fork's region),
        admit a platform the grid does not list (another OS, or a listed OS on another
        CPU): what wheels such a platform takes is unknown. An unrestricted grid
        stands for its listed platforms."""
        if not self.environments or not self.points:
            return False
        limits = [Marker(e) for e in self.environments]
        base = self.points[0]
        if all(any(m.evaluate({**base, **platform}) for m in limits) for platform in PLATFORMS):
            return False  # no platform left out (a Python range only): as unrestricted
        other_os = {
            **base,
            "sys_platform": "tether-other-os",
            "platform_system": "TetherOther",
            "os_name": "tether-other",
        }
        by_os = {point["sys_platform"]: point for point in self.points}.values()
        probes = [other_os, *({**p, "platform_machine": "tether-other-cpu"} for p in by_os)]
        return any(m.evaluate(probe) for probe in probes for m in limits)


@lru_cache(maxsize=16384)
def _truth(grid: Grid, marker: str) -> frozenset[int]:
    answers = evaluate_each(marker, grid.points)
    return frozenset(index for index, answer in enumerate(answers) if answer)


def evaluate_each(
    marker: str, environments: Iterable[Mapping[str, object]], *, context: str = "metadata"
) -> list[bool]:
    """`marker` evaluated in each environment; a comparison that is not defined there
    does not hold. A marker reads a few variables while a grid varies many: each distinct
    combination of the variables it names is evaluated once (a name merely appearing in
    the text counts, which at worst evaluates a combination twice)."""
    parsed = Marker(marker)
    named = [name for name in _VARIABLES if name in marker]
    answers: dict[tuple[object, ...], bool] = {}
    found = []
    for environment in environments:
        key = tuple(environment.get(name) for name in named)
        answer = answers.get(key)
        if answer is None:
            try:
                answer = bool(parsed.evaluate(environment, context=context))  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - an undefined comparison cannot hold
                answer = False
            answers[key] = answer
        found.append(answer)
    return found


_VARIABLES = (  # PEP 508 and PEP 751 marker variables
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extras",
    "extra",
    "dependency_groups",
)


STRING_VARIABLES = frozenset(
    {
        "sys_platform",
        "platform_system",
        "os_name",
        "platform_machine",
        "implementation_name",
        "platform_python_implementation",
    }
)


# Variables the grid cannot know (the OS kernel's release and build string): every
# grid point holds "" for them, so a marker that asks about them (pyobjc's
# `platform_release >= "20.0"` for each framework) is tried with values around its own.
FREE_VARIABLES = frozenset({"platform_release", "platform_version"})


def _literals(node: Any, variables: frozenset[str] = STRING_VARIABLES) -> set[tuple[str, str]]:
    """(variable, value) pairs a marker compares `variables` with."""
    found: set[tuple[str, str]] = set()
    if isinstance(node, tuple):
        left, _op, right = node
        for variable, value in ((left, right), (right, left)):
            if type(variable).__name__ == "Variable" and variable.value in variables:
                found.add((variable.value, value.value))
    elif isinstance(node, list):
        for item in node:
            if not isinstance(item, str):
                found |= _literals(item, variables)
    return found


def _tried_values(variable: str, value: str) -> list[str]:
    """Values to give `variable` in a search for a point where a comparison with
    `value` holds: the value itself, for a platform; for a free variable also just
    above it (`> "20.0"`) and an empty one (`< "20"`, `!=`)."""
    if variable not in FREE_VARIABLES:
        return [value]
    return [value, f"{value}.1", f"{value}1", "0", ""]


def _known(variable: str, value: str) -> bool:
    """Whether a platform or implementation the grid lists takes this value."""
    return any(known.get(variable) == value for known in (*PLATFORMS, *IMPLEMENTATIONS))


@lru_cache(maxsize=16384)
def _possible_elsewhere(grid: Grid, marker: str) -> bool:
    """Whether `marker` holds on a platform the grid does not list (`sys_platform ==
    "os1"`), tried by giving grid points that value. A value of a platform the grid
    knows (`platform_system == "Linux"`) is not tried: the grid's own points say where
    it holds, and a macOS point called Linux is no real environment."""
    parsed = Marker(marker)
    limits = [Marker(e) for e in grid.environments]
    literals = _literals(parsed._markers, STRING_VARIABLES | FREE_VARIABLES)
    for variable, value in sorted(literals):
        if _known(variable, value):
            continue
        for tried in _tried_values(variable, value):
            for base in grid.points:
                point = {**base, variable: tried}
                try:
                    if parsed.evaluate(point) and (
                        not limits or any(m.evaluate(point) for m in limits)
                    ):
                        return True
                except Exception:  # noqa: BLE001, S112 - an undefined comparison cannot hold
                    continue
    return False


def substitute(marker: Marker | None, *, extra: str | None) -> Marker | bool:
    """`marker` with every `extra` clause decided for `extra` (None: no extra asked).

    Returns True/False when the marker is decided entirely, else what remains.
    """
    if marker is None:
        return True
    return _rebuild(_reduce(marker._markers, lambda atom: _decide_extra(atom, extra)))


def select(marker: Marker | None, *, extras: Iterable[str], groups: Iterable[str]) -> Marker | bool:
    """`marker` with PEP 751's `"x" in extras` / `"x" in dependency_groups` clauses
    decided for a chosen selection: what is left is a marker pip understands."""
    if marker is None:
        return True
    chosen = {
        "extras": {_normalise(e) for e in extras},
        "dependency_groups": {_normalise(g) for g in groups},
    }
    return _rebuild(_reduce(marker._markers, lambda atom: _decide_selection(atom, chosen)))


def _rebuild(result: Any) -> Marker | bool:
    if isinstance(result, bool):
        return result
    return Marker(_format(result))


def _decide_extra(atom: tuple[Any, Any, Any], extra: str | None) -> bool | None:
    left, op, right = atom
    names = {getattr(left, "value", None), getattr(right, "value", None)}
    is_extra = "extra" in names and (
        type(left).__name__ == "Variable" or type(right).__name__ == "Variable"
    )
    if not is_extra:
        return None
    value = right.value if type(left).__name__ == "Variable" else left.value
    equal = _normalise(value) == _normalise(extra or "")
    if op.value == "==":
        return equal
    if op.value == "!=":
        return not equal
    return None


def _decide_selection(atom: tuple[Any, Any, Any], chosen: dict[str, set[str]]) -> bool | None:
    left, op, right = atom
    if type(right).__name__ != "Variable" or right.value not in chosen:
        return None
    inside = _normalise(left.value) in chosen[right.value]
    if op.value == "in":
        return inside
    if op.value == "not in":
        return not inside
    return None


def conjoin(*markers: Marker | None) -> Marker | None:
    """AND of markers, flattened: a clause already present is not repeated."""
    clauses: dict[str, None] = {}
    for marker in markers:
        if marker is not None:
            for clause in _conjuncts(marker):
                clauses.setdefault(clause, None)
    if not clauses:
        return None
    if len(clauses) == 1:
        return Marker(next(iter(clauses)))
    return Marker(" and ".join(f"({c})" if " or " in c else c for c in clauses))


def _conjuncts(marker: Marker) -> list[str]:
    """The clauses of a top-level "and" (the whole marker when it is an "or")."""
    tree = marker._markers
    if any(item == "or" for item in tree):
        return [str(marker)]
    return [_format(item) for item in tree if item != "and"]


def disjoin(markers: Iterable[Marker | None]) -> Marker | None:
    """OR of markers; None (always) absorbs everything."""
    parts = []
    for marker in markers:
        if marker is None:
            return None
        parts.append(marker)
    unique = _unique(parts)
    if len(unique) == 1:
        return unique[0]
    return Marker(" or ".join(f"({m})" for m in sorted(unique, key=str)))


_NEGATED = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
}


def negate(marker: Marker) -> Marker | None:
    """The complement of `marker` (De Morgan on the tree, each comparison inverted), or
    None when it has an operator with no exact inverse (`~=`, `===`)."""
    negated = _negate(marker._markers)
    return None if negated is None else Marker(_format(negated))


def _negate(node: Any) -> Any:
    if isinstance(node, tuple):
        left, op, right = node
        inverse = _NEGATED.get(op.value)
        if inverse is None:
            return None
        return (left, type(op)(inverse), right)
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if item == "and":
                out.append("or")
            elif item == "or":
                out.append("and")
            else:
                negated = _negate(item)
                if negated is None:
                    return None
                out.append(negated)
        # "a and b or c" negates to "(not a or not b) and not c": group each former
        # conjunction so precedence survives the swap.
        return _group(out)
    return node


def _group(items: list[Any]) -> list[Any]:
    """Wrap runs joined by "or" (former "and"s) in sub-lists, keeping "and" between them."""
    groups: list[list[Any]] = [[]]
    for item in items:
        if item == "and":
            groups.append([])
        else:
            groups[-1].append(item)
    result: list[Any] = []
    for position, group in enumerate(groups):
        if position:
            result.append("and")
        result.append(group if len(group) > 1 else group[0])
    return result


def _unique(markers: list[Marker]) -> list[Marker]:
    seen: dict[str, Marker] = {}
    for marker in markers:
        seen.setdefault(str(marker), marker)
    return list(seen.values())


def _reduce(node: Any, decide: Callable[[tuple[Any, Any, Any]], bool | None]) -> Any:
    """Partially evaluate packaging's marker tree: atoms `decide` knows become booleans."""
    if isinstance(node, tuple):
        decided = decide(node)
        return node if decided is None else decided
    if isinstance(node, list):
        items = [item if isinstance(item, str) else _reduce(item, decide) for item in node]
        # Collapse "and" before "or" (marker precedence).
        disjuncts: list[list[Any]] = [[]]
        for item in items:
            if item == "or":
                disjuncts.append([])
            elif item != "and":
                disjuncts[-1].append(item)
        kept_disjuncts = []
        for conjunction in disjuncts:
            if any(part is False for part in conjunction):
                continue
            remaining = [part for part in conjunction if part is not True]
            if not remaining:
                return True
            kept_disjuncts.append(remaining)
        if not kept_disjuncts:
            return False
        rebuilt: list[Any] = []
        for number, conjunction in enumerate(kept_disjuncts):
            if number:
                rebuilt.append("or")
            for position, part in enumerate(conjunction):
                if position:
                    rebuilt.append("and")
                rebuilt.append(part)
        return rebuilt
    return node


def _normalise(value: str) -> str:
    return value.lower().replace("_", "-").replace(".", "-")


def _format(node: Any) -> str:
    if isinstance(node, tuple):
        left, op, right = node
        return f"{_atom(left)} {op.value} {_atom(right)}"
    if isinstance(node, list):
        parts = []
        for item in node:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, list):
                parts.append(f"({_format(item)})")
            else:
                parts.append(_format(item))
        return " ".join(parts)
    return str(node)


def _atom(part: Any) -> str:
    if type(part).__name__ == "Variable":
        return str(part.value)
    return f'"{part.value}"'
