"""Core metadata from an sdist's `pyproject.toml`, when PEP 621 makes it static. Pure.

Many sdists still ship Metadata 2.1 PKG-INFO (meson-python, older setuptools), which
PEP 643 says not to trust for dependencies; but when their `[project]` table declares
`dependencies`, `optional-dependencies` and `requires-python` without listing them in
`dynamic`, the build backend must produce exactly those. uv reads them so instead of
building (PyGObject's sdist needs pycairo, meson and the GObject C libraries to build);
so do we. The result is METADATA text, so it is cached and parsed like any other.
"""

from __future__ import annotations

import tomllib
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

# What resolution reads: if any of them is left to the backend, the table cannot answer.
_NEEDED = frozenset({"dependencies", "optional-dependencies", "requires-python"})


def static_metadata(text: str, *, name: NormalizedName, version: Version) -> bytes | None:
    """Metadata 2.2 text for release `name` `version` from its sdist's pyproject.toml,
    or None when the table does not fix what resolution needs: no `[project]`, a needed
    field in `dynamic`, Poetry's dependencies without `[project]` ones, another name or
    version than the release's, or a requirement that does not parse. The version may be
    dynamic: the sdist's file name fixes it."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    project = document.get("project")
    if not isinstance(project, dict) or not _static(project, document):
        return None
    try:
        if canonicalize_name(str(project.get("name", "")), validate=True) != name:
            return None
        if "version" in project and Version(str(project["version"])) != version:
            return None
        requires_python = project.get("requires-python")
        if requires_python is not None:
            SpecifierSet(str(requires_python))
        requirements = _requirements(project)
    except (InvalidName, InvalidVersion, InvalidSpecifier, InvalidRequirement, InvalidMarker):
        return None
    if requirements is None:
        return None
    lines = ["Metadata-Version: 2.2", f"Name: {project['name']}", f"Version: {version}"]
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {r}" for r in requirements]
    lines += [f"Provides-Extra: {e}" for e in _extras(project)]
    return ("\n".join(lines) + "\n\n").encode()


def _static(project: dict[str, Any], document: dict[str, Any]) -> bool:
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or _NEEDED & {str(d) for d in dynamic}:
        return False
    # `[project]` without dependencies next to `[tool.poetry]`: Poetry's dependencies are
    # the real ones (uv reads it so too).
    tool = document.get("tool")
    return "dependencies" in project or not (isinstance(tool, dict) and "poetry" in tool)


def _requirements(project: dict[str, Any]) -> list[Requirement] | None:
    """The dependencies, then each extra's under `extra == "name"`; None when a
    field has the wrong shape."""
    dependencies = project.get("dependencies", [])
    optional = project.get("optional-dependencies", {})
    if not isinstance(dependencies, list) or not isinstance(optional, dict):
        return None
    found = [Requirement(str(line)) for line in dependencies]
    for extra, lines in sorted(optional.items()):
        if not isinstance(lines, list):
            return None
        for line in lines:
            requirement = Requirement(str(line))
            clause = f'extra == "{canonicalize_name(extra)}"'
            own = requirement.marker
            requirement.marker = Marker(clause if own is None else f"({own}) and {clause}")
            found.append(requirement)
    return found


def _extras(project: dict[str, Any]) -> list[str]:
    optional = project.get("optional-dependencies", {})
    return sorted(str(canonicalize_name(e)) for e in optional) if isinstance(optional, dict) else []
