"""The top-level modules a Python file imports, read with `ast` (never executed), with
their line numbers; relative imports are the file's own package and are left out, and
so are imports under `if TYPE_CHECKING:` (only the type checker runs them), as deptry
does."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportSite:
    module: str  # the top-level name: `numpy` for `import numpy.linalg`
    line: int


def imported_modules(source: str, filename: str = "<source>") -> list[ImportSite]:
    """Every absolute import in `source` (a syntax error yields none: ruff reports it)."""
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError):
        return []
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found: list[ImportSite] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.extend(ImportSite(alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(ImportSite(node.module.split(".")[0], node.lineno))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING` (or `typing_extensions.`)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
