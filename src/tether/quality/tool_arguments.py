"""The command lines of ruff and mypy as tether runs them: `format`/`check` with their
flags, and for mypy with no target of its own, the project's package and tests."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def arguments(check: str, given: Sequence[str], *, fix: bool, check_only: bool) -> list[str]:
    """The tool's arguments for `check` (fmt, lint, typecheck, test)."""
    extra = list(given)
    if check == "fmt":
        return ["format", *(["--check"] if check_only else []), *extra]
    if check == "lint":
        return ["check", *(["--fix"] if fix else []), *extra]
    return extra


def has_target(arguments: Sequence[str], cwd: Path) -> bool:
    """Whether mypy was given something to check (a path, `-m`, `-p`, `-c`)."""
    if any(a in ("-m", "-p", "-c", "--module", "--package", "--command") for a in arguments):
        return True
    return any(not a.startswith("-") and (cwd / a).exists() for a in arguments)


def mypy_targets(root: Path, cwd: Path) -> list[str]:
    """What mypy checks when neither the command line nor its configuration says
    (`files` in [tool.mypy], mypy.ini, .mypy.ini, setup.cfg): the project's package
    (`src/`, or its package directories) and `tests/`, as `tether init` lays them out."""
    import configparser  # noqa: PLC0415
    import tomllib  # noqa: PLC0415

    try:
        tool = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        tool = {}
    if tool.get("mypy", {}).get("files"):
        return []
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        config = configparser.ConfigParser()
        try:
            config.read(root / name, encoding="utf-8")
        except configparser.Error:
            continue
        if config.has_option("mypy", "files"):
            return []
    if (root / "src").is_dir():
        found = [root / "src"]
    else:
        found = [
            entry
            for entry in sorted(root.iterdir())
            if entry.is_dir() and (entry / "__init__.py").exists() and entry.name != "tests"
        ]
    if (root / "tests").is_dir():
        found.append(root / "tests")
    return [os.path.relpath(path, cwd) for path in found]
