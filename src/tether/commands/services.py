"""The services commands share, built once from options and the environment: the
global cache and the index client (with its indexes, auth, HTTP and cache policy).

Only `cli` and `commands` read the environment (DESIGN.md §2); everything below gets
plain values from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from tether.commands.basics import (
    IndexOptions,
    cache_dir,
    is_offline,
    open_cache,
    resolve_indexes,
)
from tether.errors import UsageError
from tether.index import Index
from tether.index.auth import AuthConfig, Authenticator, credentials_from_environ
from tether.index.client import IndexClient
from tether.index.freshness import DEFAULT_MAX_AGE, CachePolicy

if TYPE_CHECKING:
    from tether.index.http import HttpClient

__all__ = ["IndexOptions", "cache_dir", "index_client", "open_cache", "resolve_indexes"]


def index_client(
    indexes: tuple[Index, ...],
    options: IndexOptions,
    environ: Mapping[str, str],
    *,
    offline_hint: bool = True,  # False where the cache cannot stand in (uploads, advisories)
) -> IndexClient:
    offline = is_offline(options, environ)
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
    retries = int(_float(environ, "TETHER_HTTP_RETRIES", 3))

    def http() -> HttpClient:
        """Made on the first request: a lock the cache answers never loads urllib3."""
        from tether.index.http import HttpClient, HttpSettings  # noqa: PLC0415

        settings = HttpSettings(
            read_timeout=timeout,
            connect_timeout=min(timeout, 10.0),
            retries=retries,
            ca_bundle=environ.get("SSL_CERT_FILE") or None,
            proxy=environ.get("HTTPS_PROXY") or environ.get("https_proxy") or None,
            offline_hint=offline_hint,
        )
        return HttpClient(settings, Authenticator(indexes, auth_config))

    return IndexClient(indexes=indexes, cache=open_cache(environ), policy=policy, http=http)


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
