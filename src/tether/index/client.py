"""`IndexClient`: which versions of X exist, and what does X 1.2 depend on?

Answers come from the global cache when it is fresh (see `freshness`), from the index
otherwise, and are written back for the next run. Metadata never needs a whole wheel:
PEP 658 `.metadata` files first (also unadvertised ones, which some mirrors serve), then
range requests into the wheel's zip directory, and only when the server cannot do ranges,
the whole file (hash-checked). Outcomes that are not errors (not on this index, not in the
cache while offline) are values; failures are `IndexFetchError`s. Thread-safe: the
provider calls it from a pool of threads.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import (
    InvalidSdistFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
)
from packaging.version import Version

from tether.cache import Bucket, Cache, digest
from tether.errors import IndexFetchError
from tether.index.archive_metadata import (
    bad_zip,
    metadata_entry,
    read_pkg_info,
    read_top_member,
    read_wheel_metadata,
)
from tether.index.config import Index, index_chain
from tether.index.core_metadata import CoreMetadata, parse_core_metadata
from tether.index.flat import directory_page, is_local, local_path
from tether.index.freshness import CacheControl, CachePolicy, is_fresh, parse_cache_control
from tether.index.page import (
    ACCEPT,
    UPLOADED,
    DistFile,
    ProjectPage,
    page_from_record,
    page_to_record,
    parse_html_page,
    parse_page,
)
from tether.index.remote_zip import TAIL, dist_info_entries_in_tail, read_directory, read_entry
from tether.index.unlisted import UnlistedMetadata
from tether.urls import redact_url

if TYPE_CHECKING:  # urllib3 and TLS load only when a request is made
    from tether.index.http import HttpClient, HttpResponse, HttpStats

# Digested pages are stored with `marshal`: reading 22 MB of them (a typical service's
# 74 pages) takes a third of the time JSON does, and gives the rows as tuples directly.
# Its format may change between Python versions, which the header names: an entry
# written by another version (or damaged) is a miss.
_PAGE_MAGIC = b"tether-page\x00" + bytes([marshal.version, *sys.version_info[:2]])
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# How long (the last back-off, in seconds) an empty page from a devpi mirror is asked
# for again before it is believed.
MIRROR_RETRY_LIMIT = 4.0


class MetadataSource(StrEnum):
    """How a file's metadata was obtained (shown by `tether index metadata -v`)."""

    CACHE = "cache"
    PEP658 = "pep658"  # an advertised .metadata file
    UNADVERTISED = "unadvertised-pep658"  # a .metadata file the page did not list
    RANGE = "range-requests"
    DOWNLOAD = "full-download"
    BUILD = "pep517-build"  # an sdist's metadata, from its build backend
    DECLARED = "dependency-metadata"  # what the project declares in its place


@dataclass(frozen=True, slots=True)
class Found:
    page: ProjectPage
    index: Index


@dataclass(frozen=True, slots=True)
class NotFound:
    """No index searched has the project."""

    name: NormalizedName
    searched: tuple[Index, ...]


@dataclass(frozen=True, slots=True)
class Offline:
    """Offline, and the cache cannot answer: `what` is missing, from `index`."""

    what: str
    index: Index | None


@dataclass(frozen=True, slots=True)
class MetadataResult:
    metadata: CoreMetadata
    source: MetadataSource


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The metadata cannot be had without building (an sdist with dynamic dependencies)."""

    reason: str
    # The verified sdist, kept in the archive cache for the build (and for `sync`).
    archive: Path | None = None


class IndexClient:
    """Reads pages and metadata from `indexes` through `cache` under `policy`.

    `http` is created on first use, so a fully cached run never imports the HTTP stack.
    """

    def __init__(
        self,
        *,
        indexes: Sequence[Index],
        cache: Cache,
        policy: CachePolicy | None = None,
        http: Callable[[], HttpClient] | HttpClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.indexes = tuple(indexes)
        self.chain = index_chain(self.indexes)
        self.cache = cache
        self.policy = policy or CachePolicy()
        self._http_factory = http
        self._http: HttpClient | None = None if http is None or callable(http) else http
        self._clock = clock
        self._http_lock = threading.Lock()
        self._unlisted = UnlistedMetadata()
        self._flat: dict[str, HttpResponse] = {}
        self._flat_lock = threading.Lock()

    @property
    def http(self) -> HttpClient:
        with self._http_lock:  # the provider's threads may race to create it
            if self._http is None:
                factory = self._http_factory
                if callable(factory):
                    self._http = factory()
                else:
                    from tether.index.http import HttpClient  # noqa: PLC0415

                    self._http = HttpClient()
            return self._http

    @property
    def stats(self) -> HttpStats | None:
        """What went over the wire, or None when nothing did (a fully cached run)."""
        return self._http.stats if self._http is not None else None

    def index_named(self, name: str) -> Index:
        for index in (*self.indexes, *self.chain):
            if index.name == name:
                return index
        raise IndexFetchError(
            f"no index named '{name}'",
            url=name,
            hint="define it in [[tool.tether.index]]",
        )

    # ------------------------------------------------------------------ pages
    def find(self, name: str, *, index: str | None = None) -> Found | NotFound | Offline:
        """The project's page from the first index in the chain that has it, or from
        `index` alone when the package is pinned to one."""
        project = canonicalize_name(name)
        searched = (self.index_named(index),) if index is not None else self.chain
        for candidate in searched:
            page = self.project_page(project, candidate)
            if isinstance(page, Offline):
                return page
            if page is not None:
                return Found(page, candidate)
        return NotFound(project, searched)

    def project_page(self, name: str, index: Index) -> ProjectPage | Offline | None:
        """`index`'s page for `name`: None when the index does not have the project."""
        project = canonicalize_name(name)
        if not _SAFE_NAME.match(project):
            return None
        if index.flat and is_local(index.url):
            page = directory_page(index.url, project)  # read afresh: a directory is cheap
            return page if page.groups else None
        key = (digest(redact_url(index.url)), f"{project}.page")
        entry = self._read_page_entry(key)
        now = self._clock()
        if entry is not None:
            control = CacheControl(
                max_age=entry.get("max_age"), no_cache=bool(entry.get("no_cache"))
            )
            newest = entry.get("newest")
            fresh = is_fresh(
                fetched_at=float(entry["fetched_at"]),
                control=control,
                now=now,
                policy=self.policy,
                newest_upload=float(newest) / 1e6 if isinstance(newest, int) else None,
            )
            if fresh or self.policy.offline:
                return _page_of(entry)
        elif self.policy.offline:
            return Offline(f"the page of '{project}'", index)
        if index.flat:
            # One page for every project: fetched once a run, cut per project below.
            response = self._flat_response(index.url)
            if response.status != 200:
                raise _status_error(response, what="the flat index page", index_name=index.name)
        else:
            url = f"{index.url}/{project}/"
            headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip"}
            if entry is not None and entry.get("etag"):
                headers["If-None-Match"] = entry["etag"]
            if entry is not None and entry.get("last_modified"):
                headers["If-Modified-Since"] = entry["last_modified"]
            response = self.http.get(url, headers=headers)
            response = self._past_mirror_race(url, headers, response)
        if response.status == 304 and entry is not None:
            stored = {k: v for k, v in entry.items() if k != "parsed"}
            self._store_page_entry(key, {**stored, **_validators(response, now)})
            return _page_of(entry)
        if response.status in (404, 410):
            self._store_page_entry(key, {"missing": True, **_validators(response, now)})
            return None
        if response.status != 200:
            raise _status_error(response, what=f"the page of '{project}'", index_name=index.name)
        page = (
            parse_html_page(response.body, url=response.url, project=project)
            if index.flat  # whatever content type a file server gives an .html page
            else parse_page(
                response.body,
                content_type=response.headers.get("content-type", ""),
                url=response.url,
                project=project,
            )
        )
        if index.flat and not page.groups:  # the listing names none of its files
            self._store_page_entry(key, {"missing": True, **_validators(response, now)})
            return None
        # An empty page is not kept: on a mirror it may mean "not fetched yet". (Its
        # groups, not `files`: that would build every file of a large page.)
        if page.groups and not parse_cache_control(response.headers.get("cache-control")).no_store:
            record = {"page": page_to_record(page), "newest": _newest(page)}
            self._store_page_entry(key, {**record, **_validators(response, now)})
        return page

    def _flat_response(self, url: str) -> HttpResponse:
        """A flat index's page, asked for once a run whatever the number of projects
        looked up on it (pyg's page lists hundreds of files)."""
        with self._flat_lock:
            response = self._flat.get(url)
            if response is None:
                response = self._flat[url] = self.http.get(
                    url, headers={"Accept": "text/html", "Accept-Encoding": "gzip"}
                )
            return response

    def _past_mirror_race(
        self, url: str, headers: dict[str, str], response: HttpResponse
    ) -> HttpResponse:
        """devpi-server answers requests that arrive while its mirror first fetches a
        project from upstream with an empty page (a 200 without links; seen with
        eight clients at once on devpi-server 6.20): ask again, briefly, before
        taking "no files" for an answer."""
        delay = 0.25
        while (
            response.status == 200
            and delay <= MIRROR_RETRY_LIMIT
            and response.headers.get("x-devpi-api-version")
            and not _links_anything(response.body)
        ):
            time.sleep(delay)
            delay *= 2
            response = self.http.get(url, headers=headers)
        return response

    def _read_page_entry(self, key: tuple[str, str]) -> dict[str, Any] | None:
        raw = self.cache.read(Bucket.SIMPLE, *key)
        if raw is None:
            return None
        if not raw.startswith(_PAGE_MAGIC):
            return None  # another Python's or tether's form: a miss, rewritten after
        try:
            # The user's own cache, written by tether; marshal makes data, never runs it,
            # and a page here is as trusted as the JSON it replaced (the archives it
            # names are checked against their hashes all the same).
            entry = marshal.loads(raw[len(_PAGE_MAGIC) :])  # noqa: S302
            float(entry["fetched_at"])
            if not entry.get("missing"):
                entry["parsed"] = page_from_record(entry["page"])
        except (ValueError, KeyError, TypeError, EOFError):
            return None  # a damaged entry is a miss; the next write replaces it
        return entry if isinstance(entry, dict) else None

    def _store_page_entry(self, key: tuple[str, str], entry: dict[str, Any]) -> None:
        self.cache.write(Bucket.SIMPLE, *key, data=_PAGE_MAGIC + marshal.dumps(entry))

    # ------------------------------------------------------------------ metadata
    def metadata(
        self, file: DistFile, *, page: ProjectPage
    ) -> MetadataResult | Unavailable | Offline:
        """The core metadata of `file`, by the cheapest way the index allows."""
        key = _metadata_key(file)
        cached = self.cache.read(Bucket.METADATA, *key)
        source = redact_url(file.url)
        if cached is not None:
            return MetadataResult(parse_core_metadata(cached, source=source), MetadataSource.CACHE)
        if is_local(file.url):  # a flat index's directory: read, never downloaded
            content = local_path(file.url).read_bytes()
            _verify(content, file.sha256, what=file.filename, url=file.url)
            local = (
                read_wheel_metadata(content, file)
                if file.is_wheel
                else self._sdist_metadata_of(content, file)
            )
            if isinstance(local, Unavailable):
                return local
            metadata = parse_core_metadata(local, source=source)
            _check_identity(metadata, file)
            self.cache.write(Bucket.METADATA, *key, data=local)
            return MetadataResult(metadata, MetadataSource.DOWNLOAD)
        if self.policy.offline:
            return Offline(f"the metadata of {file.filename}", None)
        if file.is_wheel:
            data, how = self._wheel_metadata(file, page)
        else:
            found = self._sdist_metadata(file)
            if isinstance(found, Unavailable):
                return found
            data, how = found, MetadataSource.DOWNLOAD
        metadata = parse_core_metadata(data, source=source)
        _check_identity(metadata, file)
        self.cache.write(Bucket.METADATA, *key, data=data)
        return MetadataResult(metadata, how)

    def _wheel_metadata(self, file: DistFile, page: ProjectPage) -> tuple[bytes, MetadataSource]:
        if file.core_metadata is True:
            response = self.http.get(file.url + ".metadata")
            if response.status == 200:
                _verify(
                    response.body,
                    file.metadata_sha256,
                    what=f"{file.filename}.metadata",
                    url=file.url,
                )
                return response.body, MetadataSource.PEP658
        elif (
            file.core_metadata is None
            and not page.advertises_metadata
            and self._unlisted.worth_asking(file.url)
        ):
            # Some mirrors serve .metadata files without listing them (and some only for
            # part of their files). Ask for it and for the archive's tail at once: when
            # it is there, one round trip; when not, the tail is already in.
            # Unverifiable (no hash listed), so its name and version are checked against
            # the file name by the caller.
            side = ThreadPoolExecutor(1, thread_name_prefix="tether-tail")
            try:
                tail = side.submit(self.http.get, file.url, headers={"Range": f"bytes=-{TAIL}"})
                response = self.http.get(file.url + ".metadata")
                served = response.status == 200 and response.body.startswith(b"Metadata-Version")
                self._unlisted.answered(file.url, served=served)
                if served:
                    return response.body, MetadataSource.UNADVERTISED
                return self._metadata_from_zip(file, first=tail.result())
            finally:
                side.shutdown(wait=False)  # a tail nobody needs finishes on its own
        return self._metadata_from_zip(file)

    def _metadata_from_zip(
        self, file: DistFile, *, first: HttpResponse | None = None
    ) -> tuple[bytes, MetadataSource]:
        if first is None:
            first = self.http.get(file.url, headers={"Range": f"bytes=-{TAIL}"})
        if first.status == 200:
            # The server sent the whole wheel (no range requests: devpi, some proxies).
            # Verified, it is the archive a sync installs: kept, so it is not sent twice.
            _verify(first.body, file.sha256, what=file.filename, url=file.url)
            if file.sha256:
                self.cache.write(Bucket.ARCHIVES, file.sha256, file.filename, data=first.body)
            return read_wheel_metadata(first.body, file), MetadataSource.DOWNLOAD
        if first.status != 206:
            raise _status_error(first, what=file.filename, index_name=None)
        total = _total_size(first) or file.size
        if total is None:
            raise IndexFetchError(
                f"{redact_url(file.url)} answered a range request without the file's size",
                url=redact_url(file.url),
            )

        tail_start = total - len(first.body)

        def fetch(start: int, end: int) -> bytes:
            if start >= tail_start:
                # Wheel builders write .dist-info/ last: METADATA itself is most often
                # inside the tail already in hand (3 of 4 wheels of ml-research's lock),
                # which saves a round trip on the resolver's path.
                return first.body[start - tail_start : end - tail_start + 1]
            response = self.http.get(file.url, headers={"Range": f"bytes={start}-{end}"})
            if response.status != 206:
                raise _status_error(response, what=file.filename, index_name=None)
            return response.body

        try:
            wanted = metadata_entry(dist_info_entries_in_tail(first.body, total) or [], file)
            if wanted is None:
                # METADATA's entry is not in the tail: read the rest of the directory.
                wanted = metadata_entry(read_directory(first.body, total, fetch), file)
            if wanted is None:
                raise bad_zip(file, OSError("it has no single .dist-info/METADATA file"))
            return read_entry(wanted, fetch, total), MetadataSource.RANGE
        except OSError as err:
            raise bad_zip(file, err) from None

    def _sdist_metadata(self, file: DistFile) -> bytes | Unavailable:
        """PKG-INFO of an sdist, usable when it is Metadata 2.2+ and its dependencies are
        not dynamic (PEP 643), or else its pyproject.toml's `[project]` when that fixes
        them (PEP 621, as uv reads it); otherwise the sdist must be built (by the caller:
        the verified archive is left in the cache for it, and for `sync`)."""
        response = self.http.get(file.url)
        if response.status != 200:
            raise _status_error(response, what=file.filename, index_name=None)
        _verify(response.body, file.sha256, what=file.filename, url=file.url)
        return self._sdist_metadata_of(response.body, file)

    def _sdist_metadata_of(self, content: bytes, file: DistFile) -> bytes | Unavailable:
        data = read_pkg_info(content, file.filename)
        metadata = None if data is None else parse_core_metadata(data, source=file.filename)
        if metadata is not None and data is not None and not needs_build(metadata):
            return data
        static = sdist_static_metadata(content, file.filename, file.version)
        if static is not None:
            return static
        sha256 = file.sha256 or hashlib.sha256(content).hexdigest()
        archive = self.cache.write(Bucket.ARCHIVES, sha256, file.filename, data=content)
        reason = (
            f"{file.filename} has no PKG-INFO"
            if metadata is None
            else f"{file.filename} declares its dependencies dynamically"
        )
        return Unavailable(f"{reason}; it must be built", archive=archive)

    def remember_metadata(self, file: DistFile, data: bytes) -> None:
        """Keep metadata a build produced, under the file's key: a warm or offline lock
        then never builds again."""
        self.cache.write(Bucket.METADATA, *_metadata_key(file), data=data)


def _links_anything(body: bytes) -> bool:
    """Whether a simple page (HTML or JSON) names at least one file."""
    return b"<a " in body or b'"filename"' in body


def sdist_static_metadata(content: bytes, filename: str, version: Version) -> bytes | None:
    """Metadata from the sdist's pyproject.toml, when `[project]` fixes it."""
    from tether.index.pyproject_metadata import static_metadata  # noqa: PLC0415 - rare path

    text = read_top_member(content, filename, "pyproject.toml")
    if text is None:
        return None
    try:
        name = parse_sdist_filename(filename)[0]
    except InvalidSdistFilename:
        return None
    return static_metadata(text.decode("utf-8", "replace"), name=name, version=version)


def needs_build(metadata: CoreMetadata) -> bool:
    """Whether an sdist's PKG-INFO cannot be trusted for its dependencies (PEP 643:
    Metadata < 2.2, or they are declared dynamic)."""
    major_minor = tuple(int(p) for p in metadata.metadata_version.split(".")[:2] if p.isdigit())
    dynamic = {"requires-dist", "requires-python"} & set(metadata.dynamic)
    return major_minor < (2, 2) or bool(dynamic)


def _page_of(entry: dict[str, Any]) -> ProjectPage | None:
    if entry.get("missing"):
        return None
    parsed = entry.get("parsed")
    return parsed if isinstance(parsed, ProjectPage) else page_from_record(entry["page"])


def _validators(response: HttpResponse, now: float) -> dict[str, Any]:
    control = parse_cache_control(response.headers.get("cache-control"))
    return {
        "fetched_at": now,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
        "max_age": control.max_age,
        "no_cache": control.no_cache,
    }


def _metadata_key(file: DistFile) -> tuple[str, str]:
    if file.sha256 and re.fullmatch(r"[0-9a-f]{64}", file.sha256):
        return ("sha256", f"{file.sha256}.metadata")
    return ("url", f"{digest(redact_url(file.url), 32)}.metadata")


def _verify(data: bytes, expected: str | None, *, what: str, url: str) -> None:
    if expected is None:
        return
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected.lower():
        raise IndexFetchError(
            f"hash mismatch for {what}: the index lists sha256 {expected}, the download "
            f"has {actual}",
            url=redact_url(url),
            hint="the file was altered or damaged on the way; nothing was used or cached. "
            "Try again; if it persists, report it to the index's operators",
        )


def _check_identity(metadata: CoreMetadata, file: DistFile) -> None:
    """The metadata must describe the file it came with (a mirror could mix them up)."""
    name = file.filename.split("-", 1)[0]
    if canonicalize_name(name) != metadata.name or metadata.version != file.version:
        raise IndexFetchError(
            f"the metadata served for {file.filename} describes {metadata.name} {metadata.version}",
            url=redact_url(file.url),
            hint="the index serves mismatched metadata; report it to its operators",
        )


def _total_size(response: HttpResponse) -> int | None:
    content_range = response.headers.get("content-range", "")
    _, _, total = content_range.rpartition("/")
    return int(total) if total.isdigit() else None


def _status_error(response: HttpResponse, *, what: str, index_name: str | None) -> IndexFetchError:
    from tether.index.http import status_error  # noqa: PLC0415 - loaded with the HTTP stack

    return status_error(response, what=what, index_name=index_name)


def _newest(page: ProjectPage) -> int | None:
    """The latest upload time the page lists (microseconds since the epoch): a page that
    lists one after `exclude-newer` needs no asking again for that lock."""
    stamps = [row[UPLOADED] for _, rows in page.groups for row in rows if row[UPLOADED]]
    return max(stamps) if stamps else None
