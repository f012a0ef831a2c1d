"""Is a lock still what its inputs would produce? Cheap enough for every `tether run`.

The lock records a fingerprint per input (`[tool.tether.inputs]`); comparing them needs
the project and the lock file, and none of the resolver, index or HTTP machinery.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from tether.errors import LockError
from tether.lock.merge import has_conflict_markers


def resolver_options(
    *,
    resolution: str,
    prerelease: str,
    exclude_newer: datetime | str | None,
    exclude_newer_package: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """The resolver options that are part of the lock's inputs (exclude-newer as a
    moment, or a cool-down span such as "P7D")."""
    options: dict[str, str | None] = {
        "resolution": resolution,
        "prerelease": prerelease,
        "exclude-newer": exclude_newer.isoformat()
        if isinstance(exclude_newer, datetime)
        else exclude_newer,
    }
    if exclude_newer_package:
        options["exclude-newer-package"] = ", ".join(
            f"{name}={value}" for name, value in sorted(exclude_newer_package.items())
        )
    return options


def check_inputs(path: Path, fingerprints: Mapping[str, str]) -> None:
    """Raise `LockError` naming what changed, if the lock at `path` is stale or missing."""
    if not path.exists():
        raise LockError(f"{path} does not exist", hint="run `tether lock` to create it")
    text = path.read_text(encoding="utf-8")
    if has_conflict_markers(text):
        raise LockError(
            f"{path} holds git conflict markers",
            hint="run `tether lock`: it re-locks preferring the pins of both sides",
        )
    try:
        recorded = tomllib.loads(_tool_tail(text))["tool"]["tether"]["inputs"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        raise LockError(
            f"{path} was not written by tether (no [tool.tether.inputs])",
            hint="run `tether lock` to re-create it",
        ) from None
    changed = sorted(k for k in fingerprints if recorded.get(k) != fingerprints[k])
    if changed:
        names = ", ".join(f"`{k}`" for k in changed)
        raise LockError(
            f"{path.name} is out of date: {names} changed since it was written",
            hint="run `tether lock` to update it",
        )


def _tool_tail(text: str) -> str:
    """The `[tool.tether]` tables tether writes last, alone: parsing a large lock whole
    costs a tenth of a second that every `run` and `sync` would pay. Any other layout
    is parsed whole."""
    start = text.rfind("\n[tool.tether]\n")
    if start < 0 or "[[packages]]" in text[start:]:
        return text
    return text[start + 1 :]
