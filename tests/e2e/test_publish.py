"""`tether publish`: built files uploaded to a real pypiserver with authentication,
installable from it by `tether add`; a wrong token, a file already there, and a file
whose metadata an index would reject upload nothing."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

from tests.e2e.test_build import backend_index, tether
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer
from tests.support.pypiserver import pypiserver

__all__ = ["backend_index"]  # the fixture, shared with test_build

TOKEN = "pypi-AgEIcHlwaS5vcmc-test-token"


def built_lib(tmp_path: Path, index: IndexServer) -> Path:
    assert run_tether("init", "lib", "--lib", cwd=tmp_path).exit_code == 0
    root = tmp_path / "lib"
    (root / "src" / "lib" / "__init__.py").write_text("ANSWER = 42\n")
    assert tether(root, index, "build").exit_code == 0
    return root


def test_publish_uploads_to_pypiserver_and_another_project_installs_it(
    tmp_path: Path, backend_index: IndexServer
) -> None:
    lib = built_lib(tmp_path, backend_index)
    with pypiserver(tmp_path / "server", {"__token__": TOKEN}) as server:
        wrong = run_tether(
            "publish", "--publish-url", server.url, cwd=lib,
            env={"TETHER_PUBLISH_TOKEN": "pypi-wrong"},
        )  # fmt: skip
        assert wrong.exit_code == 1
        assert f"error: {server.url} refused the credentials for uploading lib-0.1.0.tar.gz" in (
            wrong.stderr
        )
        assert "hint: check TETHER_PUBLISH_TOKEN" in wrong.stderr
        assert "pypi-wrong" not in wrong.stderr
        assert list(server.packages.iterdir()) == []

        done = run_tether(
            "publish", "--publish-url", server.url, cwd=lib, env={"TETHER_PUBLISH_TOKEN": TOKEN}
        )
        assert done.exit_code == 0, done.stderr
        assert done.stderr == (
            f"Uploaded lib-0.1.0.tar.gz to {server.url}\n"
            f"Uploaded lib-0.1.0-py3-none-any.whl to {server.url}\n"
        )
        assert sorted(p.name for p in server.packages.iterdir()) == [
            "lib-0.1.0-py3-none-any.whl",
            "lib-0.1.0.tar.gz",
        ]
        assert (server.packages / "lib-0.1.0.tar.gz").read_bytes() == (
            lib / "dist" / "lib-0.1.0.tar.gz"
        ).read_bytes()

        # Again: the index keeps what it has and says so; --check-url skips those files.
        again = run_tether(
            "publish", "--publish-url", server.url, cwd=lib, env={"TETHER_PUBLISH_TOKEN": TOKEN}
        )
        assert again.exit_code == 1
        assert "lib-0.1.0.tar.gz is already on" in again.stderr
        skipped = run_tether(
            "publish", "--publish-url", server.url, "--check-url", server.simple, cwd=lib,
            env={"TETHER_PUBLISH_TOKEN": TOKEN, "TETHER_CACHE_DIR": str(tmp_path / "cache")},
        )  # fmt: skip
        assert skipped.exit_code == 0, skipped.stderr
        assert skipped.stderr == (
            "Skipped lib-0.1.0.tar.gz: already on the index\n"
            "Skipped lib-0.1.0-py3-none-any.whl: already on the index\n"
        )

        # Another project installs it from the server.
        app = tmp_path / "app"
        app.mkdir()
        (app / "pyproject.toml").write_text(
            '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        )
        added = run_tether(
            "add", "lib", "--index-url", server.simple, cwd=app,
            env={"TETHER_CACHE_DIR": str(tmp_path / "cache")},
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
        python = app / ".venv" / "bin" / "python"
        ran = run_tether("run", "python", "-c", "import lib; print(lib.ANSWER)", cwd=app)
        assert ran.stdout == "42\n", ran.stderr
        assert python.exists()


def test_publish_to_a_configured_index_with_a_credential_command(
    tmp_path: Path, backend_index: IndexServer
) -> None:
    lib = built_lib(tmp_path, backend_index)
    with pypiserver(tmp_path / "server", {"ci": TOKEN}) as server:
        pyproject = lib / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text()
            + textwrap.dedent(
                f"""
                [[tool.tether.index]]
                name = "internal"
                url = "{server.simple}"
                publish-url = "{server.url}"
                username = "ci"
                credential-command = ["echo", "{TOKEN}"]
                explicit = true
                """
            )
        )
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        first = run_tether("publish", "--index", "internal", cwd=lib, env=env)
        second = run_tether("publish", "--index", "internal", cwd=lib, env=env)
        unknown = run_tether("publish", "--index", "nowhere", cwd=lib, env=env)

    assert first.exit_code == 0, first.stderr
    assert first.stderr.count("Uploaded") == 2
    assert second.exit_code == 0, second.stderr  # the index is its own check URL
    assert second.stderr.count("Skipped") == 2
    assert unknown.exit_code == 2
    assert "no index named 'nowhere' to publish to (known: internal, pypi, testpypi)" in (
        unknown.stderr
    )


GOOD_METADATA = (
    "Metadata-Version: 2.1\nName: good\nVersion: 1.0\n"
    "Description-Content-Type: text/markdown\n\nA readme.\n"
)


def wheel_with_metadata(dist: Path, stem: str, metadata: str) -> Path:
    """A wheel `<stem>-py3-none-any.whl` holding only `<stem>.dist-info/METADATA`."""
    dist.mkdir(exist_ok=True)
    wheel = dist / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{stem}.dist-info/METADATA", metadata)
    return wheel


def test_files_an_index_would_reject_are_refused_before_any_upload(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    good = wheel_with_metadata(dist, "good-1.0", GOOD_METADATA)
    bad = wheel_with_metadata(
        dist,
        "bad-1.0",
        "Metadata-Version: 2.1\nName: bad\nVersion: 2.0\nRequires-Dist: requests >=\n\n",
    )
    local = wheel_with_metadata(
        dist, "good-1.0+cu126", "Metadata-Version: 2.1\nName: good\nVersion: 1.0+cu126\n\n"
    )
    (dist / "notes.txt").write_text("not a distribution")
    (dist / "trunc-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 cut short")

    # A dry run against an unreachable URL: the checks come first, nothing is sent.
    url = "http://127.0.0.1:9/"
    ok = run_tether("publish", "--publish-url", url, "--dry-run", str(good), cwd=tmp_path)
    mismatch = run_tether("publish", "--publish-url", url, str(good), str(bad), cwd=tmp_path)
    on_pypi = run_tether("publish", "--dry-run", str(local), cwd=tmp_path)
    text = run_tether("publish", "--publish-url", url, str(dist / "notes.txt"), cwd=tmp_path)
    truncated = run_tether(
        "publish", "--publish-url", url, str(dist / "trunc-1.0-py3-none-any.whl"), cwd=tmp_path
    )
    empty = run_tether("publish", "--publish-url", url, cwd=tmp_path / "dist")

    assert ok.exit_code == 0, ok.stderr
    assert ok.stderr == f"Would upload good-1.0-py3-none-any.whl to {url}\n"
    assert mismatch.exit_code == 1
    assert "error: bad-1.0-py3-none-any.whl would be rejected: " in mismatch.stderr
    assert "the metadata says version 2.0, the filename 1.0" in mismatch.stderr
    assert "requires-dist" in mismatch.stderr.lower()
    assert "Uploaded" not in mismatch.stderr
    assert on_pypi.exit_code == 1
    assert "PyPI refuses local versions (1.0+cu126)" in on_pypi.stderr
    assert text.exit_code == 1
    assert "notes.txt is not a wheel or a .tar.gz sdist" in text.stderr
    assert truncated.exit_code == 1
    assert "cannot read trunc-1.0-py3-none-any.whl" in truncated.stderr
    assert empty.exit_code == 2
    assert "nothing to publish" in empty.stderr


def test_an_unreachable_index_uploads_nothing_and_says_where(tmp_path: Path) -> None:
    wheel = wheel_with_metadata(tmp_path / "dist", "good-1.0", GOOD_METADATA)
    result = run_tether(
        "publish", "--publish-url", "http://127.0.0.1:9/legacy/", str(wheel), cwd=tmp_path,
        env={"TETHER_PUBLISH_TOKEN": TOKEN},
    )  # fmt: skip

    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9/legacy/" in result.stderr
    assert TOKEN not in result.stderr
