"""Core metadata out of archives: a wheel's `.dist-info/METADATA`, an sdist's PKG-INFO
(or its pyproject.toml, read by `pyproject_metadata`).

Shared by the range-request and full-download paths of `client`.
"""

from __future__ import annotations

import io
import tarfile
import zipfile

from tether.errors import IndexFetchError
from tether.index.page import DistFile
from tether.index.remote_zip import ZipEntry
from tether.urls import redact_url


def metadata_member(names: list[str], file: DistFile) -> str | None:
    """The wheel's own `<name>-<version>.dist-info/METADATA` (PEP 427), if present."""
    candidates = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
    prefix = file.filename.split("-", 1)[0].lower()
    chosen = [n for n in candidates if n.lower().startswith(prefix)] or candidates
    return chosen[0] if len(chosen) == 1 else None


def metadata_entry(entries: list[ZipEntry], file: DistFile) -> ZipEntry | None:
    name = metadata_member([e.name for e in entries], file)
    return next((e for e in entries if e.name == name), None)


def read_wheel_metadata(content: bytes, file: DistFile) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            name = metadata_member(archive.namelist(), file)
            if name is None:
                raise IndexFetchError(
                    f"{file.filename} has no single .dist-info/METADATA file",
                    url=redact_url(file.url),
                    hint="the wheel is malformed",
                )
            return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise bad_zip(file, err) from None


def bad_zip(file: DistFile, err: Exception) -> IndexFetchError:
    return IndexFetchError(
        f"cannot read {file.filename} as a zip archive: {err}",
        url=redact_url(file.url),
        hint="the file is damaged or not a wheel",
    )


def read_pkg_info(content: bytes, filename: str) -> bytes | None:
    return read_top_member(content, filename, "PKG-INFO")


def read_top_member(content: bytes, filename: str, member_name: str) -> bytes | None:
    """A file in an sdist's top directory (`PKG-INFO`, `pyproject.toml`), or None."""
    suffix = f"/{member_name}"
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(suffix)]
                return archive.read(names[0]) if names else None
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:*") as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.count("/") == 1 and member.name.endswith(suffix):
                    extracted = archive.extractfile(member)
                    return extracted.read() if extracted is not None else None
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError):
        return None
    return None
