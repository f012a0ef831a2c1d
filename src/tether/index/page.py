"""A project's page on an index, parsed from PEP 691 JSON or PEP 503 HTML. Pure.

Both formats become one `ProjectPage`: the files with what the index says about each
(hash, requires-python, PEP 592 yanking, PEP 700 size and upload time, PEP 658/714 core
metadata). Files whose names are not a wheel or an sdist with a valid version (eggs,
installers, legacy versions) are dropped, as pip and uv do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import unquote, urldefrag, urljoin

from packaging.utils import (
    NormalizedName,
    canonicalize_name,
)
from packaging.version import InvalidVersion, Version

from tether.errors import IndexFetchError
from tether.urls import redact_url

JSON_MEDIA_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_MEDIA_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
# What we ask for: JSON first, HTML as the PEP 503 fallback (PEP 691 "Version + Format
# Selection"), like pip and uv.
ACCEPT = f"{JSON_MEDIA_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
SUPPORTED_MAJOR = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class DistFile:
    """One downloadable file of a release, as the index describes it."""

    filename: str
    url: str
    version: Version
    sha256: str | None = None
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    upload_time: datetime | None = None
    size: int | None = None
    # PEP 658/714: True when the index says `<url>.metadata` exists, False when it says
    # it does not, None when it says nothing (the index may still have it).
    core_metadata: bool | None = None
    metadata_sha256: str | None = None

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


# One file as the page describes it, in the form pages are digested and cached in:
# (filename, url, sha256, requires-python, yanked (True or its reason) or False, upload
# time in microseconds since the epoch, size, core-metadata, metadata sha256). Pages list
# thousands of files (numpy, ruff, pydantic-core), and a resolution looks at a few
# releases of each: a `DistFile` is made only for the files of a release it looks at.
Row = tuple[
    str, str, str | None, str | None, bool | str, int | None, int | None, bool | None, str | None
]
Group = tuple[Version, tuple[Row, ...]]
# Positions in a row that code outside this module reads.
REQUIRES_PYTHON: Final = 3
YANKED: Final = 4
UPLOADED: Final = 5
CORE_METADATA: Final = 7
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ProjectPage:
    """Every file of one project on one index, grouped by version, newest first."""

    __slots__ = ("_advertises", "_files", "groups", "name", "url")

    def __init__(self, *, name: NormalizedName, url: str, files: Iterable[DistFile] = ()) -> None:
        self._set(name, url, _grouped((file.version, row_of(file)) for file in files))

    @classmethod
    def of_rows(cls, *, name: NormalizedName, url: str, rows: Iterable[Row]) -> ProjectPage:
        """From rows straight off an index page (files without a usable version are
        dropped here)."""
        versioned = ((version_from_filename(row[0], name), row) for row in rows)
        return cls.of_groups(
            name=name, url=url, groups=_grouped((v, r) for v, r in versioned if v is not None)
        )

    @classmethod
    def of_groups(cls, *, name: NormalizedName, url: str, groups: tuple[Group, ...]) -> ProjectPage:
        """From groups already sorted newest first (a digested page read back)."""
        page = cls.__new__(cls)
        page._set(name, url, groups)
        return page

    def _set(self, name: NormalizedName, url: str, groups: tuple[Group, ...]) -> None:
        self.name = name
        self.url = url
        self.groups = groups
        self._files: tuple[DistFile, ...] | None = None
        self._advertises: bool | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProjectPage):
            return NotImplemented
        return (self.name, self.url, self.groups) == (other.name, other.url, other.groups)

    def __hash__(self) -> int:
        return hash((self.name, self.url, self.groups))

    def __repr__(self) -> str:
        return f"ProjectPage(name={self.name!r}, url={self.url!r}, versions={len(self.groups)})"

    @property
    def files(self) -> tuple[DistFile, ...]:
        """Every file, as objects (made on first use: most callers need a few)."""
        if self._files is None:
            self._files = tuple(
                file_of(row, version) for version, rows in self.groups for row in rows
            )
        return self._files

    def versions(self) -> dict[Version, tuple[DistFile, ...]]:
        """Files grouped by version, newest version first."""
        return {version: tuple(file_of(r, version) for r in rows) for version, rows in self.groups}

    @property
    def advertises_metadata(self) -> bool:
        """Whether this index speaks PEP 658 at all (then an unlisted file has none).
        Kept: it is asked once per metadata fetch, and a page may list 15,000 files."""
        if self._advertises is None:
            self._advertises = any(
                row[CORE_METADATA] is not None for _, rows in self.groups for row in rows
            )
        return self._advertises


def row_of(file: DistFile) -> Row:
    stamp = file.upload_time
    return (
        file.filename,
        file.url,
        file.sha256,
        file.requires_python,
        (file.yanked_reason or True) if file.yanked else False,
        None if stamp is None else micros(stamp),
        file.size,
        file.core_metadata,
        file.metadata_sha256,
    )


def file_of(row: Row, version: Version) -> DistFile:
    filename, url, sha256, requires_python, yanked, stamp, size, metadata, digest = row
    return DistFile(
        filename=filename,
        url=url,
        version=version,
        sha256=sha256,
        requires_python=requires_python,
        yanked=yanked is not False,
        yanked_reason=yanked if isinstance(yanked, str) else None,
        upload_time=None if stamp is None else _EPOCH + timedelta(microseconds=stamp),
        size=size,
        core_metadata=metadata,
        metadata_sha256=digest,
    )


def micros(stamp: datetime) -> int:
    """Microseconds since the epoch; a time without a zone is UTC (as PEP 700 says)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return (stamp - _EPOCH) // timedelta(microseconds=1)


def _grouped(versioned: Iterable[tuple[Version, Row]]) -> tuple[Group, ...]:
    """Rows grouped by version (equal versions spelled differently together), newest
    first."""
    grouped: dict[Version, list[Row]] = {}
    for version, row in versioned:
        grouped.setdefault(version, []).append(row)
    return tuple((version, tuple(grouped[version])) for version in sorted(grouped, reverse=True))


def parse_page(body: bytes, *, content_type: str, url: str, project: NormalizedName) -> ProjectPage:
    """Parse a project page in whichever format the index answered with."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_MEDIA_TYPE:
        return parse_json_page(body, url=url, project=project)
    if media in HTML_MEDIA_TYPES or media == "":
        return parse_html_page(body, url=url, project=project)
    raise IndexFetchError(
        f"{redact_url(url)} answered with {media!r}, which is not an index page",
        url=redact_url(url),
        hint="check that the index URL points at a simple repository API root "
        "(e.g. https://pypi.org/simple)",
    )


def parse_json_page(body: bytes, *, url: str, project: NormalizedName) -> ProjectPage:
    """PEP 691 JSON (with PEP 700 and PEP 714 fields)."""
    try:
        data = json.loads(body)
        _check_api_version(str(data["meta"]["api-version"]), url)
        rows = [_json_row(entry, url) for entry in data["files"]]
    except RecursionError:
        raise _malformed(url, "invalid JSON page (nested too deeply)") from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise _malformed(url, f"invalid JSON page ({err})") from None
    rows = [row for row in rows if _same_kind(url, row[1])]
    return ProjectPage.of_rows(name=project, url=url, rows=rows)


def parse_html_page(body: bytes, *, url: str, project: NormalizedName) -> ProjectPage:
    """PEP 503 HTML (with PEP 592, 629 and 658/714 data attributes)."""
    parser = _AnchorParser()
    try:
        parser.feed(body.decode("utf-8", errors="replace"))
        parser.close()
    except AssertionError as err:  # html.parser signals broken markup this way
        raise _malformed(url, f"invalid HTML page ({err})") from None
    if parser.repository_version is not None:
        _check_api_version(parser.repository_version, url)
    base = urljoin(url, parser.base) if parser.base else url
    files = [_html_file(anchor, base, project) for anchor in parser.anchors]
    return ProjectPage(
        name=project,
        url=url,
        files=[f for f in files if f is not None and _same_kind(url, f.url)],
    )


def _same_kind(page_url: str, file_url: str) -> bool:
    """A page served over HTTP lists files over HTTP: a `file://` (or other) link on it
    would make tether read the user's own disk where the index says. Such links are
    ignored; only a `file://` index may point at files."""
    if page_url.startswith(("https://", "http://")):
        return file_url.startswith(("https://", "http://"))
    return True


def page_to_record(page: ProjectPage) -> tuple[str, str, tuple[tuple[str, tuple[Row, ...]], ...]]:
    """The digested form stored in the cache (as `marshal` data, see `index.client`):
    rows grouped by version, so that reading it back parses each version once and makes
    no per-file objects (a page like pydantic-core's lists 15,000 files)."""
    return (
        page.name,
        redact_url(page.url),
        tuple((str(version), rows) for version, rows in page.groups),
    )


def page_from_record(record: Any) -> ProjectPage:
    """Inverse of `page_to_record`. Raises ValueError/TypeError if the record is damaged
    (or in another layout); callers treat that as a cache miss."""
    name, url, stored = record
    groups = []
    for version, rows in stored:
        if not isinstance(rows, tuple) or any(len(row) != _ROW_LENGTH for row in rows[:1]):
            raise TypeError("not this layout")
        groups.append((_version(version), rows))
    return ProjectPage.of_groups(name=canonicalize_name(name), url=str(url), groups=tuple(groups))


_ROW_LENGTH = 9


def _json_row(entry: Mapping[str, Any], page_url: str) -> Row:
    hashes = entry.get("hashes") or {}
    yanked = entry.get("yanked", False)
    metadata = entry.get("core-metadata", entry.get("data-dist-info-metadata"))
    stamp = entry.get("upload-time")
    parsed = _parse_time(stamp) if isinstance(stamp, str) else None
    size = entry.get("size")
    return (
        entry["filename"],
        _absolute(page_url, entry["url"]),
        hashes.get("sha256"),
        entry.get("requires-python") or None,
        (yanked if isinstance(yanked, str) and yanked else True) if yanked is not False else False,
        None if parsed is None else micros(parsed),
        size if isinstance(size, int) else None,
        None if metadata is None else bool(metadata),
        metadata.get("sha256") if isinstance(metadata, dict) else None,
    )


def _absolute(base: str, url: str) -> str:
    """`url` resolved against `base`; absolute URLs (PyPI's, thousands per page) are
    taken as they are: `urljoin` is most of the cost of reading a large page."""
    if url.startswith(("https://", "http://")) and "/./" not in url and "/../" not in url:
        return url
    return urljoin(base, url)


def _html_file(
    anchor: Mapping[str, str | None], base: str, project: NormalizedName
) -> DistFile | None:
    href = anchor.get("href")
    if not href:
        return None
    absolute, fragment = urldefrag(urljoin(base, href))
    filename = unquote(absolute.rsplit("/", 1)[-1])
    version = version_from_filename(filename, project)
    if version is None:
        return None
    algorithm, _, value = fragment.partition("=")
    metadata = anchor.get("data-core-metadata", anchor.get("data-dist-info-metadata"))
    metadata_algorithm, _, metadata_value = (metadata or "").partition("=")
    yanked = "data-yanked" in anchor
    return DistFile(
        filename=filename,
        url=absolute,
        version=version,
        sha256=value if algorithm == "sha256" and value else None,
        requires_python=anchor.get("data-requires-python") or None,
        yanked=yanked,
        yanked_reason=(anchor.get("data-yanked") or None) if yanked else None,
        core_metadata=None
        if "data-core-metadata" not in anchor and "data-dist-info-metadata" not in anchor
        else metadata != "false",
        metadata_sha256=metadata_value if metadata_algorithm == "sha256" else None,
    )


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base: str | None = None
        self.repository_version: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.anchors.append(attributes)
        elif tag == "base" and self.base is None:
            self.base = attributes.get("href")
        elif tag == "meta" and attributes.get("name") == "pypi:repository-version":
            self.repository_version = attributes.get("content")


@lru_cache(maxsize=65536)
def _version(text: str) -> Version:
    """Versions are immutable and a page repeats each across its files (pydantic-core:
    15,000 files, 150 versions): parsed once each."""
    return Version(text)


def version_from_filename(filename: str, project: str) -> Version | None:
    """The version a file name carries; None for files we do not use: not a wheel or
    an sdist, another project's name, or a name that does not split unambiguously into
    name and version (`cffi-1.0.2-2.tar.gz` is not cffi 2; pip and uv skip it too).

    Wheel names are split by hand (PEP 427: `{name}-{version}-...`): the full
    `parse_wheel_filename` also parses every tag, which costs most of the time of
    reading a page like torch's or numpy's, thousands of files long.
    """
    try:
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6) or _normalised(parts[0]) != project:
                return None
            return _version(parts[1])
        for suffix in (".tar.gz", ".zip"):
            if filename.endswith(suffix):
                name, dash, version = filename[: -len(suffix)].rpartition("-")
                if not dash or _normalised(name) != project:
                    return None
                return _version(version)
    except InvalidVersion:
        return None
    return None


@lru_cache(maxsize=4096)
def _normalised(name: str) -> str:
    return canonicalize_name(name)


def _parse_time(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _check_api_version(version: str, url: str) -> None:
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) > SUPPORTED_MAJOR:
        raise _malformed(
            url, f"the index speaks repository API version {version}, tether knows 1.x"
        )


def _malformed(url: str, detail: str) -> IndexFetchError:
    safe = redact_url(url)
    return IndexFetchError(
        f"cannot read the index page {safe}: {detail}",
        url=safe,
        hint="the index may be misconfigured or not a PEP 503/691 simple repository",
    )
