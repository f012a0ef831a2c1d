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


def test_the_members_requires_python_is_joined_into_its_shortest_form(tmp_path: Path) -> None:
    # livekit-agents: members ask >=3.9.0, >=3.10 and >=3.12.0 of a root asking <3.15.
    root = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "root"\nversion = "1"\nrequires-python = ">=3.10,<3.15"\n'
        '[tool.tether.workspace]\nmembers = ["libs/*"]\n',
    )
    for name, python in (("a", ">=3.9.0"), ("b", ">=3.12.0"), ("c", ">=3.10")):
        write(
            tmp_path / "libs" / name / "pyproject.toml",
            f'[project]\nname = "{name}"\nversion = "1"\nrequires-python = "{python}"\n',
        )
    assert str(open_project(root).requires_python) == "<3.15,>=3.12.0"
