"""Poetry's `[tool.poetry]` read as PEP 621 / PEP 735 / `[tool.tether]`."""

from __future__ import annotations

import textwrap
import tomllib

import pytest
from packaging.requirements import Requirement

from tether.project.poetry import PoetryError, convert, is_poetry_project, poetry_constraint


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("^2.0.0b1", ">=2.0.0b1,<3.0.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~=1.2", "~=1.2"),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        ("=1.0", "==1.0"),
        ("*", ""),
        (">=1.0,<2.0", ">=1.0,<2.0"),
        (">= 1.0 < 2.0", ">=1.0,<2.0"),
        ("^1.2, !=1.4.0", ">=1.2,<2.0,!=1.4.0"),
    ],
)
def test_constraints(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == pep440


def test_or_and_nonsense_are_refused() -> None:
    with pytest.raises(ValueError, match="'or'"):
        poetry_constraint("^1.0 || ^2.0")
    with pytest.raises(ValueError, match="not a version"):
        poetry_constraint("^banana")


MANIFEST = textwrap.dedent(
    """\
    [tool.poetry]
    name = "svc"
    version = "0.1.0"
    description = "A service"
    authors = ["Ada Lovelace <ada@example.com>", "Bob"]
    license = "MIT"
    homepage = "https://example.com"

    [tool.poetry.dependencies]
    python = "^3.11"
    fastapi = "^0.110"
    torch = { version = "^2.3", source = "pytorch-cpu" }
    uvloop = { version = "*", markers = "sys_platform != 'win32'" }
    pywin32 = { version = ">=306", platform = "win32" }
    tomli = { version = "^2", python = "<3.11" }
    pandas = { version = "^2.2", extras = ["parquet"], optional = true }
    mylib = { path = "../mylib", develop = true }
    old = [
        { version = "^1", python = "<3.12" },
        { version = "^2", python = ">=3.12" },
    ]

    [tool.poetry.extras]
    data = ["pandas"]

    [tool.poetry.group.dev.dependencies]
    pytest = "^8"

    [tool.poetry.group.docs]
    optional = true
    [tool.poetry.group.docs.dependencies]
    mkdocs = "~1.6"

    [[tool.poetry.source]]
    name = "pytorch-cpu"
    url = "https://download.pytorch.org/whl/cpu"
    priority = "explicit"

    [[tool.poetry.source]]
    name = "internal"
    url = "https://pypi.internal.example/simple"
    priority = "primary"

    [tool.poetry.scripts]
    svc = "svc.main:run"
    """
)


def test_a_whole_manifest() -> None:
    data = tomllib.loads(MANIFEST)
    assert is_poetry_project(data)
    converted = convert(data)
    project = converted.project
    assert project["requires-python"] == ">=3.11,<4.0"
    assert [str(Requirement(r)) for r in project["dependencies"]] == [
        "fastapi<0.111,>=0.110",
        "torch<3.0,>=2.3",
        'uvloop; sys_platform != "win32"',
        'pywin32>=306; sys_platform == "win32"',
        'tomli<3,>=2; python_version < "3.11"',
        "mylib",
        'old<2,>=1; python_version < "3.12"',
        'old<3,>=2; python_version >= "3.12"',
    ]
    assert project["optional-dependencies"] == {"data": ["pandas[parquet]>=2.2,<3.0"]}
    assert project["authors"] == [
        {"name": "Ada Lovelace", "email": "ada@example.com"},
        {"name": "Bob"},
    ]
    assert project["license"] == {"text": "MIT"}
    assert project["urls"] == {"Homepage": "https://example.com"}
    assert project["scripts"] == {"svc": "svc.main:run"}
    assert converted.dependency_groups == {"dev": ["pytest>=8,<9"], "docs": ["mkdocs>=1.6,<1.7"]}
    assert "default-groups" not in converted.tether  # ["dev"], tether's default already
    assert converted.tether["sources"] == {
        "torch": {"index": "pytorch-cpu"},
        "mylib": {"path": "../mylib", "editable": True},
    }
    assert converted.tether["index"] == [
        {"name": "pytorch-cpu", "url": "https://download.pytorch.org/whl/cpu", "explicit": True},
        # A primary source replaces PyPI in Poetry: the last one becomes the default.
        {"name": "internal", "url": "https://pypi.internal.example/simple", "default": True},
    ]


def test_supplemental_sources_warn_and_bad_values_are_located() -> None:
    data = tomllib.loads(
        '[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        '[[tool.poetry.source]]\nname = "extra"\nurl = "https://x.example/simple"\n'
        'priority = "supplemental"\n'
    )
    converted = convert(data)
    # PyPI first (Poetry's implicit primary), the supplemental source after it.
    assert converted.tether["index"] == [
        {"name": "pypi", "url": "https://pypi.org/simple"},
        {"name": "extra", "url": "https://x.example/simple", "default": True},
    ]
    mixed = tomllib.loads(
        '[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        '[[tool.poetry.source]]\nname = "s"\nurl = "https://s.example/simple"\n'
        'priority = "supplemental"\n'
        '[[tool.poetry.source]]\nname = "p"\nurl = "https://p.example/simple"\n'
    )
    assert [(i["name"], i.get("default", False)) for i in convert(mixed).tether["index"]] == [
        ("p", False),
        ("s", True),
    ]
    lint = tomllib.loads(
        '[tool.poetry]\nname = "a"\n[tool.poetry.group.lint.dependencies]\nruff = "*"\n'
    )
    assert convert(lint).tether["default-groups"] == ["lint"]  # Poetry installs every group
    bad = tomllib.loads('[tool.poetry]\nname = "a"\n[tool.poetry.dependencies]\nx = "^1 || ^2"\n')
    with pytest.raises(PoetryError) as caught:
        convert(bad)
    assert caught.value.where == "tool.poetry.dependencies.x"


def test_a_path_source_with_a_marker_is_a_valid_requirement() -> None:
    from pathlib import Path

    from packaging.requirements import Requirement

    from tether.locking.requirements import with_source
    from tether.project import Project, Settings, Source
    from tether.resolve.condition import ALWAYS
    from tether.resolve.forks import Selection

    project = Project(
        root=Path("/p"),
        name="p",  # type: ignore[arg-type]
        display_name="p",
        version=None,
        settings=Settings(sources={"lib": (Source(path="libs/lib", editable=True),)}),  # type: ignore[dict-item]
    )
    located = with_source(
        project,
        Requirement('lib; python_version < "3.14"'),
        Selection(ALWAYS, frozenset(), frozenset()),
    )
    assert str(located) == 'lib @ file:///p/libs/lib ; python_version < "3.14"'
