"""`tether index versions|metadata`: what tether sees on the indexes, for debugging
mirrors, private registries and resolution surprises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.errors import IndexFetchError, TetherError, UsageError
from tether.index import Index
from tether.index.client import (
    Found,
    IndexClient,
    MetadataResult,
    NotFound,
    Offline,
    Unavailable,
)
from tether.index.http import HttpStats
from tether.index.page import DistFile, ProjectPage
from tether.project import load_project, try_find_pyproject
from tether.urls import redact_url


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
    index, page = _find(client, _name(options.requirement), options.pinned_index)
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
    index, page = _find(client, requirement.name, options.pinned_index)
    file = _pick_file(page, requirement.specifier, options.filename, requirement.name)
    result = client.metadata(file, page=page)
    if isinstance(result, Offline):
        raise _offline_error(result)
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


def _find(client: IndexClient, name: str, pinned: str | None) -> tuple[Index, ProjectPage]:
    found = client.find(name, index=pinned)
    if isinstance(found, Offline):
        raise _offline_error(found)
    if isinstance(found, NotFound):
        searched = ", ".join(f"{i.name} <{redact_url(i.url)}>" for i in found.searched)
        raise IndexFetchError(
            f"no index has a package named '{canonicalize_name(name)}' (searched {searched})",
            url=searched,
            hint="check the spelling, or add the index that has it to [[tool.tether.index]] "
            "or --extra-index-url",
        )
    assert isinstance(found, Found)  # noqa: S101 - the union is exhausted
    return found.index, found.page


def _pick_file(
    page: ProjectPage, specifier: SpecifierSet, filename: str | None, name: str
) -> DistFile:
    files = [f for f in page.files if specifier.contains(f.version, prereleases=True)]
    if not files:
        raise UsageError(
            f"{canonicalize_name(name)} has no release {specifier} on this index",
            hint=f"run `tether index versions {canonicalize_name(name)}` to list them",
        )
    if filename is not None:
        for file in files:
            if file.filename == filename:
                return file
        raise UsageError(
            f"no file named {filename} in {canonicalize_name(name)} {specifier}",
            hint="the release's files are: " + ", ".join(f.filename for f in files),
        )
    universal = [f for f in files if f.filename.endswith("-none-any.whl")]
    wheels = [f for f in files if f.is_wheel]
    return (universal or wheels or files)[0]


def _offline_error(offline: Offline) -> TetherError:
    where = f" from index '{offline.index.name}'" if offline.index is not None else ""
    return TetherError(
        f"offline, and the cache has no copy of {offline.what}{where}",
        hint="run the command once without --offline (or TETHER_OFFLINE) to fill the cache",
    )
