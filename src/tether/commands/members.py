"""`--package NAME`: a workspace member's directory, where the command then starts."""

from __future__ import annotations

from pathlib import Path

from tether.errors import UsageError
from tether.project import find_pyproject
from tether.project.workspace import open_project


def member_directory(start: Path, name: str) -> Path:
    pyproject = find_pyproject(start)
    project = open_project(pyproject)
    if project.workspace is None:
        raise UsageError(
            f"--package {name}: {pyproject} is not in a workspace",
            hint="declare one in the root pyproject.toml: [tool.tether.workspace] "
            'members = ["packages/*"]',
        )
    return project.workspace.member(name).root
