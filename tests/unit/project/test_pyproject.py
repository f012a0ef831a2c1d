"""`pyproject.toml` → `Project`: the values users write, and every way to get them wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tether.errors import ProjectError
from tether.project import Project, load_project

MINIMAL = """\
[project]
name = "demo"
version = "1.0"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Project:
    return load_project(write(tmp_path, text))


def fail(tmp_path: Path, text: str) -> ProjectError:
    path = write(tmp_path, text)
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert info.value.path == path
    return info.value


def test_reads_the_pep621_tables(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """\
        [project]
        name = "My_Service"
        version = "0.3.1"
        requires-python = ">=3.11"
        dependencies = ["fastapi>=0.109", "uvicorn[standard]>=0.27; sys_platform != 'win32'"]

        [project.optional-dependencies]
        GPU = ["torch>=2.4"]

        [dependency-groups]
        test = ["pytest>=8"]
        lint = ["ruff"]
        dev = [{include-group = "test"}, {include-group = "lint"}, "ipython"]

        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"
        """,
    )
    assert project.name == "my-service"
    assert project.display_name == "My_Service"
    assert project.version == Version("0.3.1")
    assert project.root == tmp_path
    assert project.requires_python == SpecifierSet(">=3.11")
    assert project.dependencies == (
        Requirement("fastapi>=0.109"),
        Requirement("uvicorn[standard]>=0.27; sys_platform != 'win32'"),
    )
    assert dict(project.optional_dependencies) == {"gpu": (Requirement("torch>=2.4"),)}
    assert project.dependency_groups["dev"] == (
        Requirement("pytest>=8"),
        Requirement("ruff"),
        Requirement("ipython"),
    )
    assert project.default_groups() == ("dev",)
    assert project.is_package
    assert project.build_system is not None
    assert project.build_system.backend == "hatchling.build"


def test_minimal_project_has_empty_defaults(tmp_path: Path) -> None:
    project = load(tmp_path, MINIMAL)
    assert project.dependencies == ()
    assert project.requires_python == SpecifierSet()
    assert not project.is_package
    assert project.default_groups() == ()
    assert [index.name for index in project.settings.index_chain()] == ["pypi"]


def test_dynamic_version(tmp_path: Path) -> None:
    project = load(tmp_path, '[project]\nname = "demo"\ndynamic = ["version"]\n')
    assert project.version is None
    assert "version" in project.dynamic


def test_project_is_immutable(tmp_path: Path) -> None:
    project = load(tmp_path, MINIMAL)
    with pytest.raises(AttributeError):
        project.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        project.dependency_groups["x"] = ()  # type: ignore[index]


def test_invalid_toml_points_at_line_and_column(tmp_path: Path) -> None:
    error = fail(tmp_path, '[project]\nname = "demo"\nversion = 1.0.0\n')
    assert (error.line, error.column) == (3, 14)
    assert error.message == "invalid TOML: expected newline or end of document after a statement"
    assert error.hint is not None
    assert "nothing was changed" in error.hint


def test_invalid_toml_unterminated_string(tmp_path: Path) -> None:
    error = fail(tmp_path, '[project]\nname = "demo\n')
    assert error.line == 2
    assert error.message.startswith("invalid TOML: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[project]\nname = "d\xe9mo"\n')
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert info.value.message == "the file is not valid UTF-8, which TOML requires"
    assert (info.value.line, info.value.column) == (2, 10)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path / "pyproject.toml")
    assert info.value.message == "file does not exist"


def test_no_project_table(tmp_path: Path) -> None:
    error = fail(tmp_path, "[tool.black]\nline-length = 100\n")
    assert error.message == "no [project] table"
    assert error.hint is not None
    assert "tether init" in error.hint


def test_missing_name(tmp_path: Path) -> None:
    error = fail(tmp_path, '# a comment\n[project]\nversion = "1.0"\n')
    assert error.message == "[project] has no `name`"
    assert (error.line, error.column) == (2, 1)
    assert error.hint == 'add a name, e.g. name = "my-service" (PEP 621 requires one)'


def test_invalid_name(tmp_path: Path) -> None:
    error = fail(tmp_path, '[project]\nname = "-bad-"\nversion = "1"\n')
    assert error.message == 'invalid name "-bad-" in `project.name`'
    assert (error.line, error.column) == (2, 8)


def test_missing_version(tmp_path: Path) -> None:
    error = fail(tmp_path, '[project]\nname = "demo"\n')
    assert error.message == "[project] has no `version` and does not list it in `dynamic`"


def test_invalid_version(tmp_path: Path) -> None:
    error = fail(tmp_path, '[project]\nname = "demo"\nversion = "one"\n')
    assert error.message == 'invalid version "one" in `project.version`'
    assert (error.line, error.column) == (3, 11)


def test_wrong_type(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + 'dependencies = "numpy"\n')
    assert error.message == "`project.dependencies` must be an array, not a string"
    assert error.line == 4


def test_invalid_requirement_names_table_and_line(tmp_path: Path) -> None:
    error = fail(
        tmp_path,
        MINIMAL + 'dependencies = [\n    "numpy>=1.26",\n    "pandas>>2",\n]\n',
    )
    assert error.message == (
        'invalid requirement "pandas>>2" in `project.dependencies[1]`:\n'
        "  Expected semicolon (after name with no version specifier) or end\n"
        "      pandas>>2\n"
        "            ^"
    )
    assert (error.line, error.column) == (6, 5)
    assert error.hint is not None
    assert error.hint.startswith("requirements follow PEP 508")


def test_invalid_requirement_in_extra(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[project.optional-dependencies]\ngpu = ["torch=2.4"]\n')
    assert error.message.startswith(
        'invalid requirement "torch=2.4" in `project.optional-dependencies.gpu[0]`'
    )
    assert error.line == 5


def test_invalid_requirement_in_group(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[dependency-groups]\ndev = ["pytest", "ruff["]\n')
    assert error.message.startswith('invalid requirement "ruff[" in `dependency-groups.dev[1]`')
    assert (error.line, error.column) == (5, 18)


def test_invalid_requirement_in_build_system(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[build-system]\nrequires = ["hatchling>="]\n')
    assert error.message.startswith(
        'invalid requirement "hatchling>=" in `build-system.requires[0]`'
    )


def test_include_group_cycle(tmp_path: Path) -> None:
    error = fail(
        tmp_path,
        MINIMAL + '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n',
    )
    assert error.message == (
        "[dependency-groups] include a cycle: "
        "Cyclic dependency group include while resolving a: a -> b, b -> a"
    )
    assert error.line == 5
    assert error.hint == "remove one of the `include-group` entries that form the cycle"


def test_include_of_undefined_group(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[dependency-groups]\ndev = [{include-group = "tests"}]\n')
    assert error.message == (
        "[dependency-groups] includes a group that is not defined: "
        "dependency group 'tests' not found"
    )


def test_duplicate_group_names(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[dependency-groups]\nDev = ["a"]\ndev = ["b"]\n')
    assert error.message.startswith("[dependency-groups] defines a group twice")


def test_duplicate_extra_names(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + "[project.optional-dependencies]\nGPU = []\ngpu = []\n")
    assert error.message == (
        'extra "gpu" is defined twice (names are compared normalised, PEP 685)'
    )


def test_unknown_project_key_suggests(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + "dependencys = []\n")
    assert error.message == 'unknown key "dependencys" in [project]'
    assert (error.line, error.column) == (4, 1)
    assert error.hint is not None
    assert error.hint.startswith('did you mean "dependencies"? valid keys are: ')


def test_invalid_requires_python(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + 'requires-python = "3.11+"\n')
    assert error.message == 'invalid version specifier "3.11+" in `project.requires-python`'
    assert error.line == 4


def test_build_system_without_requires(tmp_path: Path) -> None:
    error = fail(tmp_path, MINIMAL + '[build-system]\nbuild-backend = "x"\n')
    assert error.message == "[build-system] has no `requires`"
