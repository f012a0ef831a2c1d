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


def _build(terms: list[list[Literal]]) -> int:
    result = FALSE
    for term in terms:
        conjunction = TRUE
        for literal in term:
            conjunction = apply(AND, conjunction, _literal_node(literal))
        result = apply(OR, result, conjunction)
    return result


def render(target: int, care: int) -> str:
    terms = [list(t) for t in _paths(target)]

    def same(candidate: list[list[Literal]]) -> bool:
        return apply(AND, _build(candidate), care) == target

    for index in range(len(terms)):
        # Negative literals are tried first: of two equivalent forms under the care set
        # (`"cu126" not in extras and "cu128" not in extras` or `"cpu" in extras`, when
        # exactly one backend is on), the positive one is the one a reader expects.
        for literal in sorted(terms[index], key=lambda lit: lit[1] not in ("ne", "not")):
            shorter = [t for t in terms[index] if t != literal]
            trial = [*terms[:index], shorter, *terms[index + 1 :]]
            if same(trial):
                terms[index] = shorter
    index = 0
    while index < len(terms) and len(terms) > 1:
        trial = terms[:index] + terms[index + 1 :]
        if same(trial):
            terms = trial
        else:
            index += 1
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
