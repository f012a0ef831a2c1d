"""HTTP for indexes: pooled connections, retries with backoff, timeouts, auth, byte counts.

Built on urllib3: a thread-safe pool that keeps connections alive, so many requests can
be in flight from a thread pool without a new TLS handshake each. Transient failures
(connection errors, timeouts, cut-short bodies, HTTP 429/5xx) are retried with
exponential backoff; what still fails becomes an `IndexFetchError` whose URL carries no
credentials.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import urllib3
import urllib3.connection
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    SSLError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from tether import __version__
from tether.errors import IndexFetchError
from tether.index import dns
from tether.index.auth import Authenticator, Credentials, strip_userinfo
from tether.urls import redact_url

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 10.0
# A transfer must bring at least this much per read-timeout window (512 bytes a
# second at the default 30 s), or it is given up as stalled.
MIN_WINDOW_BYTES = 16 * 1024
TRICKLE_READS = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    ca_bundle: str | None = None
    proxy: str | None = None
    user_agent: str = f"tether/{__version__}"
    # Whether "use --offline" helps: for index reads, yes; for uploads and advisories, no.
    offline_hint: bool = True


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    url: str  # after redirects


@dataclass(slots=True)
class HttpStats:
    """What went over the wire: requests made and bytes received (bodies, as sent)."""

    requests: int = 0
    bytes_received: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, received: int) -> None:
        with self._lock:
            self.requests += 1
            self.bytes_received += received


class HttpClient:
    """One connection pool for the whole process; safe to share between threads."""

    def __init__(self, settings: HttpSettings | None = None, auth: Authenticator | None = None):
        self.settings = settings or HttpSettings()
        self.auth = auth or Authenticator(())
        self.stats = HttpStats()
        context = ssl.create_default_context(cafile=self.settings.ca_bundle)
        headers = {"User-Agent": self.settings.user_agent}
        self._pool: urllib3.PoolManager
        if self.settings.proxy:
            self._pool = urllib3.ProxyManager(
                self.settings.proxy, num_pools=16, headers=headers, ssl_context=context, maxsize=16
            )
        else:
            self._pool = urllib3.PoolManager(
                num_pools=16, headers=headers, ssl_context=context, maxsize=16
            )
        self._pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """GET `url`, retrying transient failures. Any final status is returned (callers
        decide what a 404 means); only a failure to get an answer raises."""
        target, _ = strip_userinfo(url)
        credentials = self.auth.credentials(url)
        tried_auth = False
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._request(target, headers, credentials)
            except (Urllib3Timeout, ProtocolError, NewConnectionError, ProxyError) as err:
                if attempt > self.settings.retries:
                    raise self._give_up(target, err, attempt) from None
                self._sleep(attempt, None)
                continue
            except SSLError as err:
                if not transient_tls(err) or attempt > self.settings.retries:
                    raise _tls_error(target, err) from None
                self._sleep(attempt, None)
                continue
            except Urllib3Error as err:  # anything else urllib3 raises: not retried
                raise self._give_up(target, err, attempt) from None
            if response.status == 401 and not tried_auth:
                tried_auth = True
                better = self.auth.on_unauthorized(target, credentials)
                if better is not None:
                    credentials = better
                    continue
            if response.status in RETRY_STATUSES and attempt <= self.settings.retries:
                self._sleep(attempt, response.headers.get("retry-after"))
                continue
            return response

    def download(
        self, url: str, destination: Path, *, on_bytes: Callable[[int], None] | None = None
    ) -> tuple[str, int]:
        """Stream `url` into `destination` (never holding it in memory); return its
        sha256 and size. Transient failures restart the download from the start.
        `on_bytes` hears how many bytes this attempt has received so far."""
        target, _ = strip_userinfo(url)
        credentials = self.auth.credentials(url)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._stream(target, credentials, destination, on_bytes)
            except (Urllib3Timeout, ProtocolError, NewConnectionError, ProxyError) as err:
                if attempt > self.settings.retries:
                    raise self._give_up(target, err, attempt) from None
                self._sleep(attempt, None)
            except SSLError as err:
                if not transient_tls(err) or attempt > self.settings.retries:
                    raise _tls_error(target, err) from None
                self._sleep(attempt, None)
            except Urllib3Error as err:  # anything else urllib3 raises: not retried
                raise self._give_up(target, err, attempt) from None
            except _RetryableStatus as status:
                if attempt > self.settings.retries:
                    raise IndexFetchError(
                        f"{redact_url(target)} answered HTTP {status.status} ({attempt} attempts)",
                        url=redact_url(target),
                        status=status.status,
                        hint="the index is having problems; try again later",
                    ) from None
                self._sleep(attempt, None)

    def _stream(
        self,
        url: str,
        credentials: Credentials | None,
        destination: Path,
        on_bytes: Callable[[int], None] | None = None,
    ) -> tuple[str, int]:
        headers = {"Authorization": credentials.header()} if credentials is not None else {}
        try:
            raw = self._pool.request(
                "GET",
                url,
                headers=headers,
                timeout=urllib3.Timeout(
                    connect=self.settings.connect_timeout, read=self.settings.read_timeout
                ),
                retries=urllib3.Retry(
                    total=None, connect=0, read=0, status=0, other=0, redirect=10
                ),
                preload_content=False,
            )
        except MaxRetryError as err:
            # With connect=0 / read=0 this wraps the one underlying failure.
            if err.reason is not None:
                raise err.reason from None
            raise
        try:
            if raw.status in RETRY_STATUSES:
                raise _RetryableStatus(raw.status)
            if raw.status != 200:
                response = HttpResponse(raw.status, {}, b"", urljoin(url, raw.geturl() or url))
                raise status_error(response, what=destination.name, index_name=None)
            digest = hashlib.sha256()
            received = 0
            with destination.open("wb") as sink:

                def keep(chunk: bytes) -> None:
                    nonlocal received
                    digest.update(chunk)
                    sink.write(chunk)
                    received += len(chunk)
                    if on_bytes is not None:
                        on_bytes(received)

                size = self._drain(raw, keep)
            self.stats.add(size)
            return digest.hexdigest(), size
        finally:
            raw.release_conn()

    def post(
        self,
        url: str,
        *,
        body: Iterable[bytes],
        headers: Mapping[str, str],
        credentials: Credentials | None,
    ) -> HttpResponse:
        """POST a streamed `body` once (an upload is not retried: it may have landed).
        `headers` must give its Content-Length; only a failure to connect raises."""
        target, _ = strip_userinfo(url)
        try:
            return self._request(target, headers, credentials, method="POST", body=body)
        except (Urllib3Timeout, ProtocolError, NewConnectionError, ProxyError) as err:
            raise self._give_up(target, err, 1) from None
        except SSLError as err:
            raise _tls_error(target, err) from None

    def _request(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        credentials: Credentials | None,
        *,
        method: str = "GET",
        body: Iterable[bytes] | None = None,
    ) -> HttpResponse:
        sent = dict(headers or {})
        if credentials is not None:
            sent["Authorization"] = credentials.header()
        try:
            raw = self._pool.request(
                method,
                url,
                body=body,
                headers=sent,
                timeout=urllib3.Timeout(
                    connect=self.settings.connect_timeout, read=self.settings.read_timeout
                ),
                # Redirects are followed (Authorization is dropped on a change of host);
                # every other retry is ours, below, with backoff and a clear final error.
                # A POST is not redirected: its streamed body cannot be sent twice.
                retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=10)
                if body is None
                else False,
                preload_content=False,
                decode_content=True,
            )
        except MaxRetryError as err:
            # With connect=0 / read=0 this wraps the one underlying failure.
            if err.reason is not None:
                raise err.reason from None
            raise
        try:
            parts: list[bytes] = []
            self._drain(raw, parts.append)
            answer = b"".join(parts)
            received = raw.tell()
        finally:
            raw.release_conn()
        self.stats.add(received)
        return HttpResponse(
            status=raw.status,
            headers={k.lower(): v for k, v in raw.headers.items()},
            body=answer,
            # urllib3 reports the final request-URI (a path after redirects): resolve it.
            url=urljoin(url, raw.geturl() or url),
        )

    def _drain(self, raw: urllib3.BaseHTTPResponse, keep: Callable[[bytes], None]) -> int:
        """Read the whole body into `keep`; the read timeout bounds each wait, and this
        bounds the whole transfer: a body trickled a byte at a time (each read within
        the timeout) fails once a window of `read_timeout` seconds brings less than
        MIN_WINDOW_BYTES."""
        window = self.settings.read_timeout
        opened = time.monotonic()
        total = in_window = reads = 0
        while chunk := raw.read1(1 << 20):
            keep(chunk)
            total += len(chunk)
            in_window += len(chunk)
            reads += 1
            now = time.monotonic()
            if now - opened >= window:
                # Many reads bringing little: a trickle (one slow start is not one).
                if in_window < MIN_WINDOW_BYTES and reads >= TRICKLE_READS:
                    raise _Stalled(f"{in_window} bytes in {now - opened:.0f} seconds")
                opened, in_window, reads = now, 0, 0
        return total

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.settings.backoff * (2 ** (attempt - 1))
        if retry_after is not None and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
        time.sleep(delay)

    def _give_up(self, url: str, err: Exception, attempts: int) -> IndexFetchError:
        safe = redact_url(url)
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(err, _Stalled):
            return IndexFetchError(
                f"{safe} sent its answer too slowly ({err}; {tries})",
                url=safe,
                hint="the index or a proxy is stalling; try again later, or raise the "
                "window with TETHER_HTTP_TIMEOUT=SECONDS",
            )
        if isinstance(err, NewConnectionError):
            # Checked first: urllib3 makes it a subclass of its connect timeout.
            return IndexFetchError(
                f"cannot reach {safe} ({tries}): {_reason(err)}",
                url=safe,
                hint="check your network connection and the URL" + self._offline(),
            )
        if isinstance(err, Urllib3Timeout):
            timeout = (
                self.settings.connect_timeout
                if isinstance(err, ConnectTimeoutError)
                else self.settings.read_timeout
            )
            return IndexFetchError(
                f"{safe} did not answer within {timeout:g} seconds ({tries})",
                url=safe,
                hint="the server may be overloaded or unreachable; raise the limit with "
                "TETHER_HTTP_TIMEOUT=SECONDS" + self._offline(),
            )
        if isinstance(err, ProtocolError):
            return IndexFetchError(
                f"the response from {safe} was cut short ({tries}): {_reason(err)}",
                url=safe,
                hint="the connection dropped mid-transfer; try again, or check a proxy or "
                "mirror between you and the index",
            )
        return IndexFetchError(
            f"cannot reach {safe} ({tries}): {_reason(err)}",
            url=safe,
            hint="check your network connection and the URL" + self._offline(),
        )

    def _offline(self) -> str:
        return ", or use --offline to work from the cache" if self.settings.offline_hint else ""


class _SharedResolution:
    """A connection that resolves its host through `dns` (once per process) instead of
    asking the system resolver for every new connection."""

    host: str
    port: int
    timeout: Any
    source_address: tuple[str, int] | None
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        try:
            return dns.connect(
                self._dns_host,
                self.port,
                timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except socket.gaierror as err:
            raise NameResolutionError(self.host, self, err) from err  # type: ignore[arg-type]
        except TimeoutError as err:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} timed out. (connect timeout={timeout})"
            ) from err
        except OSError as err:
            raise NewConnectionError(
                self,  # type: ignore[arg-type]
                f"Failed to establish a new connection: {err}",
            ) from err


class _HTTPConnection(_SharedResolution, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_SharedResolution, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Stalled(Urllib3Timeout):
    """A body that kept coming, too slowly to ever finish."""


class _RetryableStatus(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def status_error(response: HttpResponse, *, what: str, index_name: str | None) -> IndexFetchError:
    """The error for a final HTTP status we cannot use."""
    safe = redact_url(response.url)
    where = f"index '{index_name}'" if index_name else safe
    if response.status in (401, 403):
        verb = "requires credentials" if response.status == 401 else "refused access"
        hint = (
            "set TETHER_INDEX_<NAME>_USERNAME and TETHER_INDEX_<NAME>_PASSWORD, add the host "
            "to ~/.netrc, or configure `credential-command` for the index"
        )
        if response.status == 403:
            hint = "the credentials were rejected or lack permission: " + hint
        return IndexFetchError(
            f"{where} {verb} (HTTP {response.status}) for {what}: {safe}",
            url=safe,
            status=response.status,
            hint=hint,
        )
    if response.status == 404:
        return IndexFetchError(
            f"{where} has no {what} at {safe} (HTTP 404)",
            url=safe,
            status=404,
            hint="the index may have removed it; run with --refresh to re-read the index",
        )
    return IndexFetchError(
        f"{where} answered HTTP {response.status} for {what}: {safe}",
        url=safe,
        status=response.status,
        hint="the index is having problems; try again later, or use --offline",
    )


# What a failed certificate check or a plain-HTTP server (TLS spoken to it) says: final.
_FINAL_TLS = (
    "CERTIFICATE_VERIFY_FAILED",
    "certificate verify failed",
    "doesn't match",
    "WRONG_VERSION_NUMBER",
    "UNSUPPORTED_PROTOCOL",
    "NO_PROTOCOLS_AVAILABLE",
)


def transient_tls(err: BaseException) -> bool:
    """Whether a TLS failure is worth another try: a connection lost midway (an EOF in
    violation of the protocol, a bad record from a proxy: a benchmark's cold lock
    failed on one) is; a certificate the check refused, or a server that does
    not speak TLS, is not (asking again gives the same answer)."""
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return False
        cause = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
    text = str(err)
    return not any(marker in text for marker in _FINAL_TLS)


def _tls_error(url: str, err: SSLError) -> IndexFetchError:
    return IndexFetchError(
        f"TLS error talking to {redact_url(url)}: {_reason(err)}",
        url=redact_url(url),
        hint="if you are behind a proxy that inspects TLS, point SSL_CERT_FILE at its CA bundle",
    )


def _reason(err: BaseException) -> str:
    text = str(err)
    # urllib3 wraps messages as "<object at 0x...>: reason" or "Connection(host=...,
    # port=...): reason"; keep the reason.
    for wrapper in (">: ", "): "):
        if wrapper in text:
            text = text.split(wrapper, 1)[1]
            break
    return redact_url(text) if "@" in text else text
