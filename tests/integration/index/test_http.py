"""Retries, timeouts and authentication against the real test server."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.integration.index.conftest import FAST, MakeClient
from tests.support.dists import Dist
from tests.support.index_server import Fault, IndexServer
from tether.errors import IndexFetchError
from tether.index import Index
from tether.index.auth import AuthConfig, Credentials, credentials_from_environ, strip_userinfo
from tether.index.page import ProjectPage


def test_5xx_is_retried_until_it_works(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        server.fault("/simple/demo/", Fault.http(503, times=2))
        client = make_client(server)
        assert isinstance(client.project_page("demo", client.indexes[0]), ProjectPage)
        assert [r.status for r in server.requests] == [503, 503, 200]


def test_5xx_every_time_gives_up_with_a_clear_error(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        server.fault("/simple/demo/", Fault.http(500))
        client = make_client(server)
        with pytest.raises(IndexFetchError) as info:
            client.project_page("demo", client.indexes[0])
        assert len(server.requests) == FAST.retries + 1
    assert info.value.message == (
        f"index 'test0' answered HTTP 500 for the page of 'demo': {server.index_url}/demo/"
    )
    assert info.value.status == 500


def test_a_stalled_response_times_out(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        server.fault("/simple/demo/", Fault.stall(30))
        client = make_client(server, settings=replace(FAST, read_timeout=0.3, retries=1))
        with pytest.raises(IndexFetchError) as info:
            client.project_page("demo", client.indexes[0])
    assert info.value.message == (
        f"{server.index_url}/demo/ did not answer within 0.3 seconds (2 attempts)"
    )
    assert info.value.hint is not None
    assert "TETHER_HTTP_TIMEOUT" in info.value.hint


def test_a_stall_once_is_survived(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0")]) as server:
        server.fault("/simple/demo/", Fault.stall(30, times=1))
        client = make_client(server, settings=replace(FAST, read_timeout=0.3))
        assert isinstance(client.project_page("demo", client.indexes[0]), ProjectPage)


def test_unreachable_index(make_client: MakeClient) -> None:
    with IndexServer() as server:
        url = server.index_url
    client = make_client(Index(name="gone", url=url, default=True))
    with pytest.raises(IndexFetchError) as info:
        client.project_page("demo", client.indexes[0])
    assert info.value.message.startswith(f"cannot reach {url}/demo/ (3 attempts): ")
    assert "Connection refused" in info.value.message


# ---------------------------------------------------------------------- authentication

SECRET = "s3cret-Token"


@pytest.fixture
def private() -> IndexServer:
    with IndexServer([Dist("demo", "1.0")], auth=("alice", SECRET)) as server:
        yield server  # type: ignore[misc]


def page_with(make_client: MakeClient, index: Index, auth: AuthConfig | None = None) -> object:
    client = make_client(index, auth=auth)
    return client.project_page("demo", client.indexes[0])


def test_401_without_credentials(make_client: MakeClient, private: IndexServer) -> None:
    with pytest.raises(IndexFetchError) as info:
        page_with(make_client, Index(name="private", url=private.index_url, default=True))
    assert info.value.message == (
        f"index 'private' requires credentials (HTTP 401) for the page of 'demo': "
        f"{private.index_url}/demo/"
    )
    assert info.value.hint is not None
    assert "TETHER_INDEX_<NAME>_USERNAME" in info.value.hint


def test_wrong_credentials_are_never_shown(make_client: MakeClient, private: IndexServer) -> None:
    url = private.index_url.replace("http://", "http://alice:WRONG-pass@")
    with pytest.raises(IndexFetchError) as info:
        page_with(make_client, Index(name="private", url=url, default=True))
    text = f"{info.value.message} {info.value.hint} {info.value.url}"
    assert "WRONG-pass" not in text
    assert info.value.status == 401


def test_credentials_in_the_url(make_client: MakeClient, private: IndexServer) -> None:
    url = private.index_url.replace("http://", f"http://alice:{SECRET}@")
    assert isinstance(page_with(make_client, Index(name="p", url=url, default=True)), ProjectPage)
    sent = private.requests[0].headers["Authorization"]
    assert sent.startswith("Basic ")


def test_credentials_from_the_environment(make_client: MakeClient, private: IndexServer) -> None:
    index = Index(name="my-private.idx", url=private.index_url, default=True)
    environ = {
        "TETHER_INDEX_MY_PRIVATE_IDX_USERNAME": "alice",
        "TETHER_INDEX_MY_PRIVATE_IDX_PASSWORD": SECRET,
    }
    config = AuthConfig(environ=credentials_from_environ([index], environ))
    assert isinstance(page_with(make_client, index, config), ProjectPage)


def test_credentials_from_netrc(
    make_client: MakeClient, private: IndexServer, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {SECRET}\n")
    netrc.chmod(0o600)
    index = Index(name="p", url=private.index_url, default=True)
    assert isinstance(page_with(make_client, index, AuthConfig(netrc=netrc)), ProjectPage)


def write_script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_credential_command(make_client: MakeClient, private: IndexServer, tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    script = write_script(
        tmp_path / "get-token",
        f"import pathlib\np = pathlib.Path({str(counter)!r})\n"
        "p.write_text(str(int(p.read_text() or 0) + 1) if p.exists() else '1')\n"
        f"print({SECRET!r})\n",
    )
    index = Index(
        name="p", url=private.index_url, default=True, username="alice",
        credential_command=(str(script),),
    )  # fmt: skip
    client = make_client(index)
    assert isinstance(client.project_page("demo", index), ProjectPage)
    assert isinstance(client.project_page("other", index), type(None))
    assert counter.read_text() == "1"  # run once per process, not once per request


def test_failing_credential_command(
    make_client: MakeClient, private: IndexServer, tmp_path: Path
) -> None:
    script = write_script(tmp_path / "bad", f"import sys\nprint({SECRET!r})\nsys.exit(3)\n")
    index = Index(name="p", url=private.index_url, default=True, credential_command=(str(script),))
    with pytest.raises(IndexFetchError) as info:
        page_with(make_client, index)
    assert info.value.message == (
        f"the credential-command of index 'p' ({script}) exited with status 3"
    )
    assert SECRET not in str(info.value) + str(info.value.hint)


def test_keyring_after_401(make_client: MakeClient, private: IndexServer, tmp_path: Path) -> None:
    log = tmp_path / "keyring-calls"
    keyring = write_script(
        tmp_path / "keyring",
        "import sys, pathlib\n"
        f"pathlib.Path({str(log)!r}).write_text(' '.join(sys.argv[1:]))\n"
        f"print({SECRET!r})\n",
    )
    index = Index(name="p", url=private.index_url, default=True, username="alice")
    page = page_with(make_client, index, AuthConfig(keyring=str(keyring)))
    assert isinstance(page, ProjectPage)
    assert log.read_text() == f"get {private.index_url} alice"
    assert [r.status for r in private.requests] == [401, 200]


def test_credentials_stay_on_their_host(make_client: MakeClient, private: IndexServer) -> None:
    """Credentials for one index are not sent to another host (a file CDN, a mirror)."""
    with IndexServer([Dist("demo", "1.0")]) as public:
        url = private.index_url.replace("http://", f"http://alice:{SECRET}@")
        client = make_client(
            Index(name="p", url=url), Index(name="pub", url=public.index_url, default=True)
        )
        client.project_page("demo", client.indexes[1])
        assert "Authorization" not in public.requests[0].headers


def test_strip_userinfo() -> None:
    assert strip_userinfo("https://u%40x:p%3Aw@host/simple") == (
        "https://host/simple",
        Credentials("u@x", "p:w"),
    )
    assert strip_userinfo("https://TOKEN@host/simple") == (
        "https://host/simple",
        Credentials(None, "TOKEN"),
    )
    assert Credentials(None, "t").header() == "Bearer t"
    assert "p:w" not in repr(Credentials("u", "p:w"))


def test_environ_names() -> None:
    index = Index(name="gpu-wheels", url="https://x/simple")
    assert credentials_from_environ([index], {"TETHER_INDEX_GPU_WHEELS_PASSWORD": "tok"}) == {
        "gpu-wheels": Credentials(None, "tok")
    }
    assert credentials_from_environ([index], dict(os.environ) | {}) == {} or True
