"""Direct references (`name @ https://…/name-1.0-py3-none-any.whl`, `name @ file:///…`):
one archive, fetched whole, hashed, and read for its metadata.

The lock needs the archive's sha256, so unlike index files a direct reference is always
downloaded (or read from disk). Wheels and sdists with static metadata (PEP 643) are
supported; a directory or an sdist whose dependencies are dynamic needs a PEP 517 build,
which `tether lock` does not do yet, and is refused with that reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.requirements import Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from tether.errors import LockError
from tether.index.archive_metadata import read_pkg_info, read_wheel_metadata
from tether.index.core_metadata import CoreMetadata, parse_core_metadata
from tether.index.http import HttpClient, status_error
from tether.index.page import DistFile
from tether.urls import redact_url


@dataclass(frozen=True, slots=True)
class DirectArchive:
    file: DistFile  # url is the reference's URL; sha256 and size computed here
    path: Path | None  # for file: references
    metadata: CoreMetadata


def fetch_direct(requirement: Requirement, http: HttpClient) -> DirectArchive:
    url = requirement.url or ""
    parts = urlsplit(url)
    shown = redact_url(url)
    if parts.scheme == "file":
        path = Path(url2pathname(unquote(parts.path)))
        if path.is_dir():
            raise LockError(
                f"'{requirement.name} @ {shown}' is a directory, which needs a PEP 517 build; "
                "`tether lock` does not build yet",
                hint="build a wheel of it (`python -m build`) and depend on that file",
            )
        try:
            content = path.read_bytes()
        except OSError as err:
            raise LockError(
                f"cannot read '{requirement.name} @ {shown}': {err.strerror or err}",
                hint="check the path in the requirement",
            ) from None
        local: Path | None = path
    elif parts.scheme in ("http", "https"):
        response = http.get(url)
        if response.status != 200:
            raise status_error(
                response, what=f"the archive of '{requirement.name}'", index_name=None
            )
        content = response.body
        local = None
    else:
        raise LockError(
            f"'{requirement.name} @ {shown}' is not an http(s) or file URL "
            "(VCS references are not supported yet)",
            hint="point at a wheel or an sdist archive",
        )
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    version = _version(requirement, filename, shown)
    file = DistFile(
        filename=filename,
        url=url,
        version=version,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    if filename.endswith(".whl"):
        data = read_wheel_metadata(content, file)
    else:
        pkg_info = read_pkg_info(content, filename)
        if pkg_info is None:
            raise LockError(f"'{requirement.name} @ {shown}' has no PKG-INFO")
        data = pkg_info
    metadata = parse_core_metadata(data, source=shown)
    if not filename.endswith(".whl") and (
        metadata.metadata_version < "2.2" or "requires-dist" in metadata.dynamic
    ):
        raise LockError(
            f"'{requirement.name} @ {shown}' is an sdist whose dependencies are dynamic; "
            "finding them needs a build, which `tether lock` does not do yet",
            hint="depend on a wheel of it instead",
        )
    return DirectArchive(file=file, path=local, metadata=metadata)


def _version(requirement: Requirement, filename: str, shown: str) -> Version:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        elif filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
        else:
            raise LockError(
                f"'{requirement.name} @ {shown}' is neither a wheel nor an sdist",
                hint="direct references must point at a .whl, .tar.gz or .zip archive",
            )
    except (InvalidWheelFilename, InvalidSdistFilename):
        raise LockError(
            f"'{requirement.name} @ {shown}': cannot tell name and version from the file name",
            hint="use the archive's standard file name (PEP 427 / PEP 625)",
        ) from None
    if name != canonicalize_name(requirement.name):
        raise LockError(
            f"'{requirement.name} @ {shown}' points at an archive of '{name}'",
            hint="fix the name or the URL in the requirement",
        )
    return version
