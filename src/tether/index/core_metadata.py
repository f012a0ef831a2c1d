"""Core metadata (METADATA / PKG-INFO) reduced to what resolution needs. Pure.

Parsed with `packaging.metadata.parse_email`, which tolerates the odd fields real
packages carry. A Requires-Dist line that is not valid PEP 508 (old releases have some)
is kept aside in `invalid` rather than failing the whole package: the provider decides
whether that version is usable.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.errors import IndexFetchError


@dataclass(frozen=True, slots=True, kw_only=True)
class CoreMetadata:
    name: NormalizedName
    version: Version
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extra: tuple[NormalizedName, ...] = ()
    metadata_version: str = "1.0"
    dynamic: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


def parse_core_metadata(data: bytes, *, source: str) -> CoreMetadata:
    """Parse METADATA bytes; `source` (a redacted URL or a file name) names it in errors.
    Only the headers are read: the body is the long description, which resolution
    does not need and which was most of the parsing time."""
    raw, unparsed = parse_email(_headers(data))
    name = raw.get("name")
    version = raw.get("version")
    if not name or not version:
        raise IndexFetchError(
            f"the core metadata of {source} has no Name or Version",
            url=source,
            hint="the index serves a damaged metadata file; try --refresh",
        )
    try:
        parsed_version = Version(version)
    except InvalidVersion:
        raise IndexFetchError(
            f"the core metadata of {source} has an invalid version {version!r}",
            url=source,
        ) from None
    requirements: list[Requirement] = []
    invalid: list[str] = []
    for line in [*raw.get("requires_dist", []), *unparsed.get("requires-dist", [])]:
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement:
            invalid.append(line)
    requires_python = None
    if spec := raw.get("requires_python"):
        try:
            requires_python = SpecifierSet(spec)
        except InvalidSpecifier:
            invalid.append(f"Requires-Python: {spec}")
    return CoreMetadata(
        name=canonicalize_name(name),
        version=parsed_version,
        requires_dist=tuple(requirements),
        requires_python=requires_python,
        provides_extra=tuple(canonicalize_name(e) for e in raw.get("provides_extra", [])),
        metadata_version=raw.get("metadata_version", "1.0"),
        dynamic=tuple(d.lower() for d in raw.get("dynamic", [])),
        invalid=tuple(invalid),
    )


def _headers(data: bytes) -> bytes:
    """The header block of an email-format file (all of it when there is no body)."""
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    return data[: min(ends) + 1] if ends else data
