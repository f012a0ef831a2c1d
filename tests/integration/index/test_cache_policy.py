"""When a cached page is used, revalidated or refetched; offline; exclude-newer."""

from __future__ import annotations

import marshal
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.integration.index.conftest import Clock, MakeClient
from tests.support.dists import Dist
from tests.support.index_server import IndexServer
from tether.cache import Bucket
from tether.index.client import IndexClient, Offline
from tether.index.freshness import CachePolicy
from tether.index.page import ProjectPage


def read_page(client: IndexClient, name: str = "demo") -> ProjectPage | Offline | None:
    return client.project_page(name, client.indexes[0])


def page_requests(server: IndexServer) -> list[tuple[str | None, int]]:
    """(If-None-Match sent, status) for each page request."""
    return [
        (r.headers.get("If-None-Match"), r.status)
        for r in server.requests
        if r.path.startswith("/simple/")
    ]


def test_cache_control_max_age_is_honoured(make_client: MakeClient, clock: Clock) -> None:
    with IndexServer([Dist("demo", "1.0")], cache_control="max-age=60") as server:
        client = make_client(server)
        read_page(client)
        clock.now += 59
        read_page(client)
        assert len(page_requests(server)) == 1
        clock.now += 2
        read_page(client)
        assert len(page_requests(server)) == 2


def test_etag_revalidation_gets_304(make_client: MakeClient, clock: Clock) -> None:
    with IndexServer([Dist("demo", "1.0")], cache_control="max-age=0") as server:
        client = make_client(server)
        first = read_page(client)
        second = read_page(client)
        requests = page_requests(server)
    assert first == second
    assert requests[0] == (None, 200)
    etag, status = requests[1]
    assert etag is not None
    assert status == 304


def test_a_changed_page_is_refetched(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")], cache_control="no-cache") as server:
        client = make_client(server)
        read_page(client)
        server.add(Dist("demo", "1.1"))
        page = read_page(client)
        assert isinstance(page, ProjectPage)
        assert [str(v) for v in page.versions()] == ["1.1", "1.0"]
        assert [status for _, status in page_requests(server)] == [200, 200]


def test_no_headers_means_the_default_window(make_client: MakeClient, clock: Clock) -> None:
    with IndexServer([Dist("demo", "1.0")], cache_control=None) as server:
        client = make_client(server, policy=CachePolicy(max_age=600))
        read_page(client)
        clock.now += 599
        read_page(client)
        assert len(page_requests(server)) == 1
        clock.now += 2
        read_page(client)
        assert page_requests(server)[-1][1] == 304


def test_refresh_revalidates_everything(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        make_client(server).project_page("demo", make_client(server).indexes[0])
        refreshing = make_client(server, policy=CachePolicy(refresh=True))
        read_page(refreshing)
        assert [status for _, status in page_requests(server)] == [200, 304]


def test_offline_with_a_warm_cache(make_client: MakeClient, clock: Clock) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        online = make_client(server)
        read_page(online)
        assert read_page(online, "absent") is None
        url = server.index_url
        server.clear_requests()
    # The server is gone: only the cache can answer, however old its entries are.
    from tether.index import Index

    clock.now += 10 * 365 * 86400
    offline = make_client(Index(name="test0", url=url), policy=CachePolicy(offline=True))
    page = read_page(offline)
    assert isinstance(page, ProjectPage)
    assert [str(v) for v in page.versions()] == ["1.0"]
    assert read_page(offline, "absent") is None
    missing = read_page(offline, "never-seen")
    assert isinstance(missing, Offline)
    assert missing.what == "the page of 'never-seen'"


def test_exclude_newer_makes_a_page_that_lists_a_later_upload_fresh_forever(
    make_client: MakeClient, clock: Clock
) -> None:
    cutoff = datetime.fromtimestamp(clock.now - 3600, tz=UTC)
    after = datetime.fromtimestamp(clock.now - 60, tz=UTC)
    dists = [Dist("demo", "1.0", upload_time=cutoff), Dist("demo", "2.0", upload_time=after)]
    with IndexServer(dists, cache_control="max-age=0") as server:
        client = make_client(server, policy=CachePolicy(exclude_newer=cutoff))
        read_page(client)
        clock.now += 30 * 86400
        read_page(client)
        assert len(page_requests(server)) == 1
        # A cutoff after the page's newest upload gives no such guarantee.
        later = datetime.fromtimestamp(clock.now, tz=UTC)
        read_page(make_client(server, policy=CachePolicy(exclude_newer=later)))
        assert len(page_requests(server)) == 2


def test_a_page_fetched_after_the_cutoff_may_still_lag(
    make_client: MakeClient, clock: Clock
) -> None:
    """A mirror can serve a page without a file uploaded (upstream) before the cutoff:
    fetched after the cutoff, such a page is not fresh forever, and the next lock past
    its max-age sees the file the mirror caught up with."""
    cutoff = datetime.fromtimestamp(clock.now - 3600, tz=UTC)
    old = datetime.fromtimestamp(clock.now - 10 * 86400, tz=UTC)
    before = datetime.fromtimestamp(clock.now - 5 * 86400, tz=UTC)
    with IndexServer([Dist("demo", "1.0", upload_time=old)]) as server:
        client = make_client(server, policy=CachePolicy(exclude_newer=cutoff))
        first = read_page(client)
        assert isinstance(first, ProjectPage)
        assert [str(v) for v in first.versions()] == ["1.0"]
        server.add(Dist("demo", "1.1", upload_time=before))  # the mirror catches up
        clock.now += 601
        second = read_page(client)
        assert isinstance(second, ProjectPage)
        assert [str(v) for v in second.versions()] == ["1.1", "1.0"]


def test_no_store_is_not_cached(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")], cache_control="no-store") as server:
        client = make_client(server)
        read_page(client)
        read_page(client)
        assert len(page_requests(server)) == 2
    assert list(client.cache.entries(Bucket.SIMPLE)) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: good[: len(good) // 2],  # cut short
        lambda good: b'{"fetched_at": "yesterday", "page"',  # not this form at all
        lambda good: good[:12] + bytes([good[12] ^ 1]) + good[13:],  # another marshal version
        lambda good: good[:15] + marshal.dumps({"fetched_at": "x"}),  # wrong content
        lambda good: good[:15] + marshal.dumps({"fetched_at": 1.0, "page": ("x", "y", 3)}),
    ],
)
def test_a_damaged_cache_entry_is_a_miss(
    make_client: MakeClient, damage: Callable[[bytes], bytes]
) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        client = make_client(server)
        read_page(client)
        (entry,) = client.cache.entries(Bucket.SIMPLE)
        good = entry.read_bytes()
        entry.write_bytes(damage(good))
        page = read_page(client)
        assert isinstance(page, ProjectPage)
        assert [str(v) for v in page.versions()] == ["1.0"]
        assert len(page_requests(server)) == 2
        assert entry.read_bytes()[:15] == good[:15]  # written again, whole


def test_cache_layout_has_no_credentials(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")], auth=("alice", "s3cret-token")) as server:
        from tether.index import Index

        authed = Index(name="private", url=server.index_url.replace("//", "//alice:s3cret-token@"))
        client = make_client(authed)
        page = read_page(client)
        assert isinstance(page, ProjectPage)
    root = client.cache.root
    for path in root.rglob("*"):
        assert "s3cret" not in str(path)
        if path.is_file():
            assert b"s3cret" not in path.read_bytes()
