"""Direct references (`name @ https://…/name-1.0-py3-none-any.whl`, `name @ file:///…`):
one archive, fetched whole, hashed, and read for its metadata.

The lock needs the archive's sha256, so unlike index files a direct reference is always
downloaded (or read from disk). Wheels and sdists with static metadata (PEP 643) are
supported, and project directories (PEP 621); an sdist or a directory whose
dependencies are dynamic is asked through its PEP 517 backend (`DirectBuilds`).
"""

from __future__ import annotations

import hashlib
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from tether.errors import BuildError, LockError
from tether.index.archive_metadata import read_pkg_info, read_wheel_metadata
from tether.index.client import needs_build, sdist_static_metadata
from tether.index.core_metadata import CoreMetadata, parse_core_metadata
from tether.index.page import DistFile
from tether.urls import redact_url
from tether.vcs.reference import BadGitReference, GitReference, is_git_url, parse_git_url

if TYPE_CHECKING:
    from tether.index.http import HttpClient
    from tether.vcs.git import GitCheckout


@dataclass(frozen=True, slots=True)
class DirectBuilds:
    """How to learn what a reference does not declare statically (None: refuse it)."""

    sdist: Callable[[Path], bytes] | None = None  # an sdist file's METADATA
    directory: Callable[[Path], bytes] | None = None  # a project directory's METADATA
    git: Callable[[GitReference], GitCheckout] | None = None  # a git reference, checked out


@dataclass(frozen=True, slots=True)
class DirectArchive:
    file: DistFile  # url is the reference's URL; sha256 and size computed here
    path: Path | None  # for file: references
    metadata: CoreMetadata
    directory: bool = False  # a project directory (no hash: it is built at install)
    dynamic_version: bool = False  # its version comes from its build backend
    vcs: GitCheckout | None = None  # a git reference: the commit it was locked at


def fetch_direct(
    requirement: Requirement, http: HttpClient, builds: DirectBuilds | None = None
) -> DirectArchive:
    builds = builds or DirectBuilds()
    url = requirement.url or ""
    if is_git_url(url):
        return _git(requirement, url, builds)
    parts = urlsplit(url)
    shown = redact_url(url)
    if parts.scheme == "file":
        from urllib.request import url2pathname  # noqa: PLC0415 - loads http.client and ssl

        path = Path(url2pathname(unquote(parts.path)))
        if path.is_dir():
            return _directory(requirement, path, shown, builds.directory)
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
            from tether.index.http import status_error  # noqa: PLC0415

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
    if not filename.endswith(".whl") and needs_build(metadata):
        static = sdist_static_metadata(content, filename, version)
        metadata = (
            _built(requirement, shown, filename, content, builds.sdist)
            if static is None
            else parse_core_metadata(static, source=shown)
        )
    return DirectArchive(file=file, path=local, metadata=metadata)


def _git(requirement: Requirement, url: str, builds: DirectBuilds) -> DirectArchive:
    """A git reference: its commit checked out, read as a project directory whose
    version is the one a build reports (setuptools-scm and friends read the checkout)."""
    try:
        reference = parse_git_url(url)
    except BadGitReference as err:
        raise LockError(
            f"'{requirement.name}' has an unusable git reference: {err}",
            hint="write it as name @ git+https://host/org/repo@rev#subdirectory=path",
        ) from None
    if builds.git is None:
        raise LockError(
            f"'{requirement.name} @ {reference.shown}' is a git dependency, which this "
            "command does not fetch",
            hint="use `tether lock` in a project",
        )
    checkout = builds.git(reference)
    shown = f"git+{reference.shown}@{checkout.commit[:12]}"
    archive = _directory(requirement, checkout.project, shown, builds.directory)
    file = DistFile(
        filename=archive.file.filename,
        url=reference.requirement_url(checkout.commit),
        version=archive.file.version,
    )
    return DirectArchive(
        file=file, path=checkout.project, metadata=archive.metadata, directory=True, vcs=checkout
    )


def _built(
    requirement: Requirement,
    shown: str,
    filename: str,
    content: bytes,
    build: Callable[[Path], bytes] | None,
) -> CoreMetadata:
    """An sdist reference's metadata from its backend (its PKG-INFO cannot be trusted
    for its dependencies)."""
    if build is None:
        raise LockError(
            f"'{requirement.name} @ {shown}' is an sdist whose dependencies are dynamic; "
            "finding them needs a build, which this command does not run",
            hint="depend on a wheel of it instead",
        )
    with tempfile.TemporaryDirectory(prefix="tether-direct-") as scratch:
        archive = Path(scratch) / filename
        archive.write_bytes(content)
        try:
            data = build(archive)
        except BuildError as err:
            err.add_note(f"while reading the dependencies of '{requirement.name} @ {shown}'")
            raise
    return parse_core_metadata(data, source=shown)


def _directory(
    requirement: Requirement,
    path: Path,
    shown: str,
    build: Callable[[Path], bytes] | None,
) -> DirectArchive:
    """A project directory, read from its pyproject.toml's static [project] table (PEP
    621), as a PEP 517 build would report it; what it declares dynamic (the version
    included), from its backend (`build`)."""
    where = f"'{requirement.name} @ {shown}'"
    if (
        not (path / "pyproject.toml").exists()
        and build is not None
        and (path / "setup.py").exists()
    ):
        return _legacy_directory(requirement, path, shown, build)
    try:
        data = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LockError(
            f"{where} is a directory without pyproject.toml",
            hint="tether locks project directories that declare PEP 621 metadata",
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise LockError(f"cannot read {path / 'pyproject.toml'}: {err}") from None
    project = data.get("project")
    if not isinstance(project, dict) or "name" not in project:
        raise LockError(
            f"{where} has no [project] table with a name in its pyproject.toml",
            hint="tether locks project directories that declare PEP 621 metadata",
        )
    if canonicalize_name(str(project["name"])) != canonicalize_name(requirement.name):
        raise LockError(
            f"{where} is the project '{project['name']}'",
            hint="fix the name or the path in the requirement",
        )
    dynamic = set(project.get("dynamic", []))
    if dynamic & {"dependencies", "optional-dependencies", "requires-python"}:
        if build is None:
            fields = ", ".join(sorted(dynamic & {"dependencies", "optional-dependencies"}))
            raise LockError(
                f"{where} declares dynamic {fields or 'requires-python'}; finding them needs "
                "a PEP 517 build, which this command does not run",
                hint="declare them statically in its [project] table",
            )
        metadata = _from_backend(path, shown, where, build)
    else:
        written = str(project.get("version", "0"))
        if "version" in dynamic:
            # The real version, for requirements on it (`alpha>=1.5` from a sibling);
            # a path dependency's lock entry still leaves it out (its backend decides).
            built = None if build is None else _from_backend(path, shown, where, build)
            written = "0" if built is None else str(built.version)
        try:
            metadata_lines = _directory_metadata(project, Version(written))
        except (InvalidVersion, InvalidRequirement) as err:
            raise LockError(f"{where}: its pyproject.toml is invalid: {err}") from None
        metadata = parse_core_metadata(metadata_lines.encode(), source=shown)
    file = DistFile(filename=path.name, url=path.resolve().as_uri(), version=metadata.version)
    return DirectArchive(
        file=file,
        path=path,
        metadata=metadata,
        directory=True,
        dynamic_version="version" in dynamic,
    )


def _from_backend(
    path: Path, shown: str, where: str, build: Callable[[Path], bytes]
) -> CoreMetadata:
    try:
        return parse_core_metadata(build(path), source=shown)
    except BuildError as err:
        err.add_note(f"while reading the metadata of {where}")
        raise


def _legacy_directory(
    requirement: Requirement, path: Path, shown: str, build: Callable[[Path], bytes]
) -> DirectArchive:
    """A setup.py project (no pyproject.toml): everything it declares comes from its
    backend (setuptools' legacy PEP 517 fallback)."""
    where = f"'{requirement.name} @ {shown}'"
    metadata = _from_backend(path, shown, where, build)
    if metadata.name != canonicalize_name(requirement.name):
        raise LockError(
            f"{where} is the project '{metadata.name}'",
            hint="fix the name or the URL in the requirement",
        )
    file = DistFile(filename=path.name, url=path.resolve().as_uri(), version=metadata.version)
    return DirectArchive(file=file, path=path, metadata=metadata, directory=True)


def _directory_metadata(project: dict[str, object], version: Version) -> str:
    """Core metadata (METADATA text) for a static PEP 621 [project] table."""
    lines = ["Metadata-Version: 2.3", f"Name: {project['name']}", f"Version: {version}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    dependencies = project.get("dependencies", [])
    lines += [f"Requires-Dist: {Requirement(str(r))}" for r in dependencies]  # type: ignore[attr-defined]
    extras = project.get("optional-dependencies", {})
    for extra, requirements in extras.items():  # type: ignore[attr-defined]
        lines.append(f"Provides-Extra: {extra}")
        for text in requirements:
            parsed = Requirement(text)
            marker = f"({parsed.marker}) and " if parsed.marker else ""
            parsed.marker = None
            lines.append(f'Requires-Dist: {parsed}; {marker}extra == "{extra}"')
    return "\n".join(lines) + "\n"


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
