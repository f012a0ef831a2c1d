"""Versions pinned by another tool's lock file (`poetry.lock`, `uv.lock`), read as
preferences for tether's first lock of a project: moving to tether should move no
version that does not have to move."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name

# Both are TOML with `[[package]]` tables holding `name` and `version`.
FOREIGN_LOCKS = ("poetry.lock", "uv.lock")


def foreign_pins(root: Path) -> tuple[str | None, dict[str, tuple[str, ...]]]:
    """The first foreign lock beside `root`'s pyproject.toml and its pins (a package uv
    locks at several versions, one per fork, keeps them all: each fork prefers the one
    that fits it)."""
    for name in FOREIGN_LOCKS:
        pins = lock_pins(root / name)
        if pins:
            return name, pins
    return None, {}


def lock_pins(path: Path) -> dict[str, tuple[str, ...]]:
    """name -> versions from a `poetry.lock` or `uv.lock` (empty when there is none or
    it is unreadable)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    seen: dict[str, set[str]] = {}
    for package in data.get("package", []):
        if isinstance(package, dict) and "name" in package and "version" in package:
            seen.setdefault(canonicalize_name(str(package["name"])), set()).add(
                str(package["version"])
            )
    return {name: tuple(sorted(versions)) for name, versions in seen.items()}
