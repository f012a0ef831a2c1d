"""The seam between the resolver and the world (DESIGN.md §2: owned by its consumer).

The solver asks a `Provider` which versions a package has, in the order it should try
them, and what one version depends on. Tests pass an in-memory provider; `tether lock`
passes one backed by the index client and the cache. Policies that filter candidates
(yanked, exclude-newer, pre-releases, requires-python) live in the provider, so the
solver stays a pure algorithm.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.version import Version

from tether.resolve.condition import Release
from tether.resolve.package import Package


@dataclass(frozen=True, slots=True)
class Dependency:
    """`package` in `versions` is needed. `via`: for the project's own requirements,
    the extra or group that asks (`svc[gpu]`, `svc:dev`), which messages name."""

    package: Package
    versions: VersionRange
    via: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """For the lock, not the solver: `child` is needed by a parent when `marker` holds
    (None: always), in `versions` (None: any). Shared by the provider that records
    edges, the universal resolution that reads which versions a package may take, and
    the lock that turns them into package markers."""

    child: Package
    marker: Marker | None
    versions: VersionRange | None = None
    # Asked by the project itself (a constraint, or the requirement of a workspace
    # member or path package): a cap it puts under a marker is meant for that part.
    own: bool = False


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


class ForkProvider(Provider, Protocol):
    """What a universal resolution asks of the provider of one fork besides the
    solver's questions (`resolve.universal`)."""

    @property
    def edges(self) -> Mapping[tuple[Package, Version], Sequence[Edge]]:
        """Every dependency edge read so far, by (parent, version)."""
        ...

    def python_floors_ahead(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> Sequence[Release]:
        """The Python floors of the releases of `package` ranked ahead of `version`,
        inside `allowed`, that only their `Requires-Python` keeps out of this fork,
        most preferred first."""
        ...

    def base_platforms(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> tuple[str, ...]:
        """For a local version (`2.9.0+cpu`) with no file for some OSes of this fork
        that its base release (`2.9.0`, inside `allowed`) serves: those OSes
        (sys_platform values), to fork on; () otherwise."""
        ...

    def wheel_floor(self, package: Package, version: Version) -> Release | None:
        """For a release with wheels only, none for the fork's lowest Python: the
        Python its wheels start at (None otherwise)."""
        ...

    def python_floor(self, package: Package, version: Version) -> Release | None:
        """For a release only its `Requires-Python` keeps out of this fork: the lowest
        Python it accepts (None otherwise)."""
        ...

    def held_back(self, name: str, version: Version) -> bool:
        """Whether a release of `name` newer than `version` is left out of this fork
        only for having no wheel (and no sdist) for the fork's platforms."""
        ...

    def python_floors(self, name: str) -> Sequence[Release]:
        """The Python floors of the releases of `name` ranked ahead of its first usable
        one that `Requires-Python` keeps out of this fork, most preferred first (what
        may fit above each floor)."""
        ...
