"""`tether tree`: the locked dependency graph, from the project down (or, with
`--invert NAME`, from a package up to what needs it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.commands.services import IndexOptions
from tether.environment.freshness import lock_location
from tether.errors import LockError
from tether.lock.tree import Node, locked_graph, render
from tether.project import Project, Selection, find_pyproject
from tether.project.workspace import open_project


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeOptions:
    start: Path
    environ: Mapping[str, str]
    depth: int | None = None
    invert: str | None = None
    outdated: bool = False
    selection: Selection = field(default_factory=Selection)
    index: IndexOptions = field(default_factory=IndexOptions)


def tree(options: TreeOptions) -> list[str]:
    project = open_project(find_pyproject(options.start))
    packages = locked_graph(lock_location(project))
    if project.workspace is not None and project.workspace.current is not None:
        # In a member's directory (or `--package`): that member's tree.
        project = project.workspace.members[project.workspace.current]
    packages.pop(project.name, None)
    children: dict[str, list[str]] = {n: sorted(p.deps) for n, p in packages.items()}
    roots = _roots(project, packages, options)
    latest = _latest(project, packages, options) if options.outdated else {}

    def label(name: str) -> str:
        versions = packages[name].versions
        text = f"{name} {' | '.join(versions)}" if versions else name
        newest = latest.get(name)
        if newest and newest not in versions:
            text += f" (latest: {newest})"
        return text

    if options.invert is not None:
        target = canonicalize_name(options.invert)
        if target not in packages:
            raise LockError(f"{options.invert} is not in the lock", hint="check the name")
        parents: dict[str, list[str]] = {}
        for parent, kids in children.items():
            for kid in kids:
                parents.setdefault(kid, []).append(parent)
        for root in roots:
            parents.setdefault(root, []).append(project.name)
        packages[project.name] = Node([str(project.version or "")])
        return render(target, parents, label, options.depth, level=0)
    lines = [f"{project.display_name} {project.version or ''}".rstrip()]
    shown: set[str] = set()
    for position, root in enumerate(roots):
        lines += render(
            root,
            children,
            label,
            options.depth,
            prefix="",
            last=position == len(roots) - 1,
            top=False,
            shown=shown,
        )
    return lines


def _roots(project: Project, packages: Mapping[str, Node], options: TreeOptions) -> list[str]:
    requirements = [*project.dependencies]
    for group in project.selected_groups(options.selection):
        requirements += project.dependency_groups.get(canonicalize_name(group), ())
    extras = project.selected_extras(options.selection)
    for extra in extras:
        requirements += project.optional_dependencies.get(canonicalize_name(extra), ())
    return sorted({canonicalize_name(r.name) for r in requirements} & set(packages))


def _latest(project: Project, packages: Mapping[str, Node], options: TreeOptions) -> dict[str, str]:
    """The newest final release of each package that the project could use: from the
    project's indexes, for a Python its requires-python admits."""
    from tether.commands.services import index_client, resolve_indexes  # noqa: PLC0415
    from tether.index.client import Found  # noqa: PLC0415
    from tether.provider.candidates import Policy, releases  # noqa: PLC0415

    client = index_client(
        resolve_indexes(project.settings.indexes, options.index, options.environ),
        options.index,
        options.environ,
    )
    policy = Policy(requires_python=str(project.requires_python), prereleases="never")
    newest = {}
    for name in packages:
        found = client.find(name, index=_pinned_index(project, name))
        if isinstance(found, Found):
            usable = [r.version for r in releases(found.page, policy) if r.unusable is None]
            if usable:
                newest[name] = str(max(usable))
    return newest


def _pinned_index(project: Project, name: str) -> str | None:
    for source in project.settings.sources.get(canonicalize_name(name), ()):
        if source.index is not None and source.extra is None and source.group is None:
            return source.index
    return None
