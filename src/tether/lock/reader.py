"""Reading a `pylock.toml` (ours or another tool's) into packaging's PEP 751 model, with
one clear error for a missing, unparsable or invalid lock."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.pylock import Pylock, PylockValidationError
from packaging.utils import canonicalize_name

from tether.errors import LockError


def read_lock(path: Path) -> Pylock:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LockError(f"{path} does not exist", hint="run `tether lock` first") from None
    try:
        return Pylock.from_dict(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, PylockValidationError, OSError) as err:
        raise LockError(
            f"{path} is not a valid PEP 751 lock: {err}",
            hint="run `tether lock` to re-create it",
        ) from None


def locked_versions(path: Path) -> dict[str, tuple[str, ...]]:
    """Each locked package's versions (several where markers fork), by normalised name;
    empty when there is no readable lock. For reports, not for installing."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    found: dict[str, list[str]] = {}
    for package in data.get("packages", []):
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            found.setdefault(canonicalize_name(package["name"]), []).append(
                str(package.get("version", ""))
            )
    return {name: tuple(sorted(versions)) for name, versions in found.items()}
