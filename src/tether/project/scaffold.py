"""The files `tether init` writes: a new project with the tooling we would want ourselves.

Pure: returns relative paths and contents; the `init` command decides what to write.
The template is the seed's best practice: src layout, `py.typed`, a `dev` group with
pytest, ruff and mypy, strict mypy and a broad ruff rule set, so a fresh project passes
its own checks from the first commit.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from enum import StrEnum

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name

from tether.errors import ProjectError

_PLAIN_VERSION = re.compile(r"^(\d+)\.(\d+)$")
_LOWER_BOUND = re.compile(r"^(?:>=|==|~=)\s*(\d+)\.(\d+)")


class ProjectKind(StrEnum):
    """An application gets a console script; a library does not."""

    APP = "app"
    LIB = "lib"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scaffold:
    """What to write for a new project, relative to its directory."""

    name: str
    module: str
    requires_python: str
    files: tuple[tuple[str, str], ...]


def module_name(name: str) -> str:
    """The import name for a distribution name: `my-service` → `my_service`."""
    module = canonicalize_name(name).replace("-", "_").replace(".", "_")
    if not module.isidentifier() or keyword.iskeyword(module):
        raise ProjectError(
            f'"{name}" cannot be turned into a Python module name ("{module}")',
            hint="choose a name that starts with a letter, e.g. --name my-service",
        )
    return module


def requires_python_for(python: str) -> str:
    """`3.12` → `>=3.12`; a full specifier (`>=3.10,<3.14`) is kept as written."""
    text = python.strip()
    if _PLAIN_VERSION.match(text):
        return f">={text}"
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        raise ProjectError(
            f'invalid Python version "{python}"',
            hint='pass a version such as --python 3.12, or a specifier such as ">=3.11"',
        ) from None
    if not _LOWER_BOUND.match(text):
        raise ProjectError(
            f'"{python}" sets no lower bound on the Python version',
            hint='start the specifier with ">=X.Y", e.g. ">=3.11"',
        )
    return text


def scaffold(
    *, name: str, requires_python: str, kind: ProjectKind, description: str | None = None
) -> Scaffold:
    """The files of a new project called `name`."""
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        raise ProjectError(
            f'"{name}" is not a valid project name',
            hint="names use letters, digits, '-', '_' and '.', and start and end with a "
            "letter or digit; pass --name to choose one",
        ) from None
    module = module_name(name)
    target = _target_version(requires_python)
    summary = description or "Add your description here"
    files = [
        (
            "pyproject.toml",
            _pyproject(
                name=name,
                module=module,
                requires_python=requires_python,
                target=target,
                kind=kind,
                description=summary,
            ),
        ),
        ("README.md", f"# {name}\n\n{summary}\n"),
        (".gitignore", _GITIGNORE),
        (f"src/{module}/__init__.py", _init_py(name)),
        (f"src/{module}/py.typed", ""),
        ("tests/__init__.py", ""),
        (f"tests/test_{module}.py", _test_py(module, name)),
    ]
    if kind is ProjectKind.APP:
        files.insert(4, (f"src/{module}/__main__.py", _main_py(module)))
    return Scaffold(name=name, module=module, requires_python=requires_python, files=tuple(files))


def _target_version(requires_python: str) -> tuple[int, int]:
    match = _LOWER_BOUND.match(requires_python) or _PLAIN_VERSION.match(requires_python)
    assert match is not None  # noqa: S101 - requires_python_for guarantees a lower bound
    return int(match.group(1)), int(match.group(2))


def _pyproject(
    *,
    name: str,
    module: str,
    requires_python: str,
    target: tuple[int, int],
    kind: ProjectKind,
    description: str,
) -> str:
    major, minor = target
    scripts = (
        f'\n[project.scripts]\n{name} = "{module}.__main__:main"\n'
        if kind is ProjectKind.APP
        else ""
    )
    return f"""\
[project]
name = "{name}"
version = "0.1.0"
description = "{_toml_escape(description)}"
readme = "README.md"
requires-python = "{requires_python}"
dependencies = []
{scripts}
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[dependency-groups]
dev = [
    "pytest>=8.3",
    "ruff>=0.9",
    "mypy>=1.15",
]

[tool.ruff]
line-length = 100
target-version = "py{major}{minor}"

[tool.ruff.lint]
select = [
    "E", "W", "F", "I", "N", "UP", "B", "SIM", "RUF", "S", "PTH", "ASYNC",
    "C4", "PIE", "PT", "RET", "TID",
]

[tool.ruff.lint.per-file-ignores]
"tests/**" = ["S101"]

[tool.mypy]
strict = true
python_version = "{major}.{minor}"
files = ["src", "tests"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = ["-ra", "--strict-markers", "--strict-config"]
"""


def _toml_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _init_py(name: str) -> str:
    return f'''\
"""{name}."""

__all__ = ["hello"]


def hello() -> str:
    """A greeting, to show the package imports and its tests run."""
    return "Hello from {name}!"
'''


def _main_py(module: str) -> str:
    return f'''\
"""Entry point: `python -m {module}` and the console script."""

from {module} import hello


def main() -> None:
    print(hello())


if __name__ == "__main__":
    main()
'''


def _test_py(module: str, name: str) -> str:
    return f"""\
from {module} import hello


def test_hello() -> None:
    assert hello() == "Hello from {name}!"
"""


_GITIGNORE = """\
# Python
__pycache__/
*.py[cod]
*.egg-info/
build/
dist/

# Environments and caches
.venv/
.mypy_cache/
.ruff_cache/
.pytest_cache/
.coverage
htmlcov/
"""
