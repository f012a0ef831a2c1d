"""Writing a `Condition` as the shortest marker: read the diagram's paths to "true" as
a DNF (canonical, since the diagram is), then drop literals and whole terms greedily
while the result still equals the set inside the care set. The output depends on the
diagram alone, so equivalent markers are written alike.
"""

from __future__ import annotations

from typing import Any

from packaging.markers import Marker

from tether.resolve.decision import (
    AND,
    EXTRAS,
    FALSE,
    GROUPS,
    OR,
    STRING,
    TRUE,
    VERSION,
    Key,
    Release,
    apply,
    bool_node,
    interval,
    negate,
    store,
    string_node,
)

# A literal of a DNF term: (variable, operator, value). Operators: "ge"/"lt" (Python
# bounds), "eq"/"ne" (strings), "is"/"not" (yes/no variables).
Literal = tuple[Key, str, Any]
Term = tuple[Literal, ...]


def _paths(node: int) -> list[Term]:
    """Every path to TRUE, as terms (read off the diagram: canonical, not yet short)."""
    if node == TRUE:
        return [()]
    if node == FALSE:
        return []
    key, kind, edges = store.nodes[node]
    found: list[Term] = []
    if kind == VERSION:
        lower: Release | None = None
        for upper, child in edges:
            literals: list[Literal] = []
            if lower is not None:
                literals.append((key, "ge", lower))
            if upper is not None:
                literals.append((key, "lt", upper))
            found += [(*literals, *rest) for rest in _paths(child)]
            lower = upper
    elif kind == STRING:
        values, default = edges
        for value, child in values:
            found += [((key, "eq", value), *rest) for rest in _paths(child)]
        others = tuple((key, "ne", value) for value, _ in values)
        found += [(*others, *rest) for rest in _paths(default)]
    else:
        low, high = edges
        found += [((key, "is", True), *rest) for rest in _paths(high)]
        found += [((key, "not", True), *rest) for rest in _paths(low)]
    return found


def _literal_node(literal: Literal) -> int:
    key, operator, value = literal
    if operator == "ge":
        return interval(value, None)
    if operator == "lt":
        return interval(None, value)
    if operator in ("eq", "ne"):
        node = string_node(key, [(value, TRUE)], FALSE)
        return node if operator == "eq" else negate(node)
    node = bool_node(key, FALSE, TRUE)
    return node if operator == "is" else negate(node)


def _conjunction(term: list[Literal]) -> int:
    node = TRUE
    for literal in term:
        node = apply(AND, node, _literal_node(literal))
    return node


def _suffixes(nodes: list[int]) -> list[int]:
    """`found[i]`: the disjunction of `nodes[i:]` (FALSE past the end)."""
    found = [FALSE] * (len(nodes) + 1)
    for index in range(len(nodes) - 1, -1, -1):
        found[index] = apply(OR, nodes[index], found[index + 1])
    return found


def render(target: int, care: int) -> str:
    """Greedy, in a fixed order: each literal of each term dropped if the DNF still
    equals `target` inside `care`, then each whole term. Each trial joins the changed
    term to the disjunction of the others (kept as a prefix and suffixes) instead of
    rebuilding the whole DNF: a package wanted by 30 extras has a DNF of 30 terms, and
    rebuilding it per trial was 21 s of pydantic-ai-slim's 25 s lock."""
    terms = [list(t) for t in _paths(target)]

    def same(rest: int, term: list[Literal]) -> bool:
        return apply(AND, apply(OR, rest, _conjunction(term)), care) == target

    after = _suffixes([_conjunction(t) for t in terms])
    before = FALSE
    for index in range(len(terms)):
        rest = apply(OR, before, after[index + 1])
        # Negative literals are tried first: of two equivalent forms under the care set
        # (`"cu126" not in extras and "cu128" not in extras` or `"cpu" in extras`, when
        # exactly one backend is on), the positive one is the one a reader expects.
        for literal in sorted(terms[index], key=lambda lit: lit[1] not in ("ne", "not")):
            shorter = [t for t in terms[index] if t != literal]
            if same(rest, shorter):
                terms[index] = shorter
        before = apply(OR, before, _conjunction(terms[index]))
    if len(terms) > 1:
        nodes = [_conjunction(t) for t in terms]
        after = _suffixes(nodes)
        before = FALSE
        kept: list[list[Literal]] = []
        for index, term in enumerate(terms):
            remaining = len(kept) + len(terms) - index - 1
            if remaining >= 1 and apply(AND, apply(OR, before, after[index + 1]), care) == target:
                continue  # dropped
            kept.append(term)
            before = apply(OR, before, nodes[index])
        terms = kept
    written = sorted({_term_text(t) for t in terms})
    if len(written) == 1:
        return written[0]
    return " or ".join(f"({t})" if " and " in t else t for t in written)


ORDER = {"ge": 0, "lt": 1, "eq": 0, "ne": 1, "is": 0, "not": 0}


def _term_text(term: list[Literal]) -> str:
    literals = sorted(term, key=lambda lit: (lit[0], ORDER[lit[1]], str(lit[2])))
    parts: list[str] = []
    index = 0
    while index < len(literals):
        key, operator, value = literals[index]
        following = literals[index + 1] if index + 1 < len(literals) else None
        if (
            operator == "ge"
            and following is not None
            and following[0] == key
            and following[1] == "lt"
        ):
            lower, upper = value, following[2]
            if upper == (lower[0], lower[1], lower[2] + 1):
                parts.append(f'{key[1]} == "{_version_text(lower, keep_micro=True)}"')
                index += 2
                continue
            if lower[2] == 0 and upper == (lower[0], lower[1] + 1, 0):
                parts.append(f'{key[1]} == "{lower[0]}.{lower[1]}.*"')
                index += 2
                continue
        parts.append(_literal_text(key, operator, value))
        index += 1
    return " and ".join(parts)


def _literal_text(key: Key, operator: str, value: Any) -> str:
    if operator == "ge":
        return f'{key[1]} >= "{_version_text(value)}"'
    if operator == "lt":
        return f'{key[1]} < "{_version_text(value)}"'
    if operator in ("eq", "ne"):
        return f'{key[1]} {"==" if operator == "eq" else "!="} "{value}"'
    if key[0] in (EXTRAS, GROUPS):
        variable = "extras" if key[0] == EXTRAS else "dependency_groups"
        return f'"{key[1]}" {"in" if operator == "is" else "not in"} {variable}'
    if operator == "is":
        return key[1]
    return _negated_text(key[1])


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


def _negated_text(text: str) -> str:
    atom: Any = Marker(text)._markers[0]
    left, op, right = atom
    inverse = _NEGATED.get(op.value)
    if inverse is None:
        raise ValueError(f"the marker {text!r} has no negation in PEP 508")
    return f"{quote(left)} {inverse} {quote(right)}"


def _version_text(release: Release, *, keep_micro: bool = False) -> str:
    major, minor, micro = release
    if micro or keep_micro:
        return f"{major}.{minor}.{micro}"
    return f"{major}.{minor}"


def quote(part: Any) -> str:
    if type(part).__name__ == "Variable":
        return str(part.value)
    return f'"{part.value}"'
