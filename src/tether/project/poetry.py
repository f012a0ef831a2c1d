"""Poetry projects: a `[tool.poetry]` table read as the PEP 621 + PEP 735 +
`[tool.tether]` tables it means. Pure: plain data in, plain data out.

`tether` reads a Poetry project through this (so `lock`, `sync` and `run` work on it
as it is) and `tether migrate` writes the result into `pyproject.toml`. What Poetry's
syntax says and how it comes out:

- `^1.2.3` -> `>=1.2.3,<2.0.0`, `^0.2.3` -> `>=0.2.3,<0.3.0`, `~1.2.3` -> `>=1.2.3,<1.3.0`,
  `~1` -> `>=1,<2`, `1.2.3` -> `==1.2.3`, `*` -> any; commas or spaces join constraints.
- `python = "^3.10"` under dependencies -> `requires-python = ">=3.10,<4.0"`; a
  dependency's `python` / `platform` / `markers` -> one PEP 508 marker.
- `optional = true` dependencies -> the `[tool.poetry.extras]` that list them.
- `[tool.poetry.group.X.dependencies]` (and the old `dev-dependencies`) -> dependency
  group X; groups marked `optional = true` are left out of `default-groups`.
- `[[tool.poetry.source]]` -> `[[tool.tether.index]]` by priority (`explicit` ->
  `explicit = true`; `primary` sources replace PyPI unless a source names PyPI, so the
  last becomes `default = true`; `supplemental` and `secondary` are searched before the
  default, which is as close as tether's first-match order gets: said in a warning),
  and a dependency's `source` -> `[tool.tether.sources]`.
- `path` (+ `develop`) -> a path source; `url` -> `name @ url`; `git` -> a PEP 508 VCS
  reference (which tether's lock refuses, saying so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

PYPI_SIMPLE = "https://pypi.org/simple"


class PoetryError(ValueError):
    """A `[tool.poetry]` value tether cannot translate; `where` is its TOML key path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"`{where}`: {message}")
        self.where = where
        self.detail = message


@dataclass(slots=True)
class Converted:
    project: dict[str, Any]
    dependency_groups: dict[str, list[str]] = field(default_factory=dict)
    tether: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def is_poetry_project(data: Mapping[str, Any]) -> bool:
    """A Poetry 1.x-style manifest: `[tool.poetry]` with dependencies, no `[project]`."""
    poetry = data.get("tool", {}).get("poetry")
    return (
        "project" not in data
        and isinstance(poetry, dict)
        and ("dependencies" in poetry or "name" in poetry)
    )


def is_poetry2_project(data: Mapping[str, Any]) -> bool:
    """A Poetry 2 manifest: PEP 621 `[project]`, with groups, sources or dependency
    details still in `[tool.poetry]`."""
    poetry = data.get("tool", {}).get("poetry")
    return (
        "project" in data
        and isinstance(poetry, dict)
        and any(key in poetry for key in ("group", "dev-dependencies", "source", "dependencies"))
    )


def convert_poetry2(data: Mapping[str, Any]) -> Converted:
    """What a Poetry 2 manifest keeps in `[tool.poetry]` beside `[project]`: groups,
    sources, and per-dependency details (`source`, `path`) in `[tool.poetry.dependencies]`.
    Version bounds there only narrow `[project]`'s for Poetry: named, not applied."""
    poetry: dict[str, Any] = data["tool"]["poetry"]
    converted = Converted(project={})
    sources: dict[str, dict[str, Any]] = {}
    details = _table(poetry.get("dependencies", {}), "tool.poetry.dependencies")
    for name, spec in details.items():
        if name.lower() == "python":
            continue
        where = f"tool.poetry.dependencies.{name}"
        if isinstance(spec, dict) and ("source" in spec or "path" in spec):
            _requirements(name, spec, where, sources)  # records the source
        else:
            converted.warnings.append(
                f"[tool.poetry.dependencies] {name}: only [project].dependencies is read; "
                "this entry's constraint is not applied"
            )
    _groups(poetry, converted, sources)
    _sources(poetry, converted)
    if sources:
        converted.tether["sources"] = sources
    return converted


def convert(data: Mapping[str, Any]) -> Converted:
    poetry: dict[str, Any] = data["tool"]["poetry"]
    project: dict[str, Any] = {}
    for key in ("name", "version", "description"):
        if key in poetry:
            project[key] = poetry[key]
    converted = Converted(project=project)
    _metadata(poetry, project)
    sources: dict[str, dict[str, Any]] = {}
    dependencies: list[str] = []
    optional: dict[str, list[str]] = {}
    raw_dependencies = _table(poetry.get("dependencies", {}), "tool.poetry.dependencies")
    for name, spec in raw_dependencies.items():
        where = f"tool.poetry.dependencies.{name}"
        if name.lower() == "python":
            project["requires-python"] = _python_constraint(spec, where)
            continue
        for requirement, is_optional in _requirements(name, spec, where, sources):
            (optional.setdefault(name.lower(), []) if is_optional else dependencies).append(
                requirement
            )
    project["dependencies"] = dependencies
    extras = _table(poetry.get("extras", {}), "tool.poetry.extras")
    if extras:
        project["optional-dependencies"] = {
            extra: [
                requirement
                for package in _list(packages, f"tool.poetry.extras.{extra}")
                for requirement in optional.get(str(package).lower(), [f"{package}"])
            ]
            for extra, packages in extras.items()
        }
    _groups(poetry, converted, sources)
    _sources(poetry, converted)
    if sources:
        converted.tether["sources"] = sources
    return converted


def poetry_constraint(text: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier ("" for any version)."""
    text = text.strip()
    if text in ("", "*"):
        return ""
    if "|" in text:
        raise ValueError(f"'{text}' joins constraints with 'or', which PEP 440 cannot say")
    parts = [p for p in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text) if p]
    specifiers = [spec for part in parts for spec in _one_constraint(part.replace(" ", ""))]
    result = ",".join(specifiers)
    try:
        SpecifierSet(result)
    except InvalidSpecifier:
        raise ValueError(f"'{text}' is not a version constraint") from None
    return result


def _one_constraint(part: str) -> list[str]:
    if part.startswith("^"):
        return _bounded(part[1:], caret=True)
    if part.startswith("~") and not part.startswith("~="):
        return _bounded(part[1:], caret=False)
    if re.match(r"^(===|==|!=|>=|<=|~=|>|<)", part):
        return [part]
    if part.startswith("="):
        return ["==" + part[1:]]
    return ["==" + part]


def _bounded(text: str, *, caret: bool) -> list[str]:
    try:
        version = Version(text)
    except InvalidVersion:
        raise ValueError(f"'{text}' is not a version") from None
    written = re.match(r"^\d+(?:\.\d+)*", text)
    given = len(written.group(0).split(".")) if written else 1
    release = (list(version.release) + [0] * given)[:given]
    if caret:
        nonzero = [i for i, part in enumerate(release) if part != 0]
        bump = nonzero[0] if nonzero else len(release) - 1
    else:
        bump = 1 if len(release) >= 2 else 0
    upper = [*release[:bump], release[bump] + 1] + [0] * (len(release) - bump - 1)
    return [f">={text}", "<" + ".".join(str(p) for p in upper)]


def _python_constraint(spec: object, where: str) -> str:
    if not isinstance(spec, str):
        raise PoetryError(where, 'the Python constraint must be a string such as "^3.10"')
    try:
        return poetry_constraint(spec)
    except ValueError as err:
        raise PoetryError(where, str(err)) from None


def _requirements(
    name: str, spec: object, where: str, sources: dict[str, dict[str, Any]]
) -> list[tuple[str, bool]]:
    """One PEP 508 string per constraint (a list of constraints gives several), each
    with whether it is optional."""
    if isinstance(spec, list):
        return [
            entry
            for position, item in enumerate(spec)
            for entry in _requirements(name, item, f"{where}[{position}]", sources)
        ]
    if isinstance(spec, str):
        return [(_pep508(name, [], _specifier(spec, where), None, ""), False)]
    if not isinstance(spec, dict):
        raise PoetryError(where, "expected a version string or a table")
    extras = [str(e) for e in _list(spec.get("extras", []), f"{where}.extras")]
    markers = _markers(spec, where)
    reference = ""
    if "git" in spec:
        rev = spec.get("rev") or spec.get("tag") or spec.get("branch")
        subdirectory = f"#subdirectory={spec['subdirectory']}" if "subdirectory" in spec else ""
        git = str(spec["git"])
        reference = f"git+{git}{'@' + str(rev) if rev else ''}{subdirectory}"
    elif "url" in spec:
        reference = str(spec["url"])
    elif "path" in spec:
        entry: dict[str, Any] = {"path": str(spec["path"])}
        if spec.get("develop"):
            entry["editable"] = True
        sources[name] = entry
    if "source" in spec:
        sources[name] = {"index": str(spec["source"])}
    specifier = _specifier(str(spec.get("version", "")), f"{where}.version")
    return [(_pep508(name, extras, specifier, markers, reference), bool(spec.get("optional")))]


def _specifier(text: str, where: str) -> str:
    try:
        return poetry_constraint(text)
    except ValueError as err:
        raise PoetryError(where, str(err)) from None


def _markers(spec: Mapping[str, Any], where: str) -> str | None:
    parts: list[str] = []
    if "python" in spec:
        parts.append(_python_marker(str(spec["python"]), f"{where}.python"))
    if "platform" in spec:
        parts.append(f'sys_platform == "{spec["platform"]}"')
    if "markers" in spec:
        parts.append(f"({spec['markers']})" if parts else str(spec["markers"]))
    return " and ".join(parts) or None


def _python_marker(text: str, where: str) -> str:
    clauses = []
    for spec in SpecifierSet(_specifier(text, where)):
        version = spec.version
        if version.endswith(".*"):
            clauses.append(f'python_version {spec.operator} "{version[:-2]}"')
            continue
        variable = "python_version" if version.count(".") <= 1 else "python_full_version"
        clauses.append(f'{variable} {spec.operator} "{version}"')
    joined = " and ".join(sorted(clauses))
    return f"({joined})" if len(clauses) > 1 else joined


def _pep508(name: str, extras: list[str], specifier: str, marker: str | None, ref: str) -> str:
    text = name + (f"[{','.join(extras)}]" if extras else "")
    if ref:
        text += f" @ {ref}"
        if marker:
            text += " "
    else:
        text += specifier
    if marker:
        text += f"; {marker}"
    return text


def _metadata(poetry: Mapping[str, Any], project: dict[str, Any]) -> None:
    for key in ("readme", "keywords", "classifiers"):
        if key in poetry:
            project[key] = poetry[key]
    if "license" in poetry:
        project["license"] = {"text": str(poetry["license"])}
    for key in ("authors", "maintainers"):
        if key in poetry:
            project[key] = [_person(str(p)) for p in _list(poetry[key], f"tool.poetry.{key}")]
    urls = dict(_table(poetry.get("urls", {}), "tool.poetry.urls"))
    for key in ("homepage", "repository", "documentation"):
        if key in poetry:
            urls[key.capitalize()] = poetry[key]
    if urls:
        project["urls"] = urls
    if "scripts" in poetry:
        scripts = _table(poetry["scripts"], "tool.poetry.scripts")
        project["scripts"] = {k: v for k, v in scripts.items() if isinstance(v, str)}
    if "plugins" in poetry:
        project["entry-points"] = poetry["plugins"]


def _person(text: str) -> dict[str, str]:
    found = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", text)
    if found is None:
        return {"name": text.strip()}
    person = {"email": found.group(2)}
    if found.group(1):
        person = {"name": found.group(1), **person}
    return person


def _groups(poetry: Mapping[str, Any], converted: Converted, sources: dict[str, Any]) -> None:
    groups: dict[str, list[str]] = {}
    optional_groups: set[str] = set()
    legacy = _table(poetry.get("dev-dependencies", {}), "tool.poetry.dev-dependencies")
    for name, spec in legacy.items():
        where = f"tool.poetry.dev-dependencies.{name}"
        groups.setdefault("dev", []).extend(r for r, _ in _requirements(name, spec, where, sources))
    for group, table in _table(poetry.get("group", {}), "tool.poetry.group").items():
        where = f"tool.poetry.group.{group}"
        body = _table(table, where)
        if body.get("optional"):
            optional_groups.add(group)
        deps = _table(body.get("dependencies", {}), f"{where}.dependencies")
        entries = groups.setdefault(group, [])
        for name, spec in deps.items():
            entries.extend(
                r for r, _ in _requirements(name, spec, f"{where}.dependencies.{name}", sources)
            )
    converted.dependency_groups = groups
    default = [g for g in groups if g not in optional_groups]
    if groups and default != (["dev"] if "dev" in groups else []):
        converted.tether["default-groups"] = default


def _sources(poetry: Mapping[str, Any], converted: Converted) -> None:
    """Poetry's sources in tether's order: primaries (or PyPI) first, supplemental ones
    after them (Poetry asks those only for what the others lack: first match wins here,
    so they come last), explicit ones anywhere. The last searched index becomes tether's
    `default` when PyPI must not be searched after it."""
    raw = _list(poetry.get("source", []), "tool.poetry.source")
    ordered: list[tuple[str, dict[str, Any]]] = []  # (priority, index), in the file's order
    for position, entry in enumerate(raw):
        where = f"tool.poetry.source[{position}]"
        source = _table(entry, where)
        name = str(source.get("name", ""))
        priority = str(source.get("priority", "primary"))
        if priority == "secondary":
            priority = "supplemental"
        if name.lower() == "pypi" and "url" not in source:
            ordered.append(("pypi", {"name": "pypi", "url": PYPI_SIMPLE}))
            continue
        if "url" not in source:
            raise PoetryError(where, "a source needs a url")
        index: dict[str, Any] = {"name": name, "url": str(source["url"])}
        if priority == "explicit":
            index["explicit"] = True
        elif priority == "default":
            index["default"] = True
        ordered.append((priority, index))
    ordered.sort(key=lambda item: item[0] == "supplemental")  # stable: the rest keep order
    kinds = [kind for kind, _ in ordered]
    if "supplemental" in kinds and not {"primary", "pypi", "default"} & set(kinds):
        # PyPI is Poetry's primary: searched before the supplemental sources.
        ordered.insert(kinds.index("supplemental"), ("pypi", {"name": "pypi", "url": PYPI_SIMPLE}))
        kinds = [kind for kind, _ in ordered]
    searched = [index for kind, index in ordered if kind in ("primary", "pypi", "supplemental")]
    if searched and "default" not in kinds and ("supplemental" in kinds or "pypi" not in kinds):
        # Nothing after the last one: Poetry searches PyPI only when it is a source.
        searched[-1]["default"] = True
    if ordered:
        converted.tether["index"] = [index for _, index in ordered]


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PoetryError(where, "expected a table")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PoetryError(where, "expected an array")
    return value


def as_pyproject(data: Mapping[str, Any], converted: Converted) -> dict[str, Any]:
    """The whole manifest as tether reads it: converted tables in, Poetry's out."""
    result: dict[str, Any] = {
        key: value for key, value in data.items() if key not in ("tool", "project")
    }
    result["project"] = converted.project
    if converted.dependency_groups:
        result["dependency-groups"] = converted.dependency_groups
    tool = {k: v for k, v in data.get("tool", {}).items() if k != "poetry"}
    tether = {**tool.get("tether", {}), **converted.tether}
    if tether:
        tool["tether"] = tether
    result["tool"] = tool
    return result
