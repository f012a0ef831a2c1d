"""Finding pyproject.toml, and reading files that are not what they should be."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tether.errors import ProjectError
from tether.project import find_pyproject, load_project


def test_walks_up_to_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    inner = tmp_path / "pkg" / "sub"
    inner.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("")
    assert find_pyproject(inner) == tmp_path / "pkg" / "pyproject.toml"
    assert find_pyproject(tmp_path) == tmp_path / "pyproject.toml"


def test_accepts_the_file_itself(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    assert find_pyproject(tmp_path / "pyproject.toml") == tmp_path / "pyproject.toml"


def test_refuses_another_file(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("")
    with pytest.raises(ProjectError, match=r"not a pyproject\.toml file"):
        find_pyproject(tmp_path / "setup.cfg")


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as info:
        find_pyproject(tmp_path / "nope")
    assert info.value.message == "project directory does not exist"
    assert info.value.path == tmp_path / "nope"


def test_pyproject_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(ProjectError, match="is a directory, not a TOML file"):
        load_project(tmp_path / "pyproject.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    path.chmod(0)
    with pytest.raises(ProjectError, match="cannot read the file: Permission denied"):
        load_project(path)
