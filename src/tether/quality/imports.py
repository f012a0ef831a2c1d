"""The top-level modules a Python file imports, read with `ast` (never executed), with
their line numbers; relative imports are the file's own package and are left out."""

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
    found: list[ImportSite] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(ImportSite(alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(ImportSite(node.module.split(".")[0], node.lineno))
    return found
