"""One package looked up as `tether index` shows it: the page of the index that has it
(or an error that names every index searched, or that the cache has no offline copy),
and the file of a release whose metadata to read."""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tether.errors import IndexFetchError, TetherError, UsageError
from tether.index import Index
from tether.index.client import (
    Found,
    IndexClient,
    NotFound,
    Offline,
)
from tether.index.page import DistFile, ProjectPage
from tether.urls import redact_url


def find_page(client: IndexClient, name: str, pinned: str | None) -> tuple[Index, ProjectPage]:
    found = client.find(name, index=pinned)
    if isinstance(found, Offline):
        raise offline_error(found)
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


def pick_file(
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


def offline_error(offline: Offline) -> TetherError:
    where = f" from index '{offline.index.name}'" if offline.index is not None else ""
    return TetherError(
        f"offline, and the cache has no copy of {offline.what}{where}",
        hint="run the command once without --offline (or TETHER_OFFLINE) to fill the cache",
    )
