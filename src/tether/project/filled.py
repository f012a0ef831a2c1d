"""A project with the fields its build backend computes (`dynamic`) filled in from the
metadata the backend reported: Requires-Dist and Provides-Extra turned back into
dependencies and extras, Requires-Python into requires-python, Version into version."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from packaging.requirements import Requirement
from packaging.utils import NormalizedName

from tether.index.core_metadata import CoreMetadata
from tether.project.pyproject import Project
from tether.resolve.markers import substitute


def filled(project: Project, metadata: CoreMetadata) -> Project:
    """`project` with its dynamic resolved fields taken from the backend's metadata."""
    changes: dict[str, object] = {}
    if "dependencies" in project.dynamic:
        changes["dependencies"] = tuple(
            _decided(r, None)
            for r in metadata.requires_dist
            if substitute(r.marker, extra=None) is not False
        )
    if "optional-dependencies" in project.dynamic:
        extras: dict[NormalizedName, tuple[Requirement, ...]] = {}
        for extra in metadata.provides_extra:
            extras[extra] = tuple(
                _decided(r, extra)
                for r in metadata.requires_dist
                if substitute(r.marker, extra=None) is False
                and substitute(r.marker, extra=extra) is not False
            )
        changes["optional_dependencies"] = MappingProxyType(extras)
    if "version" in project.dynamic:
        # What a member that pins the project to its own version (clai's
        # `pydantic-ai=={{ version }}`) must find the project at.
        changes["version"] = metadata.version
    if "requires-python" in project.dynamic and metadata.requires_python is not None:
        changes["requires_python"] = metadata.requires_python
    return replace(project, **changes)  # type: ignore[arg-type]


def _decided(requirement: Requirement, extra: str | None) -> Requirement:
    """The requirement with its `extra == ...` clauses decided for `extra`."""
    remaining = substitute(requirement.marker, extra=extra)
    copy = Requirement(str(requirement))
    copy.marker = None if remaining is True or remaining is False else remaining
    return copy
