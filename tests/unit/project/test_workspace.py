"""Reading a workspace: bad member declarations are located errors, nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.errors import ProjectError, UsageError
from tether.project.workspace import open_project


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def member(root: Path, name: str) -> None:
    write(root / "pyproject.toml", f'[project]\nname = "{name}"\nversion = "1"\n')


def test_a_member_directory_without_pyproject_is_named(tmp_path: Path) -> None:
    root = write(tmp_path / "pyproject.toml", '[tool.tether.workspace]\nmembers = ["libs/*"]\n')
    member(tmp_path / "libs" / "a", "a")
    (tmp_path / "libs" / "notes").mkdir()
    with pytest.raises(ProjectError) as info:
        open_project(root)
    assert (
        info.value.message
        == f"workspace member {tmp_path / 'libs' / 'notes'} has no pyproject.toml"
    )
    assert info.value.hint is not None
    assert "tool.tether.workspace.exclude" in info.value.hint


def test_patterns_must_stay_inside_and_names_must_differ(tmp_path: Path) -> None:
    root = write(tmp_path / "pyproject.toml", '[tool.tether.workspace]\nmembers = ["../*"]\n')
    with pytest.raises(ProjectError, match="must stay inside the workspace"):
        open_project(root)
    write(root, '[tool.tether.workspace]\nmembers = ["a", "b"]\n')
    member(tmp_path / "a", "same")
    member(tmp_path / "b", "same")
    with pytest.raises(ProjectError, match="two workspace members are called 'same'"):
        open_project(root)


def test_unknown_keys_and_members_are_named(tmp_path: Path) -> None:
    root = write(tmp_path / "pyproject.toml", '[tool.tether.workspace]\nmember = ["a"]\n')
    with pytest.raises(ProjectError, match="member"):
        open_project(root)
    write(root, '[tool.tether.workspace]\nmembers = ["a"]\n')
    member(tmp_path / "a", "alpha")
    workspace = open_project(root).workspace
    assert workspace is not None
    with pytest.raises(ProjectError) as info:
        workspace.member("beta")
    assert info.value.hint == "members: alpha"


def test_package_outside_a_workspace_is_a_usage_error(tmp_path: Path) -> None:
    from tether.commands.members import member_directory

    member(tmp_path, "lone")
    with pytest.raises(UsageError, match="is not in a workspace"):
        member_directory(tmp_path, "lone")
