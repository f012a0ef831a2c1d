"""The versions a re-lock keeps where it can: the current lock's (both sides of one git
left conflicted), a foreign lock's on a first lock, and those a fork inherits from the
fork it split from."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.errors import LockError
from tether.lock.merge import Sides, has_conflict_markers, pins, read_sides


def with_inherited(
    preferences: Mapping[NormalizedName, frozenset[Version]],
    inherited: Mapping[str, frozenset[Version]],
) -> dict[NormalizedName, frozenset[Version]]:
    """The lock's preferences plus the versions a fork inherits from the one it split
    from and from the forks solved before it."""
    merged = dict(preferences)
    for name, versions in inherited.items():
        key = canonicalize_name(name)
        merged[key] = merged.get(key, frozenset()) | versions
    return merged


def conflict_sides(path: Path) -> Sides | None:
    """Both sides of a lock git left conflicted; None for a normal (or no) lock."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    if not has_conflict_markers(text):
        return None
    sides = read_sides(text)
    if sides is None:
        raise LockError(
            f"{path} holds git conflict markers, and a side of the conflict is not valid TOML",
            hint=f"take one side (`git checkout --ours {path.name}`), then run `tether lock`",
        )
    return sides


def latest_cutoff(moment: datetime | None, others: Iterable[datetime | None]) -> datetime | None:
    """The cut-off the index client may assume: the latest any package uses (None: one
    has none), so that cached pages are refreshed for the package that looks furthest."""
    if moment is None:
        return None
    latest = moment
    for other in others:
        if other is None:
            return None
        latest = max(latest, other)
    return latest


def pinned_preferences(
    pins: Mapping[str, str | tuple[str, ...]],
) -> dict[NormalizedName, frozenset[Version]]:
    seeds: dict[NormalizedName, frozenset[Version]] = {}
    for name, given in pins.items():
        versions = (given,) if isinstance(given, str) else given
        kept = set()
        for text in versions:
            with contextlib.suppress(InvalidVersion):
                kept.add(Version(text))
        if kept:
            seeds[canonicalize_name(name)] = frozenset(kept)
    return seeds


def locked_preferences(
    path: Path, upgrading: set[NormalizedName], sides: Sides | None = None
) -> dict[NormalizedName, frozenset[Version]]:
    """The versions the current lock holds (both sides' of a conflicted one), except for
    packages being upgraded. An unreadable lock gives no preferences (it is about to be
    replaced anyway)."""
    if sides is not None:
        held = [sides.ours, sides.theirs]
    else:
        try:
            held = [pins(path.read_text(encoding="utf-8"))]
        except (OSError, tomllib.TOMLDecodeError):
            return {}
    found: dict[NormalizedName, set[Version]] = {}
    for side in held:
        for name, versions in side.items():
            if canonicalize_name(name) in upgrading:
                continue
            for version in versions:
                with contextlib.suppress(InvalidVersion):
                    found.setdefault(canonicalize_name(name), set()).add(Version(version))
    return {name: frozenset(versions) for name, versions in found.items()}
