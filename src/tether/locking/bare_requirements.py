"""A resolution of bare requirements (`tether.api.resolve`): the requirements, constraints
and environment markers parsed with errors that say which one is wrong, the Python range
(one version, or at least the running one), and the answer as plain frozen data."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.errors import UsageError

ROOT_NAME = canonicalize_name("tether-api-resolve-root")


@dataclass(frozen=True, slots=True)
class ResolvedPackage:
    name: str
    version: str
    marker: str | None  # where it is needed (None: everywhere)
    dependencies: tuple[str, ...]
    index: str | None
    wheels: tuple[str, ...]  # filenames
    sdist: str | None


@dataclass(frozen=True, slots=True)
class Resolution:
    requires_python: str
    environments: tuple[str, ...]
    packages: tuple[ResolvedPackage, ...]

    def versions(self) -> dict[str, str]:
        """Name → version, sorted by name (the first version, for a package resolved
        differently per fork)."""
        found: dict[str, str] = {}
        for package in sorted(self.packages, key=lambda p: p.name):
            found.setdefault(package.name, package.version)
        return found


def python_range(python: str | None) -> str:
    if python is None:
        return f">={sys.version_info.major}.{sys.version_info.minor}"
    try:
        version = Version(python)
    except InvalidVersion:
        raise UsageError(
            f"python={python!r} is not a version", hint='give one like "3.12"'
        ) from None
    return f"=={version.major}.{version.minor}.*"


def parsed_requirement(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as err:
        raise UsageError(
            f"invalid requirement {text!r}: {err}",
            hint='write it as PEP 508 says, e.g. "numpy>=2"',
        ) from None


def parsed_marker(text: str) -> Marker:
    try:
        return Marker(text)
    except InvalidMarker as err:
        raise UsageError(
            f"invalid environment marker {text!r}: {err}",
            hint="write it as PEP 508 says, e.g. \"sys_platform == 'linux'\"",
        ) from None
