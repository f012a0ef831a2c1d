"""The services commands share, built once from options and the environment: the
global cache and the index client (with its indexes, auth, HTTP and cache policy).

Only `cli` and `commands` read the environment (DESIGN.md §2); everything below gets
plain values from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tether.cache import Cache
from tether.cache.locking import hold_shared
from tether.errors import UsageError
from tether.index import Index
from tether.index.auth import AuthConfig, Authenticator, credentials_from_environ
from tether.index.client import IndexClient
from tether.index.freshness import DEFAULT_MAX_AGE, CachePolicy
from tether.index.http import HttpClient, HttpSettings

TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexOptions:
    """The command-line side of index access (`--index-url`, `--offline`, ...)."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    offline: bool = False
    refresh: bool = False
    exclude_newer: datetime | None = None


def cache_dir(environ: Mapping[str, str]) -> Path:
    """`TETHER_CACHE_DIR`, else the platform's user cache directory."""
    if configured := environ.get("TETHER_CACHE_DIR"):
        return Path(configured).expanduser()
    import platformdirs  # noqa: PLC0415 - only when no TETHER_CACHE_DIR is set

    return Path(platformdirs.user_cache_dir("tether", appauthor=False))


def open_cache(environ: Mapping[str, str]) -> Cache:
    """The cache, held shared until this process exits (see cache/locking.py)."""
    root = cache_dir(environ)
    hold_shared(root)
    return Cache(root)


def resolve_indexes(
    configured: tuple[Index, ...], options: IndexOptions, environ: Mapping[str, str]
) -> tuple[Index, ...]:
    """The project's indexes with the command line's on top: `--extra-index-url`s are
    searched first, `--index-url` (or `TETHER_INDEX_URL`) replaces the default index."""
    extra = tuple(
        Index(name=f"extra-{n}", url=url.rstrip("/"))
        for n, url in enumerate(options.extra_index_urls, start=1)
    )
    default_url = options.index_url or environ.get("TETHER_INDEX_URL")
    indexes = [*extra, *configured]
    if default_url:
        indexes = [replace(index, default=False) for index in indexes]
        indexes.append(Index(name="default", url=default_url.rstrip("/"), default=True))
    return tuple(indexes)


def index_client(
    indexes: tuple[Index, ...], options: IndexOptions, environ: Mapping[str, str]
) -> IndexClient:
    offline = options.offline or environ.get("TETHER_OFFLINE", "").lower() in TRUE
    if offline and options.refresh:
        raise UsageError(
            "--offline and --refresh contradict each other",
            hint="--refresh re-reads every index page, which needs the network",
        )
    policy = CachePolicy(
        offline=offline,
        refresh=options.refresh,
        max_age=_float(environ, "TETHER_INDEX_MAX_AGE", DEFAULT_MAX_AGE),
        exclude_newer=options.exclude_newer,
    )
    auth_config = AuthConfig(
        environ=credentials_from_environ(indexes, environ),
        netrc=_netrc_path(environ),
        keyring=shutil.which("keyring"),
    )
    timeout = _float(environ, "TETHER_HTTP_TIMEOUT", 30.0)
    settings = HttpSettings(
        read_timeout=timeout,
        connect_timeout=min(timeout, 10.0),
        retries=int(_float(environ, "TETHER_HTTP_RETRIES", 3)),
        ca_bundle=environ.get("SSL_CERT_FILE") or None,
        proxy=environ.get("HTTPS_PROXY") or environ.get("https_proxy") or None,
    )
    return IndexClient(
        indexes=indexes,
        cache=open_cache(environ),
        policy=policy,
        http=lambda: HttpClient(settings, Authenticator(indexes, auth_config)),
    )


def _netrc_path(environ: Mapping[str, str]) -> Path | None:
    if configured := environ.get("NETRC"):
        return Path(configured).expanduser()
    home = environ.get("HOME")
    candidate = Path(home) / ".netrc" if home else None
    return candidate if candidate is not None and candidate.is_file() else None


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(
            f"{name}={raw!r} is not a number", hint=f"set {name} to a number, e.g. {default:g}"
        ) from None
    if value < 0:
        raise UsageError(f"{name} must not be negative", hint=f"e.g. {name}={default:g}")
    return value
