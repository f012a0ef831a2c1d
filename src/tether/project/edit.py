"""Editing pyproject.toml with tomlkit, so comments, order and formatting survive.

Pure text in, text out: the caller decides when to write (after the new requirements
resolved) and writes atomically, so a failed `add` leaves the file as it was.
"""

from __future__ import annotations

from enum import StrEnum

import tomlkit
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array, Table

from tether.errors import ProjectError


class Section(StrEnum):
    DEPENDENCIES = "dependencies"
    OPTIONAL = "optional"
    GROUP = "group"


def add_requirements(
    text: str, requirements: list[Requirement], *, section: Section, name: str | None = None
) -> str:
    """`text` with each requirement added to the section, replacing an existing
    requirement on the same package there (so `add 'numpy>=2'` updates the bound)."""
    document = tomlkit.parse(text)
    put_requirements(_array(document, section, name, create=True), requirements)
    return tomlkit.dumps(document)


def put_requirements(array: Array, requirements: list[Requirement]) -> None:
    """Each requirement into `array`, in place of one on the same package (so `add
    'numpy>=2'` updates the bound); comments on other items stay."""
    for requirement in requirements:
        key = canonicalize_name(requirement.name)
        existing = [i for i, item in enumerate(array) if _name(str(item)) == key]
        if existing:
            array[existing[0]] = str(requirement)
            for index in reversed(existing[1:]):
                del array[index]
        else:
            array.append(str(requirement))
    if len(array) > 1:
        array.multiline(True)  # noqa: FBT003 - tomlkit's API


def drop_requirements(array: Array, names: list[str]) -> list[str]:
    """`array` without requirements on `names`; returns the names not found."""
    missing = []
    for wanted in names:
        key = canonicalize_name(wanted)
        found = [i for i, item in enumerate(array) if _name(str(item)) == key]
        if not found:
            missing.append(wanted)
        for index in reversed(found):
            del array[index]
    return missing


def set_project_version(text: str, version: str) -> str:
    """`text` with `[project].version` set (its quoting and comments kept)."""
    document = tomlkit.parse(text)
    project = document.get("project")
    if not isinstance(project, Table):
        raise ProjectError("no [project] table", hint="run `tether init` first")
    project["version"] = version
    return tomlkit.dumps(document)


def pin_to_index(text: str, names: list[str], index: str) -> str:
    """`text` with each package pinned to `index` in `[tool.tether.sources]` (an existing
    source for the package is replaced)."""
    return set_sources(text, {name: {"index": index} for name in names})


def set_sources(text: str, entries: dict[str, dict[str, object]]) -> str:
    """`text` with `[tool.tether.sources]` entries set (an existing one is replaced)."""
    document = tomlkit.parse(text)
    tool = _table(document, "tool", create=True)
    tether = _table(tool, "tether", create=True)
    sources = _table(tether, "sources", create=True)
    for name, fields in entries.items():
        entry = tomlkit.inline_table()
        entry.update(fields)
        sources[_existing_key(sources, name)] = entry
    return tomlkit.dumps(document)


def drop_unused_sources(text: str, names: list[str]) -> str:
    """`text` without `[tool.tether.sources]` entries for `names` that no dependency
    list mentions any more (`tether remove` cleans up after itself, as uv does)."""
    document = tomlkit.parse(text)
    sources = document.get("tool", {}).get("tether", {}).get("sources")
    if not isinstance(sources, Table):
        return text
    still = _mentioned(document)
    for name in names:
        key = _existing_key(sources, name)
        if key in sources and canonicalize_name(name) not in still:
            del sources[key]
    return tomlkit.dumps(document)


def _mentioned(document: tomlkit.TOMLDocument) -> set[str]:
    project = document.get("project", {})
    lists = [project.get("dependencies", [])]
    lists += list(project.get("optional-dependencies", {}).values())
    lists += list(document.get("dependency-groups", {}).values())
    return {n for items in lists for item in items if (n := _name(str(item))) is not None}


def remove_requirements(
    text: str, names: list[str], *, section: Section, name: str | None = None
) -> tuple[str, list[str]]:
    """`text` without requirements on `names`; also returns the names not found."""
    document = tomlkit.parse(text)
    missing = drop_requirements(_array(document, section, name, create=False), names)
    return tomlkit.dumps(document), missing


def _array(
    document: tomlkit.TOMLDocument, section: Section, name: str | None, *, create: bool
) -> Array:
    project = document.get("project")
    if not isinstance(project, Table):
        raise ProjectError("no [project] table", hint="run `tether init` first")
    if section is Section.DEPENDENCIES:
        container: Table = project
        key = "dependencies"
    elif section is Section.OPTIONAL:
        container = _table(project, "optional-dependencies", create=create)
        key = _existing_key(container, name or "")
    else:
        container = _table(document, "dependency-groups", create=create)
        key = _existing_key(container, name or "")
    if key not in container:
        if not create:
            raise ProjectError(
                f"the project has no {section.value} '{name}'",
                hint="check the --group / --optional name",
            )
        container[key] = tomlkit.array()
    array = container[key]
    if not isinstance(array, Array):
        raise ProjectError(f"`{key}` in pyproject.toml is not an array")
    return array


def _table(parent: Table | tomlkit.TOMLDocument, key: str, *, create: bool) -> Table:
    if key not in parent:
        if not create:
            raise ProjectError(f"pyproject.toml has no [{key}] table")
        parent[key] = tomlkit.table()
    table = parent[key]
    if not isinstance(table, Table):
        raise ProjectError(f"[{key}] in pyproject.toml is not a table")
    return table


def _existing_key(table: Table, name: str) -> str:
    """The key as written in the file for `name` (compared normalised), else `name`."""
    wanted = canonicalize_name(name)
    for key in table:
        if canonicalize_name(str(key)) == wanted:
            return str(key)
    return name


def _name(requirement: str) -> str | None:
    try:
        return canonicalize_name(Requirement(requirement).name)
    except ValueError:
        return None
