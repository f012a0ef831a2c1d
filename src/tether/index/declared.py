"""Metadata a project declares for a package in place of the package's own (uv's
`dependency-metadata`): for an sdist whose build needs what build isolation cannot
give it (flash-attn needs torch to build), or a release whose metadata is wrong. The
resolver then reads the declared requirements and builds nothing. Pure.

An entry with a version applies to that version only; one without applies to every
version that has no entry of its own (uv's lookup order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from tether.index.core_metadata import CoreMetadata


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclaredMetadata:
    name: NormalizedName
    version: Version | None = None
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extra: tuple[NormalizedName, ...] = ()


def by_name(
    entries: Iterable[DeclaredMetadata],
) -> Mapping[NormalizedName, tuple[DeclaredMetadata, ...]]:
    found: dict[NormalizedName, list[DeclaredMetadata]] = {}
    for entry in entries:
        found.setdefault(entry.name, []).append(entry)
    return {name: tuple(listed) for name, listed in found.items()}


def declared_metadata(entries: Iterable[DeclaredMetadata], version: Version) -> CoreMetadata | None:
    """The metadata `entries` (one package's) declare for `version`, if any."""
    listed = list(entries)
    chosen = next((e for e in listed if e.version == version), None)
    if chosen is None:
        chosen = next((e for e in listed if e.version is None), None)
    if chosen is None:
        return None
    return CoreMetadata(
        name=chosen.name,
        version=version,
        requires_dist=chosen.requires_dist,
        requires_python=chosen.requires_python,
        provides_extra=chosen.provides_extra,
        metadata_version="2.3",
    )
