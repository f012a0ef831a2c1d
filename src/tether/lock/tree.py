"""The locked dependency graph as the lock's dependency lists give it, and its drawing:
depth first, a subtree drawn once and marked `(*)` where it repeats (as uv and cargo do)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.errors import LockError


@dataclass(slots=True)
class Node:
    versions: list[str] = field(default_factory=list)
    deps: set[str] = field(default_factory=set)


def locked_graph(path: Path) -> dict[str, Node]:
    """Each locked name's versions and the names its entries depend on."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LockError(f"{path} does not exist", hint="run `tether lock` first") from None
    found: dict[str, Node] = {}
    for package in data.get("packages", []):
        entry = found.setdefault(canonicalize_name(package["name"]), Node())
        if package.get("version"):
            entry.versions.append(package["version"])
        entry.deps |= {canonicalize_name(d["name"]) for d in package.get("dependencies", [])}
    return found


def render(
    name: str,
    edges: Mapping[str, list[str]],
    label: Callable[[str], str],
    depth: int | None,
    *,
    prefix: str = "",
    last: bool = True,
    top: bool = True,
    seen: frozenset[str] = frozenset(),
    level: int = 1,
    shown: set[str] | None = None,
) -> list[str]:
    """Depth-first drawing; a package whose subtree was already drawn (or a cycle)
    is marked `(*)` and not expanded again, as uv and cargo do."""
    shown = set() if shown is None else shown
    kids = edges.get(name, [])
    repeated = name in seen or (bool(kids) and name in shown)
    connector = "" if top else ("└── " if last else "├── ")
    lines = [f"{prefix}{connector}{label(name)}" + (" (*)" if repeated else "")]
    if repeated or (depth is not None and level >= depth):
        return lines
    shown.add(name)
    child_prefix = prefix + ("" if top else ("    " if last else "│   "))
    for position, kid in enumerate(kids):
        lines += render(
            kid, edges, label, depth, prefix=child_prefix, last=position == len(kids) - 1,
            top=False, seen=seen | {name}, level=level + 1, shown=shown,
        )  # fmt: skip
    return lines
