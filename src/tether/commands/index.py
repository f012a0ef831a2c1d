"""`tether index versions|metadata`: what tether sees on the indexes, for debugging
mirrors, private registries and resolution surprises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.errors import TetherError, UsageError
from tether.index import Index
from tether.index.client import (
    IndexClient,
    MetadataResult,
    Offline,
    Unavailable,
)
from tether.index.http import HttpStats
from tether.index.lookup import find_page, offline_error, pick_file
from tether.index.page import DistFile, ProjectPage
from tether.project import load_project, try_find_pyproject


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupOptions:
    """`requirement` is `NAME` (versions) or `NAME==VERSION` (metadata)."""

    requirement: str
    start: Path
    index: IndexOptions
    environ: Mapping[str, str]
    pinned_index: str | None = None
    filename: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionsReport:
    index: Index
    page: ProjectPage


@dataclass(frozen=True, slots=True, kw_only=True)
class MetadataReport:
    index: Index
    file: DistFile
    result: MetadataResult
    stats: HttpStats | None


def versions(options: LookupOptions) -> VersionsReport:
    client = _client(options)
    index, page = find_page(client, _name(options.requirement), options.pinned_index)
    return VersionsReport(index=index, page=page)


def metadata(options: LookupOptions) -> MetadataReport:
    try:
        requirement = Requirement(options.requirement)
    except InvalidRequirement:
        requirement = None
    pins = list(requirement.specifier) if requirement is not None else []
    if requirement is None or len(pins) != 1 or pins[0].operator not in ("==", "==="):
        raise UsageError(
            f"'{options.requirement}' does not name one version",
            hint="write NAME==VERSION, e.g. tether index metadata numpy==2.1.0",
        )
    client = _client(options)
    index, page = find_page(client, requirement.name, options.pinned_index)
    file = pick_file(page, requirement.specifier, options.filename, requirement.name)
    result = client.metadata(file, page=page)
    if isinstance(result, Offline):
        raise offline_error(result)
    if isinstance(result, Unavailable):
        raise TetherError(
            f"the metadata of {file.filename} is not available without building it: "
            f"{result.reason}",
            hint="pick a wheel with --file, or wait for `tether lock`, which builds sdists",
        )
    stats = client.http.stats if result.source != "cache" else None
    return MetadataReport(index=index, file=file, result=result, stats=stats)


def _client(options: LookupOptions) -> IndexClient:
    configured: tuple[Index, ...] = ()
    exclude_newer = options.index.exclude_newer
    pyproject = try_find_pyproject(options.start)
    if pyproject is not None:
        project = load_project(pyproject)
        configured = project.settings.indexes
        exclude_newer = exclude_newer or project.settings.exclude_newer
    indexes = resolve_indexes(configured, options.index, options.environ)
    index_options = IndexOptions(
        index_url=options.index.index_url,
        extra_index_urls=options.index.extra_index_urls,
        offline=options.index.offline,
        refresh=options.index.refresh,
        exclude_newer=exclude_newer,
    )
    return index_client(indexes, index_options, options.environ)


def _name(text: str) -> str:
    try:
        return Requirement(text).name
    except InvalidRequirement:
        raise UsageError(
            f"'{text}' is not a package name", hint="e.g. tether index versions numpy"
        ) from None
