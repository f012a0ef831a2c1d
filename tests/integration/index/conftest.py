"""An IndexClient wired to the test index, with fast retries and a private cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.index_server import IndexServer
from tether.cache import Cache
from tether.index import Index
from tether.index.auth import AuthConfig, Authenticator
from tether.index.client import IndexClient
from tether.index.freshness import CachePolicy
from tether.index.http import HttpClient, HttpSettings

FAST = HttpSettings(connect_timeout=2, read_timeout=2, retries=2, backoff=0.01)

MakeClient = Callable[..., IndexClient]


class Clock:
    """A clock the test moves by hand (for freshness windows)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(cache: Cache, clock: Clock) -> MakeClient:
    def make(
        *servers: IndexServer | Index,
        policy: CachePolicy | None = None,
        settings: HttpSettings = FAST,
        auth: AuthConfig | None = None,
    ) -> IndexClient:
        indexes = [
            s if isinstance(s, Index) else Index(name=f"test{n}", url=s.index_url)
            for n, s in enumerate(servers)
        ]
        if indexes and not any(i.default for i in indexes):
            indexes[-1] = replace(indexes[-1], default=True)
        return IndexClient(
            indexes=indexes,
            cache=cache,
            policy=policy or CachePolicy(),
            http=HttpClient(settings, Authenticator(indexes, auth)),
            clock=clock,
        )

    return make
