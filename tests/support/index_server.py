"""A real package index on 127.0.0.1 for tests: what tether talks to instead of mocks.

Serves the `Dist`s a test describes as PEP 503 HTML and PEP 691 JSON (chosen by the
Accept header, or `?format=`), with PEP 658/714 `.metadata` files, PEP 592 yanking,
PEP 700 sizes and upload times, sha256 fragments, ETags (304 on If-None-Match),
Cache-Control, byte ranges, optional basic auth, and injected faults: an HTTP status,
a stall, a truncated body, a corrupted artifact (so its advertised hash is wrong), a
missing metadata file. Every request is logged for assertions.
"""

from __future__ import annotations

import base64
import email.parser
import hashlib
import html
import io
import json
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, quote, unquote, urlsplit

from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support.dists import Dist, build_sdist, build_wheel, metadata, sha256

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
_JSON_TYPES = (JSON_V1, "application/vnd.pypi.simple.latest+json")
_HTML_TYPES = (HTML_V1, "application/vnd.pypi.simple.latest+html", "text/html")
API_VERSION = "1.1"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong for one path: `status`, `stall`, `truncate`, `corrupt`, `missing`,
    `trickle` (the body sent a byte every `seconds`) or `body` (this body is the answer).

    `times` limits how many requests it hits (then the path behaves); None means always.
    """

    kind: str
    status: int = 500
    seconds: float = 0.0
    times: int | None = None
    body: bytes = b""
    media: str = ""

    @classmethod
    def http(cls, status: int, *, times: int | None = None) -> Fault:
        return cls("status", status=status, times=times)

    @classmethod
    def stall(cls, seconds: float, *, times: int | None = None) -> Fault:
        return cls("stall", seconds=seconds, times=times)

    @classmethod
    def answer(cls, body: bytes, media: str, *, times: int | None = None) -> Fault:
        return cls("body", body=body, media=media, times=times)

    @classmethod
    def trickle(cls, seconds: float, *, times: int | None = None) -> Fault:
        return cls("trickle", seconds=seconds, times=times)

    @classmethod
    def truncate(cls, *, times: int | None = None) -> Fault:
        return cls("truncate", times=times)

    @classmethod
    def corrupt(cls, *, times: int | None = None) -> Fault:
        return cls("corrupt", times=times)

    @classmethod
    def missing(cls, *, times: int | None = None) -> Fault:
        return cls("missing", times=times)


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass(frozen=True, slots=True)
class Artifact:
    """One served file with everything the index pages say about it."""

    filename: str
    project: str
    content: bytes
    sha256: str
    requires_python: str | None
    yanked: bool | str
    upload_time: datetime | None
    metadata: bytes | None  # PEP 658 core metadata (wheels only)


@dataclass(slots=True)
class _State:
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    # index root ("/simple", or "/whl/cu126" for a PyTorch-like layout) -> project -> files
    mounts: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {"/simple": {}})
    faults: dict[str, Fault] = field(default_factory=dict)
    fault_hits: dict[str, int] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class IndexServer:
    """A PEP 503/691 index on 127.0.0.1, on a free port, for the life of a `with` block.

    `cache_control` is sent with every page (None: send none, as some mirrors do);
    `advertise_metadata` lists `.metadata` files in pages (False: serve them unlisted, as
    the PyPI our machines reach does); `serve_metadata` False serves none at all;
    `ranges` False ignores Range headers (a server that cannot do partial reads);
    `json` False serves PEP 503 HTML only (an index that predates PEP 691);
    `sha256` False lists files with an md5 hash only (PEP 503 makes hashes optional).
    """

    def __init__(
        self,
        dists: Iterator[Dist] | list[Dist] | tuple[Dist, ...] = (),
        *,
        auth: tuple[str, str] | None = None,
        cache_control: str | None = "max-age=600, public",
        advertise_metadata: bool = True,
        serve_metadata: bool = True,
        ranges: bool = True,
        json: bool = True,
        sha256: bool = True,
    ) -> None:
        self.auth = auth
        self.json = json
        self.sha256 = sha256
        self.cache_control = cache_control
        self.advertise_metadata = advertise_metadata
        self.serve_metadata = serve_metadata
        self.ranges = ranges
        self._state = _State()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.add(*dists)

    # ------------------------------------------------------------------ set-up
    def add(self, *dists: Dist, at: str = "/simple") -> None:
        """Build and publish `dists` (also while the server runs), in the index rooted
        at `at` (several roots make one server look like PyTorch's per-backend indexes)."""
        for dist in dists:
            built: list[tuple[str, bytes, bytes | None]] = []
            if dist.wheel:
                meta = metadata(dist).encode()
                built.extend(
                    (dist.wheel_filename(tag), build_wheel(dist, tag), meta) for tag in dist.tags
                )
            if dist.sdist:
                built.append((dist.sdist_filename, build_sdist(dist), None))
            self._publish(
                dist.project,
                built,
                requires_python=dist.requires_python,
                yanked=dist.yanked,
                upload_time=dist.upload_time,
                at=at,
            )

    def add_wheel(self, filename: str, content: bytes, *, at: str = "/simple") -> None:
        """Publish a wheel made elsewhere (e.g. `tests.support.rewheel`), metadata and all."""
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            meta_name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            meta = archive.read(meta_name)
        parsed = email.parser.BytesParser().parsebytes(meta)
        project = canonicalize_name(parsed["Name"])
        self._publish(
            project,
            [(filename, content, meta)],
            requires_python=parsed["Requires-Python"],
            yanked=False,
            upload_time=None,
            at=at,
        )

    def add_file(self, project: str, filename: str, content: bytes, *, at: str = "/simple") -> None:
        """Publish a file under any name (for names the index should not trust)."""
        self._publish(
            canonicalize_name(project),
            [(filename, content, None)],
            requires_python=None,
            yanked=False,
            upload_time=None,
            at=at,
        )

    def _publish(
        self,
        project: str,
        built: list[tuple[str, bytes, bytes | None]],
        *,
        requires_python: str | None,
        yanked: bool | str,
        upload_time: datetime | None,
        at: str,
    ) -> None:
        with self._state.lock:
            files = self._state.mounts.setdefault(at, {}).setdefault(project, [])
            for filename, content, meta in built:
                self._state.artifacts[filename] = Artifact(
                    filename=filename,
                    project=project,
                    content=content,
                    sha256=sha256(content),
                    requires_python=requires_python,
                    yanked=yanked,
                    upload_time=upload_time,
                    metadata=meta,
                )
                if filename not in files:
                    files.append(filename)

    def fault(self, path: str, fault: Fault) -> None:
        """Make requests for `path` (e.g. `/simple/a/`, `/files/a-1.0-py3-none-any.whl`)
        go wrong."""
        with self._state.lock:
            self._state.faults[path] = fault
            self._state.fault_hits[path] = 0

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()
            self._state.fault_hits.clear()

    # ------------------------------------------------------------------ what tests read
    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not running"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def index_url(self) -> str:
        """The simple-API root, as users configure it: `http://127.0.0.1:PORT/simple`."""
        return f"{self.url}/simple"

    def file_url(self, filename: str) -> str:
        return f"{self.url}/files/{quote(filename)}"

    def artifact(self, filename: str) -> Artifact:
        return self._state.artifacts[filename]

    @property
    def requests(self) -> list[Request]:
        with self._state.lock:
            return list(self._state.requests)

    def clear_requests(self) -> None:
        with self._state.lock:
            self._state.requests.clear()

    # ------------------------------------------------------------------ life cycle
    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},  # shutdown() waits up to one interval
            name="test-index",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes stalled handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ used by the handler
    def _take_fault(self, path: str) -> Fault | None:
        with self._state.lock:
            fault = self._state.faults.get(path)
            if fault is None:
                return None
            hits = self._state.fault_hits[path]
            if fault.times is not None and hits >= fault.times:
                return None
            self._state.fault_hits[path] = hits + 1
            return fault

    def _log(self, request: Request) -> None:
        with self._state.lock:
            self._state.requests.append(request)

    def index_url_at(self, root: str) -> str:
        """The URL of the index rooted at `root` (see `add`)."""
        return f"{self.url}{root}"

    def _project_files(self, project: str, root: str = "/simple") -> list[Artifact] | None:
        with self._state.lock:
            names = self._state.mounts.get(root, {}).get(project)
            if names is None:
                return None
            return [self._state.artifacts[name] for name in names]

    def _project_names(self, root: str = "/simple") -> list[str]:
        with self._state.lock:
            return sorted(self._state.mounts.get(root, {}))

    def _root_of(self, path: str) -> tuple[str, str | None] | None:
        """(index root, project or None) for a page path, None when it is no page."""
        with self._state.lock:
            roots = list(self._state.mounts)
        trimmed = path.rstrip("/")
        if trimmed in roots:
            return trimmed, None
        parent, _, project = trimmed.rpartition("/")
        return (parent, project) if parent in roots and project else None


class _QuietServer(ThreadingHTTPServer):
    # The default backlog (5) drops connections when a client opens its 16 at once, and
    # a dropped SYN costs a one-second retransmit: benchmarks would measure that.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-response (a timeout test, a truncation) is
        expected; anything else is reported as usual."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    server_state: IndexServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, a kept-alive
    # connection waits for the client's delayed ACK (40 ms) before every body.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is in `IndexServer.requests`."""

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        state = self.server_state
        parts = urlsplit(self.path)
        self._dispatch(state, parts.path, parse_qs(parts.query), head=head)

    def _dispatch(
        self, state: IndexServer, path: str, query: dict[str, list[str]], *, head: bool
    ) -> int:
        if state.auth is not None and not self._authorised(state.auth):
            return self._send(
                HTTPStatus.UNAUTHORIZED,
                b"401 Unauthorized\n",
                "text/plain",
                head=head,
                extra={"WWW-Authenticate": 'Basic realm="tether-test-index"'},
            )
        fault = state._take_fault(path)
        if fault is not None and fault.kind == "status":
            return self._send(
                fault.status, f"{fault.status} injected\n".encode(), "text/plain", head=head
            )
        if fault is not None and fault.kind == "stall":
            state._stop.wait(fault.seconds)
        if fault is not None and fault.kind == "body":
            return self._send(HTTPStatus.OK, fault.body, fault.media, head=head)
        self._trickle = fault.seconds if fault is not None and fault.kind == "trickle" else 0.0
        if match := re.fullmatch(r"/files/(.+)", path):
            return self._file(state, unquote(match.group(1)), fault, head=head)
        page = state._root_of(path)
        if page is not None and page[1] is None:
            return self._root_page(state, query, page[0], head=head)
        if page is not None and page[1] is not None:
            return self._project_page(state, page[1], path, query, page[0], head=head)
        return self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain", head=head)

    # ------------------------------------------------------------------ pages
    def _root_page(
        self, state: IndexServer, query: dict[str, list[str]], root: str, *, head: bool
    ) -> int:
        names = state._project_names(root)
        media = self._negotiate(state, query)
        if media is None:
            return self._not_acceptable(head=head)
        if media in _JSON_TYPES:
            body = json.dumps(
                {"meta": {"api-version": API_VERSION}, "projects": [{"name": n} for n in names]},
                sort_keys=True,
            ).encode()
            return self._page(state, body, JSON_V1, head=head)
        links = "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
        return self._page(state, _html_page("Simple index", links), media, head=head)

    def _project_page(
        self,
        state: IndexServer,
        raw: str,
        path: str,
        query: dict[str, list[str]],
        root: str,
        *,
        head: bool,
    ) -> int:
        project = canonicalize_name(raw)
        if project != raw or not path.endswith("/"):
            # PEP 503: repositories may redirect non-normalised names to the normal form.
            return self._send(
                HTTPStatus.MOVED_PERMANENTLY,
                b"",
                "text/plain",
                head=head,
                extra={"Location": f"{root}/{project}/"},
            )
        files = state._project_files(project, root)
        if files is None:
            return self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain", head=head)
        media = self._negotiate(state, query)
        if media is None:
            return self._not_acceptable(head=head)
        if media in _JSON_TYPES:
            body = json.dumps(_project_json(state, project, files, root), sort_keys=True).encode()
            return self._page(state, body, JSON_V1, head=head)
        links = "".join(_html_link(state, artifact, root) for artifact in files)
        return self._page(state, _html_page(f"Links for {project}", links), media, head=head)

    def _page(self, state: IndexServer, body: bytes, media: str, *, head: bool) -> int:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        extra = {"ETag": etag, "Vary": "Accept"}
        if state.cache_control is not None:
            extra["Cache-Control"] = state.cache_control
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            return self._send(HTTPStatus.NOT_MODIFIED, b"", media, head=True, extra=extra)
        return self._send(HTTPStatus.OK, body, media, head=head, extra=extra)

    def _negotiate(self, state: IndexServer, query: dict[str, list[str]]) -> str | None:
        """PEP 691 content negotiation: `?format=` wins, then the Accept header's
        q-values; no Accept header at all means HTML (the PEP 503 default)."""
        offered = (*_JSON_TYPES, *_HTML_TYPES) if state.json else _HTML_TYPES
        if "format" in query:
            wanted = query["format"][0]
            return wanted if wanted in offered else None
        accept = self.headers.get("Accept")
        if not accept:
            return HTML_V1
        offers: list[tuple[float, int, str]] = []
        for position, item in enumerate(accept.split(",")):
            media, _, params = item.strip().partition(";")
            quality = 1.0
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            media = media.strip().lower()
            if media in ("*/*", "application/*"):
                media = JSON_V1 if media == "application/*" and state.json else HTML_V1
            if quality > 0 and media in offered:
                offers.append((-quality, position, media))
        return min(offers)[2] if offers else None

    def _not_acceptable(self, *, head: bool) -> int:
        body = f"406 Not Acceptable: this index serves {JSON_V1}, {HTML_V1} and text/html\n"
        return self._send(HTTPStatus.NOT_ACCEPTABLE, body.encode(), "text/plain", head=head)

    # ------------------------------------------------------------------ files
    def _file(self, state: IndexServer, name: str, fault: Fault | None, *, head: bool) -> int:
        want_metadata = name.endswith(".metadata")
        filename = name.removesuffix(".metadata") if want_metadata else name
        try:
            artifact = state.artifact(filename)
        except KeyError:
            return self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain", head=head)
        if want_metadata:
            if (
                artifact.metadata is None
                or not state.serve_metadata
                or (fault and fault.kind == "missing")
            ):
                return self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain", head=head)
            content = artifact.metadata
        else:
            content = artifact.content
        if fault is not None and fault.kind == "corrupt":
            content = bytes([content[0] ^ 0xFF]) + content[1:]
        extra = {
            "Accept-Ranges": "bytes" if state.ranges else "none",
            "ETag": f'"{artifact.sha256[:32]}"',
        }
        requested = self.headers.get("Range")
        if requested and state.ranges:
            window = _byte_range(requested, len(content))
            if window is None:
                extra["Content-Range"] = f"bytes */{len(content)}"
                return self._send(
                    HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    b"",
                    "text/plain",
                    head=head,
                    extra=extra,
                )
            start, end = window
            extra["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
            return self._send(
                HTTPStatus.PARTIAL_CONTENT,
                content[start : end + 1],
                "application/octet-stream",
                head=head,
                extra=extra,
            )
        truncate = fault is not None and fault.kind == "truncate"
        return self._send(
            HTTPStatus.OK,
            content,
            "application/octet-stream",
            head=head,
            extra=extra,
            truncate=truncate,
        )

    # ------------------------------------------------------------------ plumbing
    def _authorised(self, auth: tuple[str, str]) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == auth

    def _send(
        self,
        status: int,
        body: bytes,
        media: str,
        *,
        head: bool,
        extra: dict[str, str] | None = None,
        truncate: bool = False,
    ) -> int:
        # Logged before the response leaves, so a client that has its answer can
        # already see its request in the log.
        path = urlsplit(self.path).path
        self.server_state._log(Request(self.command, path, dict(self.headers.items()), int(status)))
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head and status != HTTPStatus.NOT_MODIFIED:
            body = body[: len(body) // 2] if truncate else body
            if getattr(self, "_trickle", 0.0):
                for at in range(len(body)):  # a byte at a time, until the client leaves
                    if self.server_state._stop.wait(self._trickle):
                        break
                    try:
                        self.wfile.write(body[at : at + 1])
                        self.wfile.flush()
                    except OSError:
                        self.close_connection = True
                        return int(status)
            else:
                self.wfile.write(body)
        self.wfile.flush()
        return int(status)


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:  # suffix range: the last N bytes
        if not last or int(last) == 0:
            return None
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return None
    return start, end


def _upload_time(artifact: Artifact) -> str | None:
    if artifact.upload_time is None:
        return None
    stamp = artifact.upload_time.astimezone(UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _files_base(root: str) -> str:
    """Links to files: relative under /simple (as many indexes write them), root-relative
    elsewhere (as PyTorch's indexes do)."""
    return "../../files/" if root == "/simple" else "/files/"


def _project_json(
    state: IndexServer, project: str, files: list[Artifact], root: str = "/simple"
) -> dict[str, object]:
    entries = []
    for artifact in files:
        entry: dict[str, object] = {
            "filename": artifact.filename,
            "url": f"{_files_base(root)}{quote(artifact.filename)}",
            "hashes": {"sha256": artifact.sha256} if state.sha256 else {"md5": _md5(artifact)},
            "size": len(artifact.content),
            "yanked": artifact.yanked,
        }
        if artifact.requires_python:
            entry["requires-python"] = artifact.requires_python
        if (stamp := _upload_time(artifact)) is not None:
            entry["upload-time"] = stamp
        if artifact.metadata is not None and state.advertise_metadata:
            meta = {"sha256": sha256(artifact.metadata)}
            entry["core-metadata"] = meta
            entry["data-dist-info-metadata"] = meta  # the pre-PEP 714 name, for old clients
        entries.append(entry)
    versions = sorted({_version_of(a.filename) for a in files}, key=Version)
    return {
        "meta": {"api-version": API_VERSION},
        "name": project,
        "versions": versions,
        "files": entries,
    }


def _md5(artifact: Artifact) -> str:
    return hashlib.md5(artifact.content, usedforsecurity=False).hexdigest()


def _version_of(filename: str) -> str:
    stem = filename.removesuffix(".tar.gz").removesuffix(".whl")
    return stem.split("-")[1]


def _html_link(state: IndexServer, artifact: Artifact, root: str = "/simple") -> str:
    fragment = f"sha256={artifact.sha256}" if state.sha256 else f"md5={_md5(artifact)}"
    attributes = [f'href="{_files_base(root)}{quote(artifact.filename)}#{fragment}"']
    if artifact.requires_python:
        attributes.append(f'data-requires-python="{html.escape(artifact.requires_python)}"')
    if artifact.yanked is not False:
        reason = artifact.yanked if isinstance(artifact.yanked, str) else ""
        attributes.append(f'data-yanked="{html.escape(reason)}"')
    if artifact.metadata is not None and state.advertise_metadata:
        value = f"sha256={sha256(artifact.metadata)}"
        attributes.append(f'data-core-metadata="{value}"')
        attributes.append(f'data-dist-info-metadata="{value}"')
    return f"<a {' '.join(attributes)}>{html.escape(artifact.filename)}</a><br>\n"


def _html_page(title: str, links: str) -> bytes:
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta name="pypi:repository-version" content="{API_VERSION}">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{links}</body>\n</html>\n"
    ).encode()
