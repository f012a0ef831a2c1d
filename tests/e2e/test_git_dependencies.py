"""Git dependencies: `pkg @ git+URL@rev` and `{ git = …, tag | branch | rev, subdirectory }`
sources, locked as PEP 751 `vcs` entries pinned to the full commit, checked out from real
repositories the tests create (a `file://` one, and one served over HTTP on 127.0.0.1 by
the dumb protocol), built through PEP 517 and installed with PEP 610's vcs_info."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import textwrap
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from tests.e2e.test_add import tether
from tests.e2e.test_path_dependencies import direct_url, local_project
from tests.e2e.test_sync import python, versions
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def set_version(project: Path, name: str, version: str) -> None:
    for file in ("pyproject.toml", "PKG-INFO"):
        path = project / file
        text = path.read_text()
        lines = [
            (f'version = "{version}"' if line.startswith("version = ") else line)
            for line in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
        path.write_text(text.replace("Version: 0.3.0", f"Version: {version}"))
    (project / "src" / name / "__init__.py").write_text(f"VALUE = '{version}'\n")


def repository(path: Path, subdirectory: str | None = None) -> tuple[Path, str]:
    """A git repository holding `mylib` 0.3.0 (at its root or in `subdirectory`),
    tagged v0.3.0 on branch main; returns it and the commit."""
    path.mkdir(parents=True)
    project = path / subdirectory if subdirectory else path
    local_project(project, "mylib", '"util>=2"')
    (project / "src" / "mylib" / "__init__.py").write_text("VALUE = '0.3.0'\n")
    git(path, "init", "-q", "-b", "main")
    commit = commit_all(path, "first")
    git(path, "tag", "v0.3.0")
    return path, commit


def service(root: Path, dependency: str, sources: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = [{dependency!r}]
            """
        )
        + (f"\n[tool.tether.sources]\n{sources}\n" if sources else "")
    )
    return root


def locked_vcs(root: Path) -> dict[str, str]:
    data = tomllib.loads((root / "pylock.toml").read_text())
    Pylock.from_dict(data)  # what any PEP 751 installer reads
    entry = next(p for p in data["packages"] if p["name"] == "mylib")
    assert "directory" not in entry
    assert "archive" not in entry
    return entry["vcs"]  # type: ignore[no-any-return]


@pytest.fixture
def dumb_http(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving `tmp_path/served` (git's dumb protocol)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_tag_in_a_pep508_url_is_locked_to_its_commit_and_installed(
    tmp_path: Path, index: IndexServer
) -> None:
    repo, commit = repository(tmp_path / "repo")
    url = f"git+{repo.as_uri()}@v0.3.0"
    root = service(tmp_path / "svc", f"mylib @ {url}")
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert locked_vcs(root) == {
        "type": "git",
        "url": repo.as_uri(),
        "requested-revision": "v0.3.0",
        "commit-id": commit,
    }
    assert versions(root) == {"mylib": "0.3.0", "util": "2.0"}
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.3.0"
    assert direct_url(root, "mylib") == {
        "url": repo.as_uri(),
        "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "v0.3.0"},
    }
    again = tether(root, index, "sync")
    assert again.exit_code == 0, again.stderr
    assert "mylib" not in again.stderr  # installed from that commit already
    # pip-tools style: pinned to the commit.
    (root / "requirements.in").write_text(f"mylib @ {url}\n")
    compiled = tether(root, index, "pip", "compile", "requirements.in")
    assert compiled.exit_code == 0, compiled.stderr
    assert f"mylib @ git+{repo.as_uri()}@{commit}\n" in compiled.stdout
    # A new environment takes the wheel built from that commit from the cache.
    shutil.rmtree(root / ".venv")
    shutil.rmtree(next((root.parent / "cache").glob("git-checkouts-v1/*")))
    fresh = tether(root, index, "sync")
    assert fresh.exit_code == 0, fresh.stderr
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.3.0"
    assert not any((root.parent / "cache").glob("git-checkouts-v1/*/*"))  # not checked out


def test_a_branch_moves_only_with_upgrade_package(tmp_path: Path, index: IndexServer) -> None:
    repo, first = repository(tmp_path / "repo")
    source = f'mylib = {{ git = "{repo.as_uri()}", branch = "main" }}'
    root = service(tmp_path / "svc", "mylib", source)
    assert tether(root, index, "sync").exit_code == 0
    assert locked_vcs(root)["commit-id"] == first
    set_version(repo, "mylib", "0.4.0")
    second = commit_all(repo, "second")
    relock = tether(root, index, "lock")
    assert relock.exit_code == 0, relock.stderr
    assert locked_vcs(root)["commit-id"] == first  # the lock keeps its commit
    # Even when the lock must be re-resolved for another reason.
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace('["mylib"]', '["mylib", "util"]')
    )
    assert tether(root, index, "lock").exit_code == 0
    assert locked_vcs(root)["commit-id"] == first
    moved = tether(root, index, "lock", "--upgrade-package", "mylib")
    assert moved.exit_code == 0, moved.stderr
    assert locked_vcs(root) == {
        "type": "git",
        "url": repo.as_uri(),
        "requested-revision": "main",
        "commit-id": second,
    }
    synced = tether(root, index, "sync")
    assert synced.exit_code == 0, synced.stderr
    assert versions(root)["mylib"] == "0.4.0"
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.4.0"


def test_a_commit_and_a_subdirectory(tmp_path: Path, index: IndexServer) -> None:
    repo, commit = repository(tmp_path / "repo", subdirectory="libs/mylib")
    set_version(repo / "libs" / "mylib", "mylib", "0.4.0")
    commit_all(repo, "newer, not asked for")
    source = f'mylib = {{ git = "{repo.as_uri()}", rev = "{commit}", subdirectory = "libs/mylib" }}'
    root = service(tmp_path / "svc", "mylib", source)
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert locked_vcs(root) == {
        "type": "git",
        "url": repo.as_uri(),
        "requested-revision": commit,
        "commit-id": commit,
        "subdirectory": "libs/mylib",
    }
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.3.0"
    assert direct_url(root, "mylib")["subdirectory"] == "libs/mylib"
    # An abbreviated commit is resolved too.
    abbreviated = f"git+{repo.as_uri()}@{commit[:10]}#subdirectory=libs/mylib"
    short = service(tmp_path / "short", f"mylib @ {abbreviated}")
    done = tether(short, index, "lock")
    assert done.exit_code == 0, done.stderr
    assert locked_vcs(short)["commit-id"] == commit


def test_over_http_with_a_dynamic_version_and_no_credentials_kept(
    tmp_path: Path, index: IndexServer, dumb_http: tuple[str, Path]
) -> None:
    base, served = dumb_http
    repo, commit = repository(tmp_path / "repo")
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0.3.0"', 'dynamic = ["version"]')
    )
    commit = commit_all(repo, "dynamic version")
    git(repo, "tag", "-f", "v0.3.0")
    bare = served / "mylib.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    git(bare, "update-server-info")
    url = base.replace("http://", "http://someone:s3cret@") + "/mylib.git"
    root = service(tmp_path / "svc", f"mylib @ git+{url}@v0.3.0")
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    lock = (root / "pylock.toml").read_text()
    assert "s3cret" not in lock
    assert "s3cret" not in result.stderr + result.stdout
    entry = locked_vcs(root)
    assert entry["url"] == f"{base}/mylib.git"
    assert entry["commit-id"] == commit
    data = tomllib.loads(lock)
    assert next(p for p in data["packages"] if p["name"] == "mylib")["version"] == "0.3.0"
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.3.0"


def test_git_errors_say_what_and_what_to_do(
    tmp_path: Path, index: IndexServer, dumb_http: tuple[str, Path]
) -> None:
    repo, _ = repository(tmp_path / "repo")
    unknown = service(tmp_path / "unknown", f"mylib @ git+{repo.as_uri()}@no-such-tag")
    result = tether(unknown, index, "lock")
    assert result.exit_code == 1
    assert f"the git repository {repo.as_uri()} has no branch, tag or commit 'no-such-tag'" in (
        result.stderr
    )
    assert not (unknown / "pylock.toml").exists()

    nowhere = service(
        tmp_path / "nowhere", f"mylib @ git+{repo.as_uri()}@v0.3.0#subdirectory=nowhere"
    )
    result = tether(nowhere, index, "lock")
    assert result.exit_code == 1
    assert "has no subdirectory 'nowhere'" in result.stderr
    assert not (nowhere / "pylock.toml").exists()

    base, _ = dumb_http
    gone = service(tmp_path / "gone", f"mylib @ git+{base}/missing.git@v1")
    result = tether(gone, index, "lock")
    assert result.exit_code == 1
    assert f"cannot reach the git repository {base}/missing.git" in result.stderr
    assert "credential helper" in result.stderr

    no_git = service(tmp_path / "nogit", f"mylib @ git+{repo.as_uri()}@v0.3.0")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = run_tether(
        "lock",
        "--index-url",
        index.index_url,
        cwd=no_git,
        env={"TETHER_CACHE_DIR": str(tmp_path / "cache"), "PATH": str(empty)},
    )
    assert result.exit_code == 1
    assert "git dependencies need `git`, and it is not on PATH" in result.stderr

    bad = service(tmp_path / "bad", "mylib", 'mylib = { git = "git@github.com:o/r", tag = "v1" }')
    result = tether(bad, index, "lock")
    assert result.exit_code == 1
    assert "must be an https://, ssh://, http:// or file:// repository URL" in result.stderr


def test_add_a_git_url_writes_the_name_and_a_git_source(tmp_path: Path, index: IndexServer) -> None:
    repo, commit = repository(tmp_path / "repo")
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n"
    )
    added = tether(root, index, "add", f"git+{repo.as_uri()}", "--tag", "v0.3.0")
    assert added.exit_code == 0, added.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'dependencies = ["mylib"]' in text  # the name the repository declares
    assert f'mylib = {{git = "{repo.as_uri()}", tag = "v0.3.0"}}' in text
    assert locked_vcs(root)["commit-id"] == commit
    assert python(root, "import mylib; print(mylib.VALUE)") == "0.3.0"
    # Named, with the revision in the URL (uv's form for `name @ git+…@rev`).
    named = tether(root, index, "add", f"other @ git+{repo.as_uri()}@main", "--frozen")
    assert named.exit_code == 0, named.stderr
    assert (
        f'other = {{git = "{repo.as_uri()}", rev = "main"}}'
        in (root / "pyproject.toml").read_text()
    )
    refused = tether(root, index, "add", "util", "--tag", "v1")
    assert refused.exit_code == 2
    assert "--tag, --branch and --rev apply to git URLs" in refused.stderr
