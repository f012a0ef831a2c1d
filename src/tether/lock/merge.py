"""A `pylock.toml` with git conflict markers, taken apart. Pure.

Every tool today answers a conflicted lock with "delete it and re-lock", which throws
away every pin on both branches. Instead: split the file into the two sides git merged
(the diff3 base section, if any, is dropped), read each side's pins, and let the
re-lock prefer the union of both, so packages neither branch touched keep their
versions and each branch's additions survive.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from packaging.utils import canonicalize_name

_MARKER = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?: .*)?$")


@dataclass(frozen=True, slots=True)
class Sides:
    ours: dict[str, frozenset[str]]  # name -> versions
    theirs: dict[str, frozenset[str]]


def has_conflict_markers(text: str) -> bool:
    return any(_MARKER.match(line) for line in text.splitlines())


def split_sides(text: str) -> tuple[str, str]:
    """(ours, theirs): the file as each branch had it, outside the conflicts shared."""
    ours: list[str] = []
    theirs: list[str] = []
    state = "both"
    for line in text.splitlines(keepends=True):
        match = _MARKER.match(line.rstrip("\r\n"))
        if match:
            state = {"<<<<<<<": "ours", "|||||||": "base", "=======": "theirs"}.get(
                match.group(1), "both"
            )
            continue
        if state in ("both", "ours"):
            ours.append(line)
        if state in ("both", "theirs"):
            theirs.append(line)
    return "".join(ours), "".join(theirs)


def read_sides(text: str) -> Sides | None:
    """Both sides' pins, or None when a side is not valid TOML (then nothing is kept)."""
    ours, theirs = split_sides(text)
    try:
        return Sides(ours=pins(ours), theirs=pins(theirs))
    except tomllib.TOMLDecodeError:
        return None


def pins(text: str) -> dict[str, frozenset[str]]:
    """Each package's locked versions in a lock's text."""
    found: dict[str, set[str]] = {}
    for package in tomllib.loads(text).get("packages", []):
        if isinstance(package, dict) and isinstance(package.get("version"), str):
            found.setdefault(canonicalize_name(str(package.get("name", ""))), set()).add(
                package["version"]
            )
    return {name: frozenset(versions) for name, versions in found.items()}


def provenance(sides: Sides, merged: dict[str, frozenset[str]]) -> list[str]:
    """For each package of the merged lock that differs from either side: where its
    version came from."""
    lines = []
    for name in sorted(merged):
        versions = merged[name]
        ours, theirs = sides.ours.get(name), sides.theirs.get(name)
        if versions == ours == theirs:
            continue
        shown = " | ".join(sorted(versions))
        if versions == ours:
            lines.append(f"{name} {shown}: from ours")
        elif versions == theirs:
            lines.append(f"{name} {shown}: from theirs")
        else:
            lines.append(f"{name} {shown}: re-resolved")
    lines += [
        f"{name}: dropped (on {'ours' if name in sides.ours else 'theirs'} only, no longer needed)"
        for name in sorted((sides.ours.keys() | sides.theirs.keys()) - merged.keys())
    ]
    return lines
