"""Markers as exact sets of environments: a reduced, ordered decision diagram over the
marker variables (the approach uv takes), so that and/or/not are exact, two equivalent
markers are the same node, and each has one short written form.

Why not strings: a universal lock ANDs and ORs the markers of many paths and forks.
Kept as text they grow into `(python_full_version < "3.12.4" and python_version < "3.12"
and "dev" in dependency_groups) or (...)`, which means `"dev" in dependency_groups`;
a lock is read in code review, so every marker it holds must be the shortest
equivalent form, and the same inputs must give the same bytes.

The variables, in the order the diagram tests them:
- `python_full_version` (`python_version` is folded into it): half-open intervals of
  Python releases, compared as (major, minor, micro).
- the platform strings (`sys_platform`, `platform_machine`, ...) and `extra`: equality
  with a value, or with none of a set of values.
- any other comparison (`"arm" in platform_machine`, `platform_release >= "5.4"`): an
  opaque yes/no atom. Exact, only less simplified.
- PEP 751's `"x" in extras` and `"x" in dependency_groups`: one yes/no variable each.

Rendering works under a *care* set: the environments that matter (requires-python, the
allowed combinations of conflicting extras). Outside it the marker may say anything,
which is what drops `python_full_version >= "3.10"` from a lock whose requires-python
says so already. The written form is a DNF read off the diagram and then shortened
greedily (a literal or a term is dropped while the result still equals the original
inside the care set); it depends only on the diagram, so equivalent inputs give the
same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.resolve.condition_text import quote, render
from tether.resolve.decision import (
    AND,
    EXTRA,
    EXTRAS,
    FALSE,
    GROUPS,
    OPAQUE,
    OR,
    STRING,
    STRING_KEYS,
    TRUE,
    VERSION,
    Key,
    Release,
    apply,
    bool_node,
    interval,
    negate,
    pad,
    store,
    string_node,
)


@dataclass(frozen=True, slots=True)
class Condition:
    """A set of environments (and extras/groups choices). Equal sets are equal values."""

    node: int

    @classmethod
    def of(cls, marker: Marker | str | None) -> Condition:
        """The set where `marker` holds (everything for None)."""
        if marker is None:
            return ALWAYS
        text = str(marker)
        with store.lock:
            found = store.atoms.get("m:" + text)
        if found is None:
            parsed = marker if isinstance(marker, Marker) else Marker(text)
            found = _tree(parsed._markers)
            store.atoms["m:" + text] = found
        return cls(found)

    @classmethod
    def python(cls, lower: Release | None, upper: Release | None) -> Condition:
        """Pythons from `lower` (inclusive) to `upper` (exclusive); None is no bound."""
        return cls(interval(lower, upper))

    @classmethod
    def requires_python(cls, specifier: str) -> Condition:
        """The Pythons a `requires-python` string admits."""
        node = TRUE
        for single in SpecifierSet(specifier):
            node = apply(AND, node, _python_atom(single.operator, single.version, full=True))
        return cls(node)

    @property
    def is_always(self) -> bool:
        return self.node == TRUE

    @property
    def is_never(self) -> bool:
        return self.node == FALSE

    def __and__(self, other: Condition) -> Condition:
        return Condition(apply(AND, self.node, other.node))

    def __or__(self, other: Condition) -> Condition:
        return Condition(apply(OR, self.node, other.node))

    def __invert__(self) -> Condition:
        return Condition(negate(self.node))

    def implies(self, other: Condition) -> bool:
        return apply(AND, self.node, negate(other.node)) == FALSE

    def disjoint(self, other: Condition) -> bool:
        return apply(AND, self.node, other.node) == FALSE

    def evaluate(self, environment: Mapping[str, object]) -> bool:
        """Whether an environment (PEP 508 variables, plus `extras` and
        `dependency_groups` as sets) is in the set."""
        node = self.node
        while node > TRUE:
            key, kind, edges = store.nodes[node]
            if kind == VERSION:
                release = _release_of(str(environment.get("python_full_version", "")))
                node = next(c for u, c in edges if u is None or release is None or release < u)
            elif kind == STRING:
                values, default = edges
                value = environment.get(key[1], "")
                if key == EXTRA:
                    value = canonicalize_name(str(value)) if value else ""
                node = dict(values).get(str(value), default)
            else:
                node = edges[1] if _atom_holds(key, environment) else edges[0]
        return node == TRUE

    def python_bounds(self) -> tuple[Release, ...]:
        """Every Python release at which this set's answer may change."""
        found: set[Release] = set()
        seen: set[int] = set()
        stack = [self.node]
        while stack:
            node = stack.pop()
            if node <= TRUE or node in seen:
                continue
            seen.add(node)
            _key, kind, edges = store.nodes[node]
            if kind == VERSION:
                found |= {u for u, _ in edges if u is not None}
                stack += [c for _, c in edges]
            elif kind == STRING:
                stack += [c for _, c in edges[0]] + [edges[1]]
            else:
                stack += list(edges)
        return tuple(sorted(found))

    def python_hull(self) -> tuple[Release | None, Release | None]:
        """The smallest Python interval [lower, upper) outside which the set is empty
        (None: no bound on that side)."""
        if self.node <= TRUE:
            return (None, None)
        _, kind, edges = store.nodes[self.node]
        if kind != VERSION:
            return (None, None)
        start: Release | None = None
        found: list[tuple[Release | None, Release | None]] = []
        for upper, child in edges:
            if child != FALSE:
                found.append((start, upper))
            start = upper
        return (found[0][0], found[-1][1]) if found else (None, None)

    def marker(self, care: Condition | None = None) -> Marker | None:
        """The shortest marker equal to this set inside `care` (everything when None):
        None when it holds everywhere there. A set that is empty inside `care` has no
        marker; ask `is_never` first."""
        text = self.text(care)
        return None if text is None else Marker(text)

    def text(self, care: Condition | None = None) -> str | None:
        care_node = TRUE if care is None else care.node
        target = apply(AND, self.node, care_node)
        if target == care_node:
            return None
        if target == FALSE:
            raise ValueError("an empty set of environments has no marker")
        return render(target, care_node)

    def __str__(self) -> str:
        return self.text() or ""


__all__ = ["ALWAYS", "NEVER", "Condition", "Release", "release_of", "specifier_floor"]

ALWAYS = Condition(TRUE)
NEVER = Condition(FALSE)


# ---------------------------------------------------------------------- from markers


def _tree(node: Any) -> int:
    if isinstance(node, tuple):
        return _atom(node)
    result = FALSE
    conjunction = TRUE
    for item in node:
        if item == "or":
            result = apply(OR, result, conjunction)
            conjunction = TRUE
        elif item != "and":
            conjunction = apply(AND, conjunction, _tree(item))
    return apply(OR, result, conjunction)


_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _atom(atom: tuple[Any, Any, Any]) -> int:
    left, op, right = atom
    operator = op.value
    left_is_variable = type(left).__name__ == "Variable"
    right_is_variable = type(right).__name__ == "Variable"
    if right_is_variable and right.value in ("extras", "dependency_groups"):
        if operator in ("in", "not in") and not left_is_variable:
            kind = EXTRAS if right.value == "extras" else GROUPS
            node = bool_node((kind, str(canonicalize_name(left.value))), FALSE, TRUE)
            return node if operator == "in" else negate(node)
        return _opaque(atom)
    if left_is_variable == right_is_variable:
        return _opaque(atom)
    if right_is_variable:
        if operator not in _FLIPPED:
            return _opaque(atom)
        variable, value, operator = right.value, left.value, _FLIPPED[operator]
    else:
        variable, value = left.value, right.value
    if variable in ("python_version", "python_full_version"):
        try:
            return _python_atom(operator, value, full=variable == "python_full_version")
        except (InvalidVersion, InvalidSpecifier, _Inexact):
            return _opaque(atom)
    if operator in ("==", "!=") and (variable in STRING_KEYS or variable == "extra"):
        key: Key = EXTRA if variable == "extra" else STRING_KEYS[variable]
        if variable == "extra":
            value = str(canonicalize_name(value))
        node = string_node(key, [(value, TRUE)], FALSE)
        return node if operator == "==" else negate(node)
    if operator == "~=":
        try:
            release = Version(value).release
        except InvalidVersion:
            return _opaque(atom)
        if len(release) < 2:
            return _opaque(atom)
        prefix = ".".join(str(p) for p in release[:-1])
        lower = _opaque_text(variable, ">=", value)
        return apply(AND, lower, _opaque_text(variable, "==", f"{prefix}.*"))
    return _opaque(atom)


class _Inexact(Exception):
    """A Python comparison that release intervals cannot state (pre-releases, `===`)."""


def _python_atom(operator: str, value: str, *, full: bool) -> int:
    wildcard = value.endswith(".*")
    version = Version(value[:-2] if wildcard else value)
    if version.pre or version.dev is not None or version.post is not None or version.local:
        raise _Inexact
    if operator not in ("<", "<=", ">", ">=", "==", "!=", "~="):
        raise _Inexact
    parts = version.release
    if wildcard:
        if operator not in ("==", "!="):
            raise _Inexact
        lower = pad(parts)
        upper = pad((*parts[:-1], parts[-1] + 1))
        inside = interval(lower, upper)
        return inside if operator == "==" else negate(inside)
    if operator == "~=":
        if len(parts) < 2:
            raise _Inexact
        lower = pad(parts)
        upper = pad((*parts[:-2], parts[-2] + 1))
        return interval(lower, upper)
    if full:
        if len(parts) > 3:
            raise _Inexact
        point = pad(parts)
        after = (point[0], point[1], point[2] + 1)
    else:
        # python_version is "major.minor": compare the release's first two parts.
        if len(parts) > 3:
            raise _Inexact
        if len(parts) == 3 and parts[2] != 0:
            # "3.10" < "3.10.1": a minor is below, never equal to, such a version.
            minor_after = (parts[0], parts[1] + 1, 0)
            below = interval(None, minor_after)
            return {
                "<": below,
                "<=": below,
                ">": negate(below),
                ">=": negate(below),
                "==": FALSE,
                "!=": TRUE,
            }[operator]
        point = pad(parts[:2])
        after = (point[0], point[1] + 1, 0)
    return {
        "<": interval(None, point),
        "<=": interval(None, after),
        ">": interval(after, None),
        ">=": interval(point, None),
        "==": interval(point, after),
        "!=": negate(interval(point, after)),
    }[operator]


def _opaque(atom: tuple[Any, Any, Any]) -> int:
    left, op, right = atom
    return _opaque_key(f"{quote(left)} {op.value} {quote(right)}")


def _opaque_text(variable: str, operator: str, value: str) -> int:
    return _opaque_key(f'{variable} {operator} "{value}"')


def _opaque_key(text: str) -> int:
    return bool_node((OPAQUE, text), FALSE, TRUE)


def _atom_holds(key: Key, environment: Mapping[str, object]) -> bool:
    if key[0] == EXTRAS:
        chosen = environment.get("extras", ())
        return key[1] in {canonicalize_name(str(e)) for e in chosen}  # type: ignore[attr-defined]
    if key[0] == GROUPS:
        chosen = environment.get("dependency_groups", ())
        return key[1] in {canonicalize_name(str(g)) for g in chosen}  # type: ignore[attr-defined]
    try:
        return bool(Marker(key[1]).evaluate(dict(environment), context="lock_file"))  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - an undefined comparison cannot hold
        return False


def _release_of(text: str) -> Release | None:
    try:
        return pad(Version(text).release)
    except InvalidVersion:
        return None


def python_split(bound: Release) -> tuple[Condition, Condition]:
    """Below `bound`, and from `bound` on."""
    return Condition.python(None, bound), Condition.python(bound, None)


def release_of(version: Version | str) -> Release:
    """A Python version as (major, minor, micro)."""
    parsed = version if isinstance(version, Version) else Version(version)
    return pad(parsed.release)


@lru_cache(maxsize=4096)
def specifier_floor(specifier: str) -> Release | None:
    """The lowest Python a `Requires-Python` admits, upper bounds aside (None: any).
    Cached: a page repeats a handful of strings over thousands of files."""
    floor: Release | None = None
    try:
        parsed = SpecifierSet(specifier)
    except InvalidSpecifier:
        return None
    for single in parsed:
        bound = _floor_of(single)
        if bound is not None and (floor is None or bound > floor):
            floor = bound
    return floor


def _floor_of(single: Specifier) -> Release | None:
    try:
        version = Version(single.version.removesuffix(".*"))
    except InvalidVersion:
        return None
    release = pad(version.release)
    if single.operator in (">=", "~=", "==", "==="):
        return release
    if single.operator == ">":
        return (release[0], release[1], release[2] + 1)
    return None
