"""The init template, as pure data."""

from __future__ import annotations

import tomllib

import pytest

from tether.errors import ProjectError
from tether.project.scaffold import ProjectKind, module_name, requires_python_for, scaffold


@pytest.mark.parametrize(
    ("name", "module"),
    [("demo", "demo"), ("My-Service", "my_service"), ("a.b_c", "a_b_c"), ("X--Y", "x_y")],
)
def test_module_name(name: str, module: str) -> None:
    assert module_name(name) == module


@pytest.mark.parametrize("name", ["1st", "class", "import"])
def test_module_name_rejects_non_identifiers(name: str) -> None:
    with pytest.raises(ProjectError):
        module_name(name)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("3.12", ">=3.12"),
        (" 3.9 ", ">=3.9"),
        (">=3.10,<3.14", ">=3.10,<3.14"),
        ("~=3.11", "~=3.11"),
    ],
)
def test_requires_python_for(given: str, expected: str) -> None:
    assert requires_python_for(given) == expected


def test_app_and_lib_files() -> None:
    app = scaffold(name="svc", requires_python=">=3.11", kind=ProjectKind.APP)
    lib = scaffold(name="svc", requires_python=">=3.11", kind=ProjectKind.LIB)
    app_files = dict(app.files)
    assert set(app_files) - set(dict(lib.files)) == {"src/svc/__main__.py"}
    data = tomllib.loads(app_files["pyproject.toml"])
    assert data["project"]["scripts"] == {"svc": "svc.__main__:main"}
    assert "scripts" not in tomllib.loads(dict(lib.files)["pyproject.toml"])["project"]


def test_description_is_escaped() -> None:
    plan = scaffold(
        name="svc", requires_python=">=3.11", kind=ProjectKind.LIB, description='a "b" \\ c'
    )
    data = tomllib.loads(dict(plan.files)["pyproject.toml"])
    assert data["project"]["description"] == 'a "b" \\ c'
