"""What most commands need before any heavy machinery: the index options a command line
gives, the index list they make, and the global cache. Light on purpose (no HTTP, no
index client), so that commands which end up doing nothing (a no-op sync) stay fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tether.cache import Cache
from tether.cache.locking import hold_shared
from tether.errors import UsageError
from tether.index.config import Index
from tether.urls import index_url_problem, location_url, redact_url


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexOptions:
    """The command-line side of index access (`--index-url`, `--offline`, ...)."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()  # directories (relative to the working directory) or URLs
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
    """The project's indexes with the command line's on top: `--find-links` locations
    and then `--extra-index-url`s are searched first, `--index-url` (or
    `TETHER_INDEX_URL`) replaces the default index."""
    links = tuple(
        Index(
            name=f"find-links-cli-{n}",
            url=_checked("--find-links", location_url(where, Path.cwd())).rstrip("/"),
            flat=True,
        )
        for n, where in enumerate(options.find_links, start=1)
    )
    extra = links + tuple(
        Index(name=f"extra-{n}", url=_checked("--extra-index-url", url).rstrip("/"))
        for n, url in enumerate(options.extra_index_urls, start=1)
    )
    default_url = options.index_url or environ.get("TETHER_INDEX_URL")
    if default_url:
        _checked("--index-url" if options.index_url else "TETHER_INDEX_URL", default_url)
    indexes = [*extra, *configured]
    if default_url:
        indexes = [replace(index, default=False) for index in indexes]
        indexes.append(Index(name="default", url=default_url.rstrip("/"), default=True))
    return tuple(indexes)


def _checked(where: str, url: str) -> str:
    problem = index_url_problem(url)
    if problem is not None:
        raise UsageError(
            f"{where} {redact_url(url)!r} is not an index URL: {problem}",
            hint="write the index's full address, e.g. https://pypi.org/simple",
        )
    return url


TRUE = frozenset({"1", "true", "yes", "on"})


def keep_wheel_archives(environ: Mapping[str, str]) -> bool:
    """TETHER_CACHE_KEEP_WHEELS=1 keeps downloaded wheels beside their unpacked trees
    (to copy them elsewhere); by default only the tree is kept, as uv does."""
    value = environ.get("TETHER_CACHE_KEEP_WHEELS", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def is_offline(options: IndexOptions, environ: Mapping[str, str]) -> bool:
    """`--offline`, or TETHER_OFFLINE set to a true value."""
    return options.offline or environ.get("TETHER_OFFLINE", "").lower() in TRUE
