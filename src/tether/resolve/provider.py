"""The seam between the resolver and the world (DESIGN.md §2: owned by its consumer).

The solver asks a `Provider` which versions a package has, in the order it should try
them, and what one version depends on. Tests pass an in-memory provider; `tether lock`
passes one backed by the index client and the cache. Policies that filter candidates
(yanked, exclude-newer, pre-releases, requires-python) live in the provider, so the
solver stays a pure algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.version import Version

from tether.resolve.package import Package


@dataclass(frozen=True, slots=True)
class Dependency:
    package: Package
    versions: VersionRange


@dataclass(frozen=True, slots=True)
class Edge:
    """For the lock, not the solver: `child` is needed by a parent when `marker` holds
    (None: always). Shared by the provider that records edges and the lock that turns
    them into package markers."""

    child: Package
    marker: Marker | None


@dataclass(frozen=True, slots=True)
class Available:
    dependencies: tuple[Dependency, ...]


@dataclass(frozen=True, slots=True)
class Unavailable:
    """This version cannot be used; `reason` completes "foo 1.0 ..." in messages
    (e.g. "requires Python >=3.12, but the project supports >=3.11")."""

    reason: str


class Provider(Protocol):
    def versions(self, package: Package) -> Sequence[Version]:
        """Candidate versions, most preferred first (newest for `highest`)."""
        ...

    def dependencies(self, package: Package, version: Version) -> Available | Unavailable: ...

    def prefetch(self, packages: Iterable[Package]) -> None:
        """A hint: these packages are likely to be asked about soon."""
        ...
