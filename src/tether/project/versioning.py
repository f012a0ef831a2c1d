"""A project's version as `tether version` reads and moves it: PEP 440 parsing with a
located error, the next version for a bump (major, minor, patch, pre), and which tool
computes a dynamic version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packaging.version import InvalidVersion, Version

from tether.errors import UsageError

BUMPS = ("major", "minor", "patch", "pre")


def bumped(current: Version, part: str) -> Version:
    """The next version: `major`/`minor`/`patch` drop pre-, post- and dev-releases;
    `pre` counts up a pre-release (1.2.0a1 -> 1.2.0a2) or starts one on the next patch
    (1.2.3 -> 1.2.4a1)."""
    major, minor, patch = [*current.release, 0, 0, 0][:3]
    if part == "major":
        return Version(f"{major + 1}.0.0")
    if part == "minor":
        return Version(f"{major}.{minor + 1}.0")
    if part == "patch":
        return Version(f"{major}.{minor}.{patch + 1}")
    if part == "pre":
        if current.pre is not None:
            letter, number = current.pre
            return Version(f"{current.base_version}{letter}{number + 1}")
        return Version(f"{major}.{minor}.{patch + 1}a1")
    raise UsageError(f"unknown bump {part!r}", hint=f"use one of {', '.join(BUMPS)}")


def dynamic_source(data: Mapping[str, Any]) -> str:
    """Which tool computes a dynamic version, from the build backend and its table."""
    tool = data.get("tool", {})
    backend = str(data.get("build-system", {}).get("build-backend", ""))
    if "hatch" in tool and "version" in tool["hatch"]:
        where = tool["hatch"]["version"]
        detail = where.get("path") or where.get("source") if isinstance(where, dict) else None
        return f"hatchling ([tool.hatch.version]{f': {detail}' if detail else ''})"
    if "setuptools_scm" in tool or "setuptools-scm" in tool:
        return "setuptools-scm (from git tags)"
    if "setuptools" in tool and "version" in tool["setuptools"].get("dynamic", {}):
        return "setuptools ([tool.setuptools.dynamic] version)"
    if "pdm" in tool and "version" in tool["pdm"]:
        return "pdm-backend ([tool.pdm.version])"
    if backend.startswith("flit"):
        return "flit (the module's __version__)"
    return f"the build backend ({backend or 'setuptools, by default'})"


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise UsageError(
            f"{text!r} is not a version", hint='versions follow PEP 440, e.g. "1.4.0", "2.0rc1"'
        ) from None
