"""When a cached index page may be used without asking the index again. Pure.

HTTP caching headers decide when the index sends them (RFC 9111 `Cache-Control:
max-age`, `no-cache`, `no-store`). Many indexes send none (the PyPI mirror our machines
reach sends no Cache-Control, ETag or Last-Modified), so a page without headers is fresh
for a configurable window: 10 minutes, what PyPI itself sends.

With `exclude-newer`, a page that lists a file uploaded after that instant already
lists every file the resolver may use (later uploads are excluded anyway; only yanking
can still change), so it stays fresh forever and a warm lock needs no network for it.
Being fetched after the instant is not enough: a mirror can serve a page that lags
(this workplace's PyPI mirror served huggingface-hub's page on 7 December without the
2.5.0 uploaded on 26 November, so a lock at `exclude-newer = 2026-12-01` kept 2.4.0
where uv, asking again, took 2.5.0). The page's own newest upload is the proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_MAX_AGE = 600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CachePolicy:
    """How the index client uses the cache.

    `offline`: never touch the network; `refresh`: revalidate every page (conditional
    requests still make an unchanged page cheap); `max_age`: the window for pages that
    came without caching headers.
    """

    offline: bool = False
    refresh: bool = False
    max_age: float = DEFAULT_MAX_AGE
    exclude_newer: datetime | None = None


@dataclass(frozen=True, slots=True)
class CacheControl:
    max_age: float | None = None
    no_cache: bool = False
    no_store: bool = False


def parse_cache_control(header: str | None) -> CacheControl:
    """The directives of a `Cache-Control` response header that matter to us."""
    if not header:
        return CacheControl()
    max_age: float | None = None
    no_cache = no_store = False
    for directive in header.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name == "max-age":
            try:
                max_age = max(0.0, float(value.strip().strip('"')))
            except ValueError:
                max_age = 0.0
        elif name == "no-cache":
            no_cache = True
        elif name == "no-store":
            no_store = True
    return CacheControl(max_age=max_age, no_cache=no_cache, no_store=no_store)


def is_fresh(
    *,
    fetched_at: float,
    control: CacheControl,
    now: float,
    policy: CachePolicy,
    newest_upload: float | None = None,
) -> bool:
    """Whether a page fetched at `fetched_at` (epoch seconds) may be used as it is;
    `newest_upload`: the latest upload time the page lists (epoch seconds)."""
    if policy.refresh:
        return False
    if (
        policy.exclude_newer is not None
        and newest_upload is not None
        and newest_upload >= policy.exclude_newer.timestamp()
        and fetched_at >= newest_upload
    ):
        return True
    if control.no_cache:
        return False
    limit = control.max_age if control.max_age is not None else policy.max_age
    return 0 <= now - fetched_at < limit
