"""The decision diagram under `resolve.condition`: nodes in one unique table, so equal
sets of environments are the same integer, and and/or/not memoised on it.

A node tests one variable and has an edge per outcome: a Python node partitions the
releases into half-open intervals, a string node maps values (and "any other value")
to children, a yes/no node has two. Variables are tested in one fixed order (their
`Key`), and a node whose edges all lead to one child is that child: the diagram of a
set is unique (a reduced ordered decision diagram).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

Release = tuple[int, int, int]
Key = tuple[int, str]

PYTHON: Key = (0, "python_full_version")
STRINGS = (
    "implementation_name",
    "platform_python_implementation",
    "os_name",
    "sys_platform",
    "platform_system",
    "platform_machine",
    "platform_release",
    "platform_version",
    "implementation_version",
)
STRING_KEYS = {name: (1 + i, name) for i, name in enumerate(STRINGS)}
OPAQUE = 20
EXTRA: Key = (30, "extra")
EXTRAS = 40
GROUPS = 41
TERMINAL: Key = (99, "")

VERSION, STRING, BOOL = 0, 1, 2

# A version node's edges: ((upper, child), ...), `child` for releases below `upper`
# (exclusive) and at or above the previous edge's upper; the last upper is None (no end).
VersionEdges = tuple[tuple[Release | None, int], ...]
# A string node: ((value, child), ...) sorted by value, then the child for any other value.
StringEdges = tuple[tuple[tuple[str, int], ...], int]
BoolEdges = tuple[int, int]  # (child when false, child when true)

FALSE, TRUE = 0, 1


class _Store:
    """The unique table: one id per (variable, edges), so equal sets are equal ids."""

    def __init__(self) -> None:
        self.nodes: list[tuple[Key, int, Any]] = [(TERMINAL, -1, None), (TERMINAL, -1, None)]
        self.unique: dict[tuple[Key, Any], int] = {}
        self.memo: dict[tuple[int, int, int], int] = {}
        self.negations: dict[int, int] = {}
        self.atoms: dict[str, int] = {}
        self.lock = threading.RLock()

    def node(self, key: Key, kind: int, edges: Any) -> int:
        found = self.unique.get((key, edges))
        if found is not None:
            return found
        with self.lock:
            found = self.unique.get((key, edges))
            if found is None:
                found = len(self.nodes)
                self.nodes.append((key, kind, edges))
                self.unique[(key, edges)] = found
            return found


store = _Store()


def version_node(key: Key, edges: Iterable[tuple[Release | None, int]]) -> int:
    merged: list[tuple[Release | None, int]] = []
    for upper, child in edges:
        if merged and merged[-1][1] == child:
            merged[-1] = (upper, child)
        else:
            merged.append((upper, child))
    if len(merged) == 1:
        return merged[0][1]
    return store.node(key, VERSION, tuple(merged))


def string_node(key: Key, values: Iterable[tuple[str, int]], default: int) -> int:
    kept = tuple(sorted((v, c) for v, c in values if c != default))
    if not kept:
        return default
    return store.node(key, STRING, (kept, default))


def bool_node(key: Key, low: int, high: int) -> int:
    if low == high:
        return low
    return store.node(key, BOOL, (low, high))


AND, OR = 0, 1


def apply(op: int, a: int, b: int) -> int:
    """`a` AND `b` (op AND) or `a` OR `b` (op OR), memoised."""
    if op == AND:
        if FALSE in (a, b):
            return FALSE
        if a == TRUE:
            return b
        if b in (TRUE, a):
            return a
    else:
        if TRUE in (a, b):
            return TRUE
        if a == FALSE:
            return b
        if b in (FALSE, a):
            return a
    if a > b:
        a, b = b, a
    memo = (op, a, b)
    found = store.memo.get(memo)
    if found is not None:
        return found
    key_a, kind_a, edges_a = store.nodes[a]
    key_b, kind_b, edges_b = store.nodes[b]
    top = min(key_a, key_b)
    kind = kind_a if key_a == top else kind_b
    if kind == VERSION:
        left = edges_a if key_a == top else ((None, a),)
        right = edges_b if key_b == top else ((None, b),)
        result = version_node(top, _merge_intervals(op, left, right))
    elif kind == STRING:
        values_a, default_a = edges_a if key_a == top else ((), a)
        values_b, default_b = edges_b if key_b == top else ((), b)
        map_a, map_b = dict(values_a), dict(values_b)
        result = string_node(
            top,
            (
                (v, apply(op, map_a.get(v, default_a), map_b.get(v, default_b)))
                for v in sorted(map_a.keys() | map_b.keys())
            ),
            apply(op, default_a, default_b),
        )
    else:
        low_a, high_a = edges_a if key_a == top else (a, a)
        low_b, high_b = edges_b if key_b == top else (b, b)
        result = bool_node(top, apply(op, low_a, low_b), apply(op, high_a, high_b))
    store.memo[memo] = result
    return result


def _merge_intervals(
    op: int, left: VersionEdges, right: VersionEdges
) -> list[tuple[Release | None, int]]:
    out: list[tuple[Release | None, int]] = []
    i = j = 0
    while True:
        upper_l, child_l = left[i]
        upper_r, child_r = right[j]
        if upper_l is None and upper_r is None:
            out.append((None, apply(op, child_l, child_r)))
            return out
        if upper_r is None or (upper_l is not None and upper_l < upper_r):
            upper: Release | None = upper_l
            i += 1
        elif upper_l is None or upper_r < upper_l:
            upper = upper_r
            j += 1
        else:
            upper = upper_l
            i += 1
            j += 1
        out.append((upper, apply(op, child_l, child_r)))


def negate(node: int) -> int:
    if node <= TRUE:
        return TRUE - node
    found = store.negations.get(node)
    if found is not None:
        return found
    key, kind, edges = store.nodes[node]
    if kind == VERSION:
        result = version_node(key, ((upper, negate(child)) for upper, child in edges))
    elif kind == STRING:
        values, default = edges
        result = string_node(key, ((v, negate(c)) for v, c in values), negate(default))
    else:
        result = bool_node(key, negate(edges[0]), negate(edges[1]))
    store.negations[node] = result
    store.negations[result] = node
    return result


def pad(parts: tuple[int, ...]) -> Release:
    padded = (*parts, 0, 0, 0)
    return (padded[0], padded[1], padded[2])


def interval(lower: Release | None, upper: Release | None) -> int:
    if lower is not None and upper is not None and lower >= upper:
        return FALSE
    edges: list[tuple[Release | None, int]] = []
    if lower is not None:
        edges.append((lower, FALSE))
    edges.append((upper, TRUE))
    if upper is not None:
        edges.append((None, FALSE))
    return version_node(PYTHON, edges)
