"""Workspaces: several projects in one repository, one lock and one environment.

The root's `pyproject.toml` names its members (`[tool.tether.workspace]`, or uv's
`[tool.uv.workspace]`, read as it is): `members` globs, minus `exclude` globs, each
matched directory a project. The lock resolves them together as one project whose
dependencies are the root's own and every member (each a path source, installed
editable), so one `pylock.toml` at the root serves every member, and a requirement on a
member's name, anywhere in the graph, is that member's directory, never an index's
package of that name. Commands started in a member's directory (or given `--package`)
act on that member: `sync` installs what it reaches in the lock.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from tether.errors import ProjectError
from tether.fs import atomic_write
from tether.project.fields import check_keys, expect_str_list, expect_table
from tether.project.pyproject import Project, load_project, parse_project
from tether.project.settings import Source
from tether.project.toml_source import TomlDocument, read_toml

_KEYS = frozenset({"members", "exclude"})


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    members: Mapping[NormalizedName, Project]  # by name, the root's own project included
    root_project: NormalizedName | None  # None: a virtual root (no [project] of its own)
    current: NormalizedName | None  # the member the command started in (None: the root)

    def member(self, name: str) -> Project:
        """The member called `name`, or an error that lists them."""
        found = self.members.get(canonicalize_name(name))
        if found is None:
            raise ProjectError(
                f"the workspace at {self.root} has no member '{name}'",
                hint=f"members: {', '.join(sorted(self.members)) or 'none'}",
            )
        return found

    def chosen(self, *, all_packages: bool = False) -> tuple[NormalizedName, ...]:
        """The members a command acts on: all of them, the one it started in, else the
        root's project (every member for a virtual root)."""
        if all_packages:
            return tuple(sorted(self.members))
        if self.current is not None:
            return (self.current,)
        if self.root_project is not None:
            return (self.root_project,)
        return tuple(sorted(self.members))


def workspace_table(data: Mapping[str, Any]) -> tuple[str, object] | None:
    """`(where, table)` of the workspace declaration in a pyproject's data, if any."""
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    for owner in ("tether", "uv"):
        table = tool.get(owner)
        if isinstance(table, dict) and "workspace" in table:
            return f"tool.{owner}.workspace", table["workspace"]
    return None


def open_project(pyproject: Path) -> Project:
    """The project at `pyproject`, or, when it is a workspace's root or member, the
    workspace as one project (see the module's docstring)."""
    root = workspace_root(pyproject)
    if root is None:
        return load_project(pyproject)
    return workspace_project(load_workspace(root, current=pyproject.parent))


def load_workspace(root: Path, *, current: Path | None = None) -> Workspace:
    doc, directories = _declared_members(root)
    members: dict[NormalizedName, Project] = {}
    root_project = None
    if "project" in doc.data:
        own = parse_project(doc)
        members[own.name] = own
        root_project = own.name
    for directory in directories:
        member = load_project(directory / "pyproject.toml")
        if member.name in members:
            other = members[member.name].root
            raise ProjectError(
                f"two workspace members are called '{member.name}': {other} and {directory}",
                path=doc.path,
                hint="rename one, or exclude one with `exclude`",
            )
        members[member.name] = member
    here = None
    if current is not None:
        here = next(
            (m.name for m in members.values() if m.root.resolve() == current.resolve()), None
        )
    if here == root_project:
        here = None
    return Workspace(root, MappingProxyType(members), root_project, here)


def workspace_project(workspace: Workspace) -> Project:
    """The project the lock resolves: the root's own (or an empty virtual one) with
    every member as a dependency (an editable path source), the members' extras and
    dependency groups as the workspace's, and their requires-python intersected."""
    root = workspace.root
    base = (
        workspace.members[workspace.root_project]
        if workspace.root_project is not None
        else _virtual_root(root)
    )
    others = [m for name, m in sorted(workspace.members.items()) if name != base.name]
    requires_python = SpecifierSet(str(base.requires_python))
    for member in others:
        requires_python &= member.requires_python
    if any(str(m.requires_python) != str(base.requires_python) for m in others):
        requires_python = _shortest(requires_python)
    extras = {k: tuple(v) for k, v in base.optional_dependencies.items()}
    groups = {k: tuple(v) for k, v in base.dependency_groups.items()}
    for member in others:
        for extra in member.optional_dependencies:
            extras[extra] = (*extras.get(extra, ()), Requirement(f"{member.name}[{extra}]"))
        for group, requirements in member.dependency_groups.items():
            groups[group] = (*groups.get(group, ()), *requirements)
    sources = _sources(workspace, base, others)
    settings = replace(base.settings, sources=MappingProxyType(sources))
    return replace(
        base,
        requires_python=requires_python,
        dependencies=(*base.dependencies, *(Requirement(str(m.name)) for m in others)),
        optional_dependencies=MappingProxyType(extras),
        dependency_groups=MappingProxyType(groups),
        settings=settings,
        workspace=workspace,
        notes=tuple(dict.fromkeys(n for m in (base, *others) for n in m.notes)),
    )


def _shortest(specifiers: SpecifierSet) -> SpecifierSet:
    """The members' requires-python joined into the fewest clauses (`>=3.12.0,<3.15`,
    not `<3.15,>=3.10,>=3.12.0,>=3.9.0`): the lock's header is read in review."""
    versions = specifiers.to_range()
    if versions.is_empty:
        return specifiers  # no Python fits them all: said where the range is checked
    try:
        shortest = versions.to_specifier_set()
    except ValueError:  # a range no one specifier set can say
        return specifiers
    return specifiers if shortest is None else shortest


def _sources(
    workspace: Workspace, base: Project, others: list[Project]
) -> dict[NormalizedName, tuple[Source, ...]]:
    """The root's sources, then each member's for packages the root does not place
    (their paths made relative to the root), and every member's name placed at its
    directory, wherever it is required."""
    sources: dict[NormalizedName, tuple[Source, ...]] = {}
    for project in (base, *others):
        for name, entries in project.settings.sources.items():
            if name in sources or name in workspace.members:
                continue
            sources[name] = tuple(_rebased(s, project.root, workspace.root) for s in entries)
    for name, member in workspace.members.items():
        if name == base.name:
            continue
        path = Path(os.path.relpath(member.root, workspace.root)).as_posix()
        sources[name] = (Source(path=path, editable=True, workspace=True),)
    return sources


def _rebased(source: Source, member_root: Path, root: Path) -> Source:
    if source.path is None:
        return source
    moved = os.path.relpath((member_root / source.path).resolve(), root.resolve())
    return replace(source, path=Path(moved).as_posix())


def _virtual_root(root: Path) -> Project:
    """A root without [project]: its settings and dependency groups, nothing to build."""
    doc = read_toml(root / "pyproject.toml")
    name = canonicalize_name(root.name) or "workspace"
    data = {**doc.data, "project": {"name": f"{name}-workspace", "version": "0"}}
    project = parse_project(replace(doc, data=data))
    return replace(project, build_system=None)


def _declared_members(root: Path) -> tuple[TomlDocument, list[Path]]:
    """The root's pyproject.toml and the member directories its workspace table names
    (no member is read: asking whether a directory is a member needs no more)."""
    doc = read_toml(root / "pyproject.toml")
    found = workspace_table(doc.data)
    assert found is not None  # noqa: S101 - callers found a workspace table there
    where, raw = found
    table = expect_table(doc, raw, where)
    check_keys(doc, table, _KEYS, where)
    return doc, _member_directories(doc, table, where)


def _is_member(root: Path, directory: Path) -> bool:
    return any(d.resolve() == directory for d in _declared_members(root)[1])


def _member_directories(doc: TomlDocument, table: Mapping[str, Any], where: str) -> list[Path]:
    root = doc.path.parent
    patterns = expect_str_list(doc, table.get("members", []), f"{where}.members")
    excluded = expect_str_list(doc, table.get("exclude", []), f"{where}.exclude")
    skip = {p.resolve() for pattern in excluded for p in _glob(root, pattern)}
    found: dict[Path, None] = {}
    for pattern in patterns:
        # A pattern that matches nothing adds no member (as uv reads it).
        for directory in (p for p in _glob(root, pattern) if p.is_dir()):
            if directory.resolve() in skip or directory.resolve() == root.resolve():
                continue
            if not (directory / "pyproject.toml").is_file():
                raise ProjectError(
                    f"workspace member {directory} has no pyproject.toml",
                    path=doc.path,
                    hint=f"add one (`tether init {directory}`), or list it in `{where}.exclude`",
                )
            found[directory] = None
    return sorted(found)


def _glob(root: Path, pattern: str) -> list[Path]:
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise ProjectError(
            f"workspace pattern '{pattern}' must stay inside the workspace",
            path=root / "pyproject.toml",
        )
    return sorted(root.glob(pattern))


def workspace_root(pyproject: Path) -> Path | None:
    """The workspace root `pyproject` belongs to: itself when it declares a workspace,
    else the nearest parent declaring one whose members include its directory."""
    directory = pyproject.parent.resolve()
    if _declares(pyproject):
        return directory
    for parent in directory.parents:
        candidate = parent / "pyproject.toml"
        if not candidate.is_file() or not _declares(candidate):
            continue
        try:
            member = _is_member(parent, directory)
        except ProjectError:
            return parent  # a broken workspace: loading it again says what is wrong
        return parent if member else None  # (inside its tree, but not a member: None)
    return None


def _declares(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return workspace_table(data) is not None


def join_workspace(directory: Path) -> Path | None:
    """A new project in `directory` inside a workspace's tree becomes a member: its
    path is added to `members` (comments kept) unless a glob there matches it already.
    Returns the workspace root (None when there is no workspace above)."""
    import tomlkit  # noqa: PLC0415 - only when a project is created

    directory = directory.resolve()
    for parent in directory.parents:
        pyproject = parent / "pyproject.toml"
        if not pyproject.is_file() or not _declares(pyproject):
            continue
        if _is_member(parent, directory):
            return parent
        text = pyproject.read_text(encoding="utf-8")
        document = tomlkit.parse(text)
        found = workspace_table(document)
        assert found is not None  # noqa: S101 - _declares said so
        where, _ = found
        table: Any = document
        for key in where.split("."):
            table = table[key]
        members = table.setdefault("members", tomlkit.array())
        members.append(directory.relative_to(parent.resolve()).as_posix())
        atomic_write(pyproject, tomlkit.dumps(document))
        return parent
    return None
