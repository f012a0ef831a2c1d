"""`tether init`: a new project that tether reads back and whose own checks pass."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.cli import run_tether


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_init_creates_a_project_that_passes_its_own_checks(tmp_path: Path) -> None:
    result = run_tether("init", "demo", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Initialized app `demo` at demo\n"
    root = tmp_path / "demo"
    assert files_under(root) == {
        "pyproject.toml",
        "README.md",
        ".gitignore",
        "src/demo/__init__.py",
        "src/demo/__main__.py",
        "src/demo/py.typed",
        "tests/__init__.py",
        "tests/test_demo.py",
    }
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["project"]["scripts"] == {"demo": "demo.__main__:main"}
    assert data["dependency-groups"]["dev"] == ["pytest>=8.3", "ruff>=0.9", "mypy>=1.15"]
    assert data["tool"]["mypy"]["strict"] is True
    assert ".venv/" in (root / ".gitignore").read_text()

    # tether reads back what it wrote.
    shown = run_tether("project", "--json", cwd=root)
    assert shown.exit_code == 0, shown.stderr
    project = json.loads(shown.stdout)
    expected_python = f">={sys.version_info.major}.{sys.version_info.minor}"
    assert (project["name"], project["version"], project["requires-python"]) == (
        "demo",
        "0.1.0",
        expected_python,
    )
    assert project["default-groups"] == ["dev"]
    assert project["build-system"]["build-backend"] == "hatchling.build"

    # The project's own ruff and mypy configuration passes on the project as generated.
    for tool in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
    ):
        checked = subprocess.run(
            [sys.executable, "-m", *tool], cwd=root, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, (tool, checked.stdout, checked.stderr)

    # The app runs as `python -m demo` and its test passes, from the source tree.
    env = {"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"}
    ran = subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout == "Hello from demo!\n"
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout


def test_init_lib_with_name_and_python(tmp_path: Path) -> None:
    result = run_tether(
        "init", "--lib", "--name", "Vector.Store", "--python", "3.12", "--description",
        'Fast "vectors"', cwd=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Initialized lib `Vector.Store` at {tmp_path}\n"
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert data["project"]["name"] == "Vector.Store"
    assert data["project"]["description"] == 'Fast "vectors"'
    assert data["project"]["requires-python"] == ">=3.12"
    assert "scripts" not in data["project"]
    assert data["tool"]["ruff"]["target-version"] == "py312"
    assert data["tool"]["mypy"]["python_version"] == "3.12"
    assert (tmp_path / "src" / "vector_store" / "py.typed").exists()
    assert not (tmp_path / "src" / "vector_store" / "__main__.py").exists()


def test_init_with_a_specifier(tmp_path: Path) -> None:
    result = run_tether("init", "svc", "--python", ">=3.10,<3.14", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((tmp_path / "svc" / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == ">=3.10,<3.14"
    assert data["tool"]["ruff"]["target-version"] == "py310"


def test_init_refuses_to_overwrite_a_pyproject(tmp_path: Path) -> None:
    original = b'[project]\nname = "mine"  # my comment\nversion = "9"\n'
    (tmp_path / "pyproject.toml").write_bytes(original)
    result = run_tether("init", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'pyproject.toml'}: already exists; tether init will not "
        "overwrite it\n"
        "hint: the project is already initialised: run `tether project` to see it, or choose "
        "another directory\n"
    )
    assert (tmp_path / "pyproject.toml").read_bytes() == original
    assert files_under(tmp_path) == {"pyproject.toml"}


def test_init_keeps_existing_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("my notes\n")
    result = run_tether("init", "--name", "svc", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stderr == "  kept existing README.md\n"
    assert (tmp_path / "README.md").read_text() == "my notes\n"
    assert (tmp_path / "pyproject.toml").exists()


def test_init_rejects_a_name_that_is_no_module(tmp_path: Path) -> None:
    result = run_tether("init", "--name", "3d-tools", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        'error: "3d-tools" cannot be turned into a Python module name ("3d_tools")\n'
        "hint: choose a name that starts with a letter, e.g. --name my-service\n"
    )
    assert files_under(tmp_path) == set()


def test_init_rejects_an_invalid_name(tmp_path: Path) -> None:
    result = run_tether("init", "--name", "my service", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith('error: "my service" is not a valid project name\n')
    assert files_under(tmp_path) == set()


def test_init_rejects_a_bad_python(tmp_path: Path) -> None:
    result = run_tether("init", "svc", "--python", "three", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        'error: invalid Python version "three"\n'
        'hint: pass a version such as --python 3.12, or a specifier such as ">=3.11"\n'
    )
    assert not (tmp_path / "svc").exists()
    result = run_tether("init", "svc", "--python", "<3.13", cwd=tmp_path)
    assert result.stderr.startswith('error: "<3.13" sets no lower bound on the Python version\n')


def test_init_app_and_lib_are_exclusive(tmp_path: Path) -> None:
    result = run_tether("init", "--app", "--lib", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: argument --lib: not allowed with argument --app\n")
