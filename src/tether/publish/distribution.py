"""A built distribution as an upload sees it: its kind, its core metadata, and what an
index would reject about it, found before a byte is sent (what `twine check` checks,
plus the rules PyPI applies on upload)."""

from __future__ import annotations

import email.parser
import email.policy
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata, RawMetadata, parse_email
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from tether.errors import PublishError

KNOWN_CONTENT_TYPES = ("text/plain", "text/x-rst", "text/markdown")


@dataclass(frozen=True, slots=True)
class Distribution:
    path: Path
    filetype: str  # "bdist_wheel" or "sdist", as the upload API names them
    pyversion: str  # the wheel's Python tag, or "source"
    raw: RawMetadata
    metadata: Metadata
    metadata_text: str
    warnings: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.metadata.name)

    @property
    def version(self) -> str:
        return str(self.metadata.version)


def read_distribution(path: Path, *, pypi_rules: bool = False) -> Distribution:
    """Read `path` and check it; a `PublishError` lists every problem found.

    `pypi_rules` adds what PyPI (and TestPyPI) refuse beyond the metadata standards: local
    versions and the `Private :: Do Not Upload` classifier."""
    name, version, filetype, pyversion = _from_filename(path)
    text = _metadata_text(path, filetype, name, version)
    raw, unparsed = parse_email(text)
    problems = [f"unrecognised metadata field `{key}`" for key in sorted(unparsed)]
    metadata: Metadata | None = None
    try:
        metadata = Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        problems.extend(str(err) for err in group.exceptions if isinstance(err, InvalidMetadata))
    said_name, said_version = raw.get("name", ""), raw.get("version", "")
    if said_name and canonicalize_name(said_name) != canonicalize_name(name):
        problems.append(f"the metadata names {said_name}, the filename {name}")
    if said_version and _version(said_version) != version:
        problems.append(f"the metadata says version {said_version}, the filename {version}")
    if metadata is not None and pypi_rules:
        if metadata.version.local is not None:
            problems.append(f"PyPI refuses local versions ({metadata.version})")
        if any(c.startswith("Private ::") for c in metadata.classifiers or ()):
            problems.append("the `Private :: Do Not Upload` classifier forbids uploading to PyPI")
    if problems or metadata is None:
        raise PublishError(
            f"{path.name} would be rejected: " + "; ".join(problems),
            hint="fix the project's metadata (pyproject.toml) and build again",
        )
    return Distribution(
        path=path,
        filetype=filetype,
        pyversion=pyversion,
        raw=raw,
        metadata=metadata,
        metadata_text=text,
        warnings=tuple(_warnings(path, raw)),
    )


def _from_filename(path: Path) -> tuple[str, Version, str, str]:
    filename = path.name
    try:
        if filename.endswith(".whl"):
            name, version, _build, tags = parse_wheel_filename(filename)
            pythons = sorted({tag.interpreter for tag in tags})
            return name, version, "bdist_wheel", ".".join(pythons)
        if filename.endswith(".tar.gz"):
            name, version = parse_sdist_filename(filename)
            return name, version, "sdist", "source"
    except (InvalidWheelFilename, InvalidSdistFilename) as err:
        raise PublishError(
            f"{filename} is not a valid distribution filename: {err}",
            hint="upload the files `tether build` writes, unrenamed",
        ) from None
    raise PublishError(
        f"{filename} is not a wheel or a .tar.gz sdist (the only files indexes accept)",
        hint="upload the files `tether build` writes into dist/",
    )


def _metadata_text(path: Path, filetype: str, name: str, version: Version) -> str:
    try:
        if filetype == "bdist_wheel":
            with zipfile.ZipFile(path) as archive:
                found = [
                    n
                    for n in archive.namelist()
                    if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
                ]
                if len(found) != 1:
                    raise PublishError(
                        f"{path.name} has {len(found)} .dist-info/METADATA files, not one",
                        hint="rebuild it with `tether build`",
                    )
                data = archive.read(found[0])
        else:
            with tarfile.open(path, "r:gz") as archive:
                top = f"{name.replace('-', '_')}-{version}"
                members = [
                    m
                    for m in archive.getmembers()
                    if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
                ]
                chosen = next((m for m in members if m.name.lower() == f"{top}/PKG-INFO".lower()),
                              members[0] if len(members) == 1 else None)  # fmt: skip
                extracted = archive.extractfile(chosen) if chosen is not None else None
                if extracted is None:
                    raise PublishError(
                        f"{path.name} has no PKG-INFO in its top directory",
                        hint="rebuild it with `tether build`",
                    )
                data = extracted.read()
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as err:
        raise PublishError(
            f"cannot read {path.name}: {err}",
            hint="the file is damaged or incomplete; build it again",
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PublishError(
            f"the metadata in {path.name} is not UTF-8", hint="rebuild it with `tether build`"
        ) from None


def _warnings(path: Path, raw: RawMetadata) -> list[str]:
    """What `twine check` warns about: a missing long description or content type."""
    found = []
    if not raw.get("description", "").strip():
        found.append(f"{path.name} has no long description (the project's README)")
    content_type = raw.get("description_content_type")
    if content_type is None:
        found.append(f"{path.name} does not say its description's content type")
    else:
        base = (
            email.parser.HeaderParser(policy=email.policy.compat32)
            .parsestr(f"Content-Type: {content_type}\n\n")
            .get_content_type()
        )
        if base not in KNOWN_CONTENT_TYPES:
            raise PublishError(
                f"{path.name}: unknown description content type {content_type}",
                hint='use text/markdown, text/x-rst or text/plain (readme = "README.md")',
            )
    return found


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None  # reported by the metadata validation
