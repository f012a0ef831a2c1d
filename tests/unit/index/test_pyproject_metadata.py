"""Core metadata from an sdist's pyproject.toml: only when `[project]` fixes what
resolution reads (uv's rule), otherwise None and the sdist is built."""

from __future__ import annotations

import textwrap

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.index.core_metadata import parse_core_metadata
from tether.index.pyproject_metadata import static_metadata

PYGOBJECT = """\
[project]
name = "PyGObject"
requires-python = ">=3.9, <4.0"
dependencies = ["pycairo>=1.16"]
dynamic = ["version"]

[project.optional-dependencies]
Docs = ["sphinx>=7; python_version >= '3.10'", "furo"]
"""


def read(text: str, name: str = "pygobject", version: str = "3.50.2") -> bytes | None:
    return static_metadata(
        textwrap.dedent(text), name=canonicalize_name(name), version=Version(version)
    )


def test_static_dependencies_extras_and_python_become_core_metadata() -> None:
    data = read(PYGOBJECT)
    assert data is not None
    metadata = parse_core_metadata(data, source="pygobject-3.50.2.tar.gz")
    assert (metadata.name, metadata.version) == ("pygobject", Version("3.50.2"))
    assert str(metadata.requires_python) == "<4.0,>=3.9"
    assert [str(r) for r in metadata.requires_dist] == [
        "pycairo>=1.16",
        'sphinx>=7; python_version >= "3.10" and extra == "docs"',
        'furo; extra == "docs"',
    ]
    assert metadata.provides_extra == ("docs",)
    assert metadata.metadata_version == "2.2"
    assert metadata.dynamic == ()


def test_a_static_version_must_be_the_releases() -> None:
    assert read('[project]\nname = "pygobject"\nversion = "3.50.2"\n') is not None
    assert read('[project]\nname = "pygobject"\nversion = "3.48.0"\n') is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[build-system]\nrequires = []\n", id="no [project]"),
        pytest.param(
            '[project]\nname = "pygobject"\ndynamic = ["dependencies"]\n', id="dynamic deps"
        ),
        pytest.param(
            '[project]\nname = "pygobject"\ndynamic = ["optional-dependencies"]\n',
            id="dynamic extras",
        ),
        pytest.param(
            '[project]\nname = "pygobject"\ndynamic = ["requires-python"]\n', id="dynamic python"
        ),
        pytest.param(
            '[project]\nname = "pygobject"\n[tool.poetry.dependencies]\npycairo = "^1.16"\n',
            id="poetry's dependencies",
        ),
        pytest.param('[project]\nname = "pycairo"\ndependencies = []\n', id="another name"),
        pytest.param(
            '[project]\nname = "pygobject"\ndependencies = ["pycairo>>1"]\n', id="bad req"
        ),
        pytest.param('[project]\nname = "pygobject"\nrequires-python = ">>3"\n', id="bad python"),
        pytest.param('[project]\nname = "pygobject"\ndependencies = "pycairo"\n', id="not a list"),
        pytest.param('[project\nname = "pygobject"\n', id="invalid TOML"),
    ],
)
def test_what_the_table_does_not_fix_is_left_to_a_build(text: str) -> None:
    assert read(text) is None


def test_no_dependencies_at_all_is_a_static_answer() -> None:
    data = read('[project]\nname = "pygobject"\n')
    assert data is not None
    assert parse_core_metadata(data, source="x").requires_dist == ()
