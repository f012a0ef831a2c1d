"""Flat indexes (pip's `--find-links`, uv's `format = "flat"`): one HTML page or one
local directory that lists the files of many projects. A project's page is the part of
the listing whose file names carry its name; an HTML page is parsed by `page` (which
already keeps only the asked project's files), a directory is read here, each file
hashed as it is listed (a lock records every file's sha256, and a local file has no
index to say it)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.utils import NormalizedName

from tether.errors import IndexFetchError
from tether.index.page import DistFile, ProjectPage, version_from_filename

_CHUNK = 1 << 20


def is_local(url: str) -> bool:
    return url.startswith("file:")


def local_path(url: str) -> Path:
    """The path a `file://` URL names."""
    from urllib.request import url2pathname  # noqa: PLC0415 - loads http.client and ssl

    return Path(url2pathname(unquote(urlsplit(url).path)))


def directory_page(url: str, project: NormalizedName) -> ProjectPage:
    """`project`'s wheels and sdists in the directory at `url` (not its subdirectories)."""
    directory = local_path(url)
    if not directory.is_dir():
        raise IndexFetchError(
            f"the flat index {directory} is not a directory",
            url=str(directory),
            hint='find-links and `format = "flat"` indexes name a directory of wheels and '
            "sdists (relative to pyproject.toml) or an http(s) page that links them",
        )
    files: list[DistFile] = []
    for path in sorted(directory.iterdir()):
        version = version_from_filename(path.name, project)
        if version is None or not path.is_file():
            continue
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        files.append(
            DistFile(
                filename=path.name,
                url=path.resolve().as_uri(),
                version=version,
                sha256=digest.hexdigest(),
                size=path.stat().st_size,
            )
        )
    return ProjectPage(name=project, url=url, files=files)
