"""The test index is real: pip installs from it, and it speaks PEP 503/658/691/700.

If these fail, every test that uses the index proves nothing, so they check the wire
format against the PEPs, not against our own client.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from packaging.metadata import Metadata
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from tests.support.dists import Dist
from tests.support.index_server import HTML_V1, JSON_V1, Fault, IndexServer


def fetch(
    url: str,
    *,
    accept: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))
    if accept is not None:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def pip_env() -> dict[str, str]:
    """pip with no user or machine configuration: only the index we give it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def make_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path / "bin" / "python"


def pip_install(
    python: Path, index: IndexServer, *requirements: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(python), "install",
            "--no-cache-dir", "--index-url", index.index_url, *requirements,
        ],
        env=pip_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip


def test_pip_installs_a_package_with_a_dependency_and_a_console_script(
    index_server: IndexServer, tmp_path: Path
) -> None:
    index_server.add(
        Dist(
            "demo-app", "1.0", requires=["demo-lib>=2"], entry_points={"demo-app": "demo_app:main"}
        ),
        Dist("demo-lib", "1.0"),
        Dist("demo-lib", "2.1"),
    )
    python = make_venv(tmp_path / "venv")
    result = pip_install(python, index_server, "demo-app")
    assert result.returncode == 0, result.stderr
    script = tmp_path / "venv" / "bin" / "demo-app"
    ran = subprocess.run([str(script)], capture_output=True, text=True, check=True)
    assert ran.stdout == "demo-app 1.0\n"
    imported = subprocess.run(
        [str(python), "-c", "import demo_lib; print(demo_lib.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout == "2.1\n"
    # pip read the JSON API and fetched no page it did not need.
    paths = [r.path for r in index_server.requests]
    assert "/simple/demo-app/" in paths
    assert "/files/demo_lib-2.1-py3-none-any.whl" in paths


def test_pip_builds_and_installs_an_sdist_offline(
    index_server: IndexServer, tmp_path: Path
) -> None:
    index_server.add(
        Dist(
            "only-sdist",
            "0.3",
            wheel=False,
            sdist=True,
            entry_points={"only-sdist": "only_sdist:main"},
        )
    )
    python = make_venv(tmp_path / "venv")
    result = pip_install(python, index_server, "only-sdist")
    assert result.returncode == 0, result.stderr
    ran = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "only-sdist")], capture_output=True, text=True, check=True
    )
    assert ran.stdout == "only-sdist 0.3\n"


def test_pip_honours_requires_python_and_yanked(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.add(
        Dist("picky", "1.0"),
        Dist("picky", "2.0", requires_python=">=4"),
        Dist("picky", "1.5", yanked="broken build"),
    )
    python = make_venv(tmp_path / "venv")
    assert pip_install(python, index_server, "picky").returncode == 0
    listed = subprocess.run(
        [str(python), "-c", "import picky; print(picky.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout == "1.0\n"


def test_wheel_is_valid(index_server: IndexServer) -> None:
    dist = Dist(
        "Fancy.Name",
        "1.0.0",
        requires=["numpy>=1.26; python_version >= '3.11'"],
        extras={"gpu": ["torch>=2.4"], "docs": ["mkdocs; sys_platform == 'linux'"]},
        requires_python=">=3.9",
        entry_points={"fancy": "fancy_name:main"},
        data={"data/share/fancy/readme.txt": "hello"},
    )
    index_server.add(dist)
    filename = "fancy_name-1.0.0-py3-none-any.whl"
    assert parse_wheel_filename(filename)[0] == "fancy-name"
    content = index_server.artifact(filename).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        record = list(
            csv.reader(io.StringIO(archive.read("fancy_name-1.0.0.dist-info/RECORD").decode()))
        )
        for path, digest, size in record:
            if path.endswith("RECORD"):
                assert (digest, size) == ("", "")
                continue
            data = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}"
            assert int(size) == len(data)
        assert {row[0] for row in record} == set(names)
        meta = Metadata.from_email(archive.read("fancy_name-1.0.0.dist-info/METADATA"))
        assert "fancy_name-1.0.0.data/data/share/fancy/readme.txt" in names
        assert archive.read("fancy_name-1.0.0.dist-info/entry_points.txt").decode() == (
            "[console_scripts]\nfancy = fancy_name:main\n\n"
        )
    assert meta.name == "Fancy.Name"
    assert str(meta.requires_python) == ">=3.9"
    assert meta.provides_extra == ["gpu", "docs"]
    requirements = meta.requires_dist or []
    assert Requirement('torch>=2.4; extra == "gpu"') in requirements
    assert Requirement("mkdocs; (sys_platform == 'linux') and extra == \"docs\"") in requirements
    # The served .metadata file is byte-identical to METADATA in the wheel (PEP 658).
    status, _, served = fetch(index_server.file_url(filename) + ".metadata")
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert served == archive.read("fancy_name-1.0.0.dist-info/METADATA")


def test_same_description_same_bytes() -> None:
    with (
        IndexServer([Dist("a", "1.0", sdist=True)]) as first,
        IndexServer([Dist("a", "1.0", sdist=True)]) as second,
    ):
        for filename in ("a-1.0-py3-none-any.whl", "a-1.0.tar.gz"):
            assert first.artifact(filename).sha256 == second.artifact(filename).sha256


def test_sdist_layout(index_server: IndexServer) -> None:
    index_server.add(Dist("b", "2.0", wheel=False, sdist=True))
    with tarfile.open(fileobj=io.BytesIO(index_server.artifact("b-2.0.tar.gz").content)) as archive:
        names = sorted(archive.getnames())
    assert names == [
        "b-2.0/PKG-INFO",
        "b-2.0/pyproject.toml",
        "b-2.0/src/b/__init__.py",
        "b-2.0/tether_test_backend.py",
    ]


def validate_pep691_project(page: dict[str, object]) -> None:
    """The rules of PEP 691 (v1.0) with PEP 700 (v1.1) and PEP 714 additions."""
    assert set(page) == {"meta", "name", "files", "versions"}
    meta = page["meta"]
    assert isinstance(meta, dict)
    assert meta["api-version"] == "1.1"
    assert isinstance(page["name"], str)
    versions = page["versions"]
    assert isinstance(versions, list)
    assert all(isinstance(v, str) for v in versions)
    files = page["files"]
    assert isinstance(files, list)
    for entry in files:
        assert isinstance(entry, dict)
        assert {"filename", "url", "hashes", "size"} <= set(entry)
        assert isinstance(entry["filename"], str)
        assert isinstance(entry["url"], str)
        hashes = entry["hashes"]
        assert isinstance(hashes, dict)
        assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in hashes.values())
        assert isinstance(entry["size"], int)
        assert isinstance(entry.get("yanked", False), bool | str)
        if "requires-python" in entry:
            assert isinstance(entry["requires-python"], str)
        if "upload-time" in entry:
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z", entry["upload-time"]
            )
        for key in ("core-metadata", "data-dist-info-metadata"):
            if key in entry:
                assert entry[key] is False or (
                    isinstance(entry[key], dict) and "sha256" in entry[key]
                )


def test_json_page_follows_pep_691_and_700(index_server: IndexServer) -> None:
    stamp = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    index_server.add(
        Dist("a", "1.0", upload_time=stamp, requires_python=">=3.8", sdist=True),
        Dist("a", "1.1", yanked="bad release"),
        Dist("a", "2.0rc1", tags=["cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-win_amd64"]),
    )
    status, headers, body = fetch(f"{index_server.index_url}/a/", accept=JSON_V1)
    assert status == 200
    assert headers["Content-Type"] == JSON_V1
    page = json.loads(body)
    validate_pep691_project(page)
    assert page["versions"] == ["1.0", "1.1", "2.0rc1"]
    by_name = {entry["filename"]: entry for entry in page["files"]}
    assert set(by_name) == {
        "a-1.0-py3-none-any.whl",
        "a-1.0.tar.gz",
        "a-1.1-py3-none-any.whl",
        "a-2.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl",
        "a-2.0rc1-cp312-cp312-win_amd64.whl",
    }
    wheel = by_name["a-1.0-py3-none-any.whl"]
    assert wheel["upload-time"] == "2024-05-01T12:30:00.000000Z"
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["yanked"] is False
    assert wheel["core-metadata"] == wheel["data-dist-info-metadata"]
    assert "core-metadata" not in by_name["a-1.0.tar.gz"]
    assert by_name["a-1.1-py3-none-any.whl"]["yanked"] == "bad release"
    artifact = index_server.artifact("a-1.0-py3-none-any.whl")
    assert wheel["hashes"] == {"sha256": artifact.sha256}
    assert wheel["size"] == len(artifact.content)
    # The URL is relative to the page and resolves to the file.
    resolved = urllib.parse.urljoin(f"{index_server.index_url}/a/", wheel["url"])
    assert fetch(resolved)[2] == artifact.content


def test_html_page_follows_pep_503(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0", requires_python=">=3.8"), Dist("a", "1.1", yanked=True))
    status, headers, body = fetch(f"{index_server.index_url}/a/")
    assert status == 200
    assert headers["Content-Type"] == HTML_V1
    text = body.decode()
    assert '<meta name="pypi:repository-version" content="1.1">' in text
    artifact = index_server.artifact("a-1.0-py3-none-any.whl")
    assert f'href="../../files/a-1.0-py3-none-any.whl#sha256={artifact.sha256}"' in text
    assert 'data-requires-python="&gt;=3.8"' in text
    assert 'data-yanked=""' in text
    assert 'data-core-metadata="sha256=' in text


def test_content_negotiation(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    page = f"{index_server.index_url}/a/"
    pip_accept = f"{JSON_V1}, {HTML_V1}; q=0.1, text/html; q=0.01"
    assert fetch(page, accept=pip_accept)[1]["Content-Type"] == JSON_V1
    assert fetch(page, accept=f"{JSON_V1}; q=0.2, {HTML_V1}")[1]["Content-Type"] == HTML_V1
    assert fetch(page, accept="text/html")[1]["Content-Type"] == "text/html"
    assert fetch(f"{page}?format={urllib.parse.quote(JSON_V1)}")[1]["Content-Type"] == JSON_V1
    assert fetch(page, accept="application/xml")[0] == 406
    root = json.loads(fetch(index_server.index_url + "/", accept=JSON_V1)[2])
    assert root == {"meta": {"api-version": "1.1"}, "projects": [{"name": "a"}]}


def test_non_normalised_names_redirect(index_server: IndexServer) -> None:
    index_server.add(Dist("Foo_Bar", "1.0"))
    status, _, _ = fetch(f"{index_server.index_url}/Foo_Bar/", accept=JSON_V1)
    # urllib follows the redirect: the final page is the normalised one.
    assert status == 200
    assert (
        json.loads(fetch(f"{index_server.index_url}/foo-bar/", accept=JSON_V1)[2])["name"]
        == "foo-bar"
    )
    assert [r.status for r in index_server.requests[:2]] == [301, 200]


def test_unknown_project_is_404(index_server: IndexServer) -> None:
    assert fetch(f"{index_server.index_url}/nope/")[0] == 404


def test_etag_revalidation_and_cache_control(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    page = f"{index_server.index_url}/a/"
    status, headers, _ = fetch(page, accept=JSON_V1)
    assert headers["Cache-Control"] == "max-age=600, public"
    etag = headers["ETag"]
    status, _, body = fetch(page, accept=JSON_V1, headers={"If-None-Match": etag})
    assert (status, body) == (304, b"")
    index_server.add(Dist("a", "1.1"))  # a new release changes the page and its ETag
    status, headers, _ = fetch(page, accept=JSON_V1, headers={"If-None-Match": etag})
    assert status == 200
    assert headers["ETag"] != etag


def test_no_cache_headers_when_asked() -> None:
    with IndexServer([Dist("a", "1.0")], cache_control=None) as server:
        headers = fetch(f"{server.index_url}/a/")[1]
    assert "Cache-Control" not in headers


def test_byte_ranges(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    url = index_server.file_url("a-1.0-py3-none-any.whl")
    content = index_server.artifact("a-1.0-py3-none-any.whl").content
    status, headers, body = fetch(url, headers={"Range": "bytes=-22"})
    assert status == 206
    assert body == content[-22:]
    assert (
        headers["Content-Range"] == f"bytes {len(content) - 22}-{len(content) - 1}/{len(content)}"
    )
    status, _, body = fetch(url, headers={"Range": "bytes=10-19"})
    assert (status, body) == (206, content[10:20])
    assert fetch(url, headers={"Range": f"bytes={len(content)}-"})[0] == 416
    with IndexServer([Dist("a", "1.0")], ranges=False) as plain:
        status, headers, body = fetch(
            plain.file_url("a-1.0-py3-none-any.whl"), headers={"Range": "bytes=0-9"}
        )
        assert (status, len(body), headers["Accept-Ranges"]) == (200, len(content), "none")


def test_metadata_advertising_switches() -> None:
    with IndexServer([Dist("a", "1.0")], advertise_metadata=False) as server:
        page = json.loads(fetch(f"{server.index_url}/a/", accept=JSON_V1)[2])
        assert "core-metadata" not in page["files"][0]
        # ...but the file is there for clients that guess its URL.
        assert fetch(server.file_url("a-1.0-py3-none-any.whl") + ".metadata")[0] == 200
    with IndexServer([Dist("a", "1.0")], serve_metadata=False) as server:
        assert fetch(server.file_url("a-1.0-py3-none-any.whl") + ".metadata")[0] == 404


def test_basic_auth(tmp_path: Path) -> None:
    with IndexServer([Dist("secret-pkg", "1.0")], auth=("alice", "s3cret")) as server:
        status, headers, _ = fetch(f"{server.index_url}/secret-pkg/")
        assert status == 401
        assert headers["WWW-Authenticate"] == 'Basic realm="tether-test-index"'
        wrong = base64.b64encode(b"alice:nope").decode()
        assert (
            fetch(f"{server.index_url}/secret-pkg/", headers={"Authorization": f"Basic {wrong}"})[0]
            == 401
        )
        right = base64.b64encode(b"alice:s3cret").decode()
        assert (
            fetch(f"{server.index_url}/secret-pkg/", headers={"Authorization": f"Basic {right}"})[0]
            == 200
        )
        # pip with credentials in the URL installs from it.
        python = make_venv(tmp_path / "venv")
        authed = server.index_url.replace("http://", "http://alice:s3cret@")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir",
             "--index-url", authed, "secret-pkg"],
            env=pip_env(), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr


def test_fault_http_status_then_recovery(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    index_server.fault("/simple/a/", Fault.http(503, times=2))
    page = f"{index_server.index_url}/a/"
    assert [fetch(page)[0] for _ in range(3)] == [503, 503, 200]
    index_server.fault("/simple/a/", Fault.http(500))
    assert [fetch(page)[0] for _ in range(2)] == [500, 500]
    index_server.clear_faults()
    assert fetch(page)[0] == 200


def test_fault_stall_times_out_a_client(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    index_server.fault("/simple/a/", Fault.stall(5, times=1))
    with pytest.raises(TimeoutError):
        fetch(f"{index_server.index_url}/a/", timeout=0.3)


def test_fault_truncated_body(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    filename = "a-1.0-py3-none-any.whl"
    index_server.fault(f"/files/{filename}", Fault.truncate())
    with pytest.raises(http_client_incomplete()):
        fetch(index_server.file_url(filename))


def http_client_incomplete() -> type[Exception]:
    import http.client

    return http.client.IncompleteRead


def test_fault_corrupt_artifact_breaks_its_hash(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    filename = "a-1.0-py3-none-any.whl"
    index_server.fault(f"/files/{filename}", Fault.corrupt())
    _, _, body = fetch(index_server.file_url(filename))
    assert len(body) == len(index_server.artifact(filename).content)
    assert hashlib.sha256(body).hexdigest() != index_server.artifact(filename).sha256


def test_fault_missing_metadata(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    filename = "a-1.0-py3-none-any.whl"
    index_server.fault(f"/files/{filename}.metadata", Fault.missing())
    page = json.loads(fetch(f"{index_server.index_url}/a/", accept=JSON_V1)[2])
    assert page["files"][0]["core-metadata"]  # still advertised...
    assert fetch(index_server.file_url(filename) + ".metadata")[0] == 404  # ...but gone


def test_requests_are_logged_with_headers(index_server: IndexServer) -> None:
    index_server.add(Dist("a", "1.0"))
    fetch(f"{index_server.index_url}/a/", accept=JSON_V1, headers={"User-Agent": "probe/1"})
    (request,) = index_server.requests
    assert (request.method, request.path, request.status) == ("GET", "/simple/a/", 200)
    assert request.headers["User-Agent"] == "probe/1"
