"""`tether project`: what tether reads from pyproject.toml (and whether it is valid)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tether.cli.context import Context
from tether.project import Project
from tether.urls import redact_url


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the project as JSON")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.show import ShowOptions, show

    project = show(ShowOptions(start=ctx.project_start))
    if args.json:
        ctx.console.data(json.dumps(project_json(project), indent=2))
        return 0
    for line in project_lines(project):
        ctx.console.print(line)
    return 0


def project_lines(project: Project) -> list[str]:
    version = str(project.version) if project.version is not None else "(dynamic)"
    if project.build_system is None:
        build = "none (dependencies only: the project itself is not installed)"
    else:
        build = project.build_system.backend or "setuptools (legacy, no build-backend)"
    chain = ", ".join(
        f"{index.name} <{redact_url(index.url)}>" for index in project.settings.index_chain()
    )
    lines = [
        f"{project.display_name} {version}",
        f"  path             {project.pyproject_path}",
        f"  requires-python  {project.requires_python or '(any)'}",
        f"  build system     {build}",
        f"  indexes          {chain}",
    ]
    lines.extend(_section("dependencies", project.dependencies))
    for extra, requirements in project.optional_dependencies.items():
        lines.extend(_section(f"extra {extra}", requirements))
    defaults = set(project.default_groups())
    for group, requirements in project.dependency_groups.items():
        lines.extend(_section(f"group {group}", requirements, default=group in defaults))
    return lines


def _section(title: str, requirements: tuple[object, ...], *, default: bool = False) -> list[str]:
    label = f"{len(requirements)}, default" if default else str(len(requirements))
    return [f"  {title} ({label})", *(f"    {r}" for r in requirements)]


def project_json(project: Project) -> dict[str, Any]:
    settings = project.settings
    return {
        "name": project.name,
        "version": None if project.version is None else str(project.version),
        "path": str(project.pyproject_path),
        "requires-python": str(project.requires_python),
        "dependencies": [str(r) for r in project.dependencies],
        "optional-dependencies": {
            k: [str(r) for r in v] for k, v in project.optional_dependencies.items()
        },
        "dependency-groups": {k: [str(r) for r in v] for k, v in project.dependency_groups.items()},
        "default-groups": list(project.default_groups()),
        "build-system": None
        if project.build_system is None
        else {
            "requires": [str(r) for r in project.build_system.requires],
            "build-backend": project.build_system.backend,
        },
        "resolution": settings.resolution.value,
        "prerelease": settings.prerelease.value,
        "exclude-newer": None
        if settings.exclude_newer is None
        else settings.exclude_newer.isoformat(),
        "environments": [str(m) for m in settings.environments],
        "indexes": [
            {"name": i.name, "url": redact_url(i.url), "default": i.default, "explicit": i.explicit}
            for i in settings.indexes
        ],
    }
