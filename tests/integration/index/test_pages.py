"""Index pages through the client: both formats, every field, first-index-wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from packaging.version import Version

from tests.integration.index.conftest import MakeClient
from tests.support.dists import Dist
from tests.support.index_server import IndexServer
from tether.index import Index
from tether.index.client import Found, NotFound
from tether.index.page import ProjectPage

RELEASES = [
    Dist("demo", "1.0", upload_time=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), sdist=True),
    Dist("demo", "1.1", requires_python=">=3.10", yanked="broken wheel tags"),
    Dist("demo", "2.0b1", tags=["cp312-cp312-manylinux_2_17_x86_64"], yanked=True),
]


def page_of(make_client: MakeClient, server: IndexServer) -> ProjectPage:
    client = make_client(server)
    page = client.project_page("Demo", client.indexes[0])
    assert isinstance(page, ProjectPage)
    return page


@pytest.mark.parametrize("json", [True, False], ids=["pep691-json", "pep503-html"])
def test_page_fields(make_client: MakeClient, json: bool) -> None:
    with IndexServer(RELEASES, json=json) as server:
        page = page_of(make_client, server)
        served = server.requests[0]
    assert served.path == "/simple/demo/"
    assert served.headers["Accept"].startswith("application/vnd.pypi.simple.v1+json")
    assert page.name == "demo"
    assert list(page.versions()) == [Version("2.0b1"), Version("1.1"), Version("1.0")]
    files = {f.filename: f for f in page.files}
    assert set(files) == {
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-1.1-py3-none-any.whl",
        "demo-2.0b1-cp312-cp312-manylinux_2_17_x86_64.whl",
    }
    wheel = files["demo-1.0-py3-none-any.whl"]
    assert wheel.url == f"{server.url}/files/demo-1.0-py3-none-any.whl"
    assert wheel.sha256 == server.artifact("demo-1.0-py3-none-any.whl").sha256
    assert wheel.core_metadata is True
    assert wheel.metadata_sha256 is not None
    assert not wheel.yanked
    assert files["demo-1.0.tar.gz"].core_metadata is None
    assert files["demo-1.1-py3-none-any.whl"].requires_python == ">=3.10"
    assert files["demo-1.1-py3-none-any.whl"].yanked
    assert files["demo-1.1-py3-none-any.whl"].yanked_reason == "broken wheel tags"
    yanked = files["demo-2.0b1-cp312-cp312-manylinux_2_17_x86_64.whl"]
    assert (yanked.yanked, yanked.yanked_reason) == (True, None)
    if json:  # PEP 700 fields exist only in JSON
        assert wheel.upload_time == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert wheel.size == len(server.artifact("demo-1.0-py3-none-any.whl").content)


def test_unknown_project_is_none_and_cached(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        client = make_client(server)
        assert client.project_page("nope", client.indexes[0]) is None
        assert client.project_page("nope", client.indexes[0]) is None
        assert len(server.requests) == 1


def test_first_index_that_has_the_package_wins(make_client: MakeClient) -> None:
    with (
        IndexServer([Dist("shared", "1.0"), Dist("private-only", "1.0")]) as private,
        IndexServer([Dist("shared", "9.9"), Dist("public-only", "2.0")]) as public,
    ):
        client = make_client(private, public)
        found = client.find("shared")
        assert isinstance(found, Found)
        # The public index's higher version is never seen: dependency confusion blocked.
        assert (found.index.name, [str(v) for v in found.page.versions()]) == ("test0", ["1.0"])
        assert public.requests == []
        found = client.find("public-only")
        assert isinstance(found, Found)
        assert found.index.name == "test1"
        assert [r.path for r in private.requests] == ["/simple/shared/", "/simple/public-only/"]
        missing = client.find("nowhere")
        assert isinstance(missing, NotFound)
        assert [i.name for i in missing.searched] == ["test0", "test1"]


def test_explicit_index_serves_only_pinned_packages(make_client: MakeClient) -> None:
    with (
        IndexServer([Dist("torch", "2.4.0+cpu")]) as pytorch,
        IndexServer([Dist("torch", "2.4.0"), Dist("numpy", "2.0")]) as pypi,
    ):
        explicit = Index(name="pytorch-cpu", url=pytorch.index_url, explicit=True)
        client = make_client(explicit, pypi)
        found = client.find("torch")
        assert isinstance(found, Found)
        assert found.index.name == "test1"
        assert pytorch.requests == []
        pinned = client.find("torch", index="pytorch-cpu")
        assert isinstance(pinned, Found)
        assert [str(v) for v in pinned.page.versions()] == ["2.4.0+cpu"]
        # A package pinned to an index that lacks it is not looked up elsewhere.
        assert isinstance(client.find("numpy", index="pytorch-cpu"), NotFound)


def test_malformed_pages_are_clear_errors(make_client: MakeClient) -> None:
    from tether.errors import IndexFetchError
    from tether.index.page import parse_json_page

    with pytest.raises(IndexFetchError, match=r"invalid JSON page"):
        parse_json_page(b"{not json", url="https://u:p@x/simple/a/", project="a")  # type: ignore[arg-type]
    with pytest.raises(IndexFetchError, match=r"API version 2\.0") as info:
        parse_json_page(
            b'{"meta": {"api-version": "2.0"}, "files": []}',
            url="https://u:p@x/simple/a/",
            project="a",  # type: ignore[arg-type]
        )
    assert "u:p" not in str(info.value)
