"""The lock document of a resolved project: its packages (the project itself as a
directory entry when it is a package), the groups and extras it declares, and the
resolver options, forks, conflict selections and input fingerprints under
`[tool.tether]`, from which freshness is judged."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType

from packaging.utils import canonicalize_name

from tether.lock import LockDocument, LockedPackage
from tether.locking.resolution import Resolved
from tether.project import Project
from tether.project.workspace import workspace_project


def filled_project(project: Project, fill: Callable[[Project, bool], Project]) -> Project:
    """`project` with what its backend computes filled in; in a workspace, the root's
    own project is filled, then the workspace combined again (filling the combined
    project would replace the members it depends on with the root's own list). A
    dynamic version is asked of the backend only when a requirement pins the project
    (clai's `pydantic-ai=={{ version }}`): the resolver must then know it."""
    workspace = project.workspace
    if workspace is None or workspace.root_project is None:
        return fill(project, _pinned(project.name, [project]))
    root = workspace.members[workspace.root_project]
    pinned = _pinned(root.name, list(workspace.members.values()))
    members = {**workspace.members, root.name: fill(root, pinned)}
    return workspace_project(replace(workspace, members=MappingProxyType(members)))


def _pinned(name: str, projects: Iterable[Project]) -> bool:
    """Whether any of `projects` requires `name` with a version specifier."""
    return any(
        canonicalize_name(requirement.name) == name and bool(requirement.specifier)
        for project in projects
        for requirement in (
            *project.dependencies,
            *(r for rs in project.optional_dependencies.values() for r in rs),
            *(r for rs in project.dependency_groups.values() for r in rs),
        )
    )


def own_dependencies(project: Project, names: Iterable[str]) -> set[str]:
    """The root's dependencies in the lock. In a workspace, only what the root's own
    project requires to run (its dependencies and extras): members depending on it
    reach it, and must not reach its dependency groups (or the other members the
    lock resolves beside it) through it."""
    if project.workspace is None or project.workspace.root_project is None:
        return set(names)
    own = project.workspace.members[project.workspace.root_project]
    required = {
        canonicalize_name(r.name)
        for r in (*own.dependencies, *(r for rs in own.optional_dependencies.values() for r in rs))
    }
    return {n for n in names if canonicalize_name(n) in required}


def lock_document(
    project: Project,
    resolved: Resolved,
    resolver: Mapping[str, object],
    fingerprints: Mapping[str, object],
) -> LockDocument:
    packages = list(resolved.packages)
    if project.is_package:
        packages.append(
            LockedPackage(
                name=project.name,
                # A dynamic version is the backend's to compute at install (the resolver
                # used the one it reported now).
                version=None
                if project.version is None or "version" in project.dynamic
                else str(project.version),
                dependencies=tuple(sorted(own_dependencies(project, resolved.root_dependencies))),
                directory=".",
            )
        )
    return LockDocument(
        requires_python=str(project.requires_python),
        environments=tuple(str(m) for m in project.settings.environments),
        extras=tuple(project.optional_dependencies),
        dependency_groups=tuple(project.dependency_groups),
        default_groups=project.default_groups(),
        packages=tuple(packages),
        tool={
            **{k: v for k, v in resolver.items() if v is not None},
            **({"forks": list(resolved.forks)} if resolved.forks else {}),
            **({"conflict-selections": list(resolved.selections)} if resolved.selections else {}),
            "inputs": fingerprints,
        },
        directory=project.root,
    )
