"""What `constraint-dependencies` allow of a package in one fork, and what
`override-dependencies` put in place of a requirement.

A constraint whose marker holds wherever the fork reaches bounds the package's versions
outright; one whose marker holds nowhere there is dropped; one whose marker holds in a
part of the fork is, as uv has it, a requirement of its own beside each requirement on
the package, so that the fork divides on its marker (`onnxruntime<1.24; python_version
< "3.11"` caps onnxruntime for Python 3.10 only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.markers import Marker
from packaging.ranges import VersionRange
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tether.resolve.markers import Grid
from tether.resolve.version_set import from_specifier


@dataclass(frozen=True, slots=True)
class Bounds:
    # name -> the versions every constraint that holds throughout the fork allows
    always: Mapping[NormalizedName, VersionRange]
    # name -> (marker, versions) of the constraints that hold in a part of the fork
    partial: Mapping[NormalizedName, tuple[tuple[Marker, VersionRange], ...]]

    @classmethod
    def of(cls, constraints: Iterable[Requirement], grid: Grid) -> Bounds:
        always: dict[NormalizedName, VersionRange] = {}
        partial: dict[NormalizedName, list[tuple[Marker, VersionRange]]] = {}
        for constraint in constraints:
            name = canonicalize_name(constraint.name)
            versions = from_specifier(str(constraint.specifier))
            marker = constraint.marker
            if marker is None or grid.always(marker):
                known = always.get(name)
                always[name] = versions if known is None else known & versions
            elif grid.possible(marker):
                partial.setdefault(name, []).append((marker, versions))
        return cls(always, {name: tuple(found) for name, found in partial.items()})

    def allows(self, name: NormalizedName, version: Version) -> bool:
        bound = self.always.get(name)
        return bound is None or bound.contains(version, prereleases=True)


def requirements_by_name(
    requirements: Iterable[Requirement],
) -> dict[NormalizedName, list[Requirement]]:
    """`requirements` grouped by their package's normalised name, in order (several
    constraints or overrides may name one package, under different markers)."""
    found: dict[NormalizedName, list[Requirement]] = {}
    for requirement in requirements:
        found.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return found


def replaced_by(requirement: Requirement, overrides: Sequence[Requirement]) -> list[Requirement]:
    """The requirements that stand for `requirement` when its package has `overrides`:
    one per override, with the override's versions and marker and the extras of both.
    The requirement's own marker still applies beside the override's (the caller joins
    them; unlike uv, an override of `pywin32; sys_platform == 'win32'` does not make
    pywin32 needed on Linux)."""
    found = []
    for override in overrides:
        extras = sorted(requirement.extras | override.extras)
        text = f"{requirement.name}[{','.join(extras)}]" if extras else requirement.name
        marker = f"; {override.marker}" if override.marker is not None else ""
        found.append(Requirement(f"{text}{override.specifier}{marker}"))
    return found
