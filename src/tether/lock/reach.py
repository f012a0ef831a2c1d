"""What a set of packages reaches through a lock's dependency lists. Pure: `sync` and
`export` use it to install or export one workspace member (or only some groups)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.utils import canonicalize_name


def dependency_names(dependencies: Iterable[object] | None) -> list[str]:
    """The names in a PEP 751 package's `dependencies` (tables with a `name`)."""
    names: list[str] = []
    for dependency in dependencies or ():
        found = dependency.get("name") if isinstance(dependency, Mapping) else None
        if isinstance(found, str):
            names.append(canonicalize_name(found))
    return names


def reached(children: Mapping[str, Iterable[str]], roots: Iterable[str]) -> set[str]:
    """The names `roots` reach (themselves included) through `children`, by name."""
    todo = [canonicalize_name(r) for r in roots]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [canonicalize_name(c) for c in children.get(name, ())]
    return seen
