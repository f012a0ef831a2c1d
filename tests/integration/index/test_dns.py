"""Host names are resolved once per process however many threads connect at once (the
system resolver may drop concurrent queries and wait 5 s to retry)."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.dists import Dist
from tests.support.index_server import IndexServer
from tether.errors import IndexFetchError
from tether.index import dns
from tether.index.http import HttpClient, HttpSettings


def test_sixteen_threads_ask_the_resolver_once(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = socket.getaddrinfo

    def counting(host: str, *args: Any) -> Any:
        asked.append(host)
        return real(host, *args)

    monkeypatch.setattr(dns.socket, "getaddrinfo", counting)
    monkeypatch.setattr(dns, "_answers", {})
    with IndexServer([Dist("demo", "1.0")]) as server:
        client = HttpClient()
        url = server.index_url.replace("127.0.0.1", "localhost") + "/demo/"
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda _: client.get(url).status, range(32)))
    assert statuses == [200] * 32
    assert asked == ["localhost"]


def test_a_name_that_does_not_resolve_is_asked_again_next_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def failing(host: str, *args: Any) -> Any:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(dns.socket, "getaddrinfo", failing)
    for _ in range(2):
        with pytest.raises(socket.gaierror):
            dns.resolve("index.invalid", 443)
    assert asked == ["index.invalid", "index.invalid"]


def test_a_host_that_does_not_resolve_is_a_clear_error() -> None:
    with pytest.raises(IndexFetchError) as caught:
        HttpClient(HttpSettings(retries=0)).get("http://index.invalid/simple/demo/")
    assert str(caught.value).startswith(
        "cannot reach http://index.invalid/simple/demo/ (1 attempt): Failed to resolve "
        "'index.invalid'"
    )
    assert "Connection(" not in str(caught.value)
    assert caught.value.hint is not None
    assert "network" in caught.value.hint
