"""`tether index versions|metadata` against the test index, as a user runs them."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

RELEASES = [
    Dist("demo", "1.0", requires=["numpy>=1.26"], upload_time=datetime(2024, 1, 2, tzinfo=UTC)),
    Dist("demo", "1.1", requires=["numpy>=2"], sdist=True, requires_python=">=3.10",
         upload_time=datetime(2024, 3, 4, tzinfo=UTC)),
    Dist("demo", "2.0", yanked="oops", upload_time=datetime(2024, 5, 6, tzinfo=UTC)),
]  # fmt: skip


@pytest.fixture
def server() -> IndexServer:
    with IndexServer(RELEASES) as running:
        yield running  # type: ignore[misc]


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_HTTP_RETRIES": "1"}


def test_versions(server: IndexServer, tmp_path: Path) -> None:
    result = run_tether(
        "index", "versions", "Demo", "--index-url", server.index_url,
        cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "demo on default: 3 versions\n"
        "  2.0             1 wheel  2024-05-06  YANKED: oops\n"
        "  1.1             1 wheel, sdist  requires-python >=3.10  2024-03-04\n"
        "  1.0             1 wheel  2024-01-02\n"
    )


def test_versions_json(server: IndexServer, tmp_path: Path) -> None:
    result = run_tether(
        "index", "versions", "demo", "--json", "--index-url", server.index_url,
        cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert [v["version"] for v in data["versions"]] == ["2.0", "1.1", "1.0"]
    assert data["versions"][0]["files"][0]["yanked"] == "oops"


def test_metadata(server: IndexServer, tmp_path: Path) -> None:
    result = run_tether(
        "index", "metadata", "demo==1.1", "--index-url", server.index_url,
        cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "demo 1.1  (demo-1.1-py3-none-any.whl on default)\n"
        "  requires-python  >=3.10\n"
        "  requires-dist (1)\n"
        "    numpy>=2\n"
    )
    assert result.stderr.startswith("metadata via pep658, 2 requests, ")
    again = run_tether(
        "index", "metadata", "demo==1.1", "--offline", "--index-url", server.index_url,
        cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    assert again.stdout == result.stdout
    assert again.stderr == "metadata via cache\n"


def test_metadata_of_the_sdist(server: IndexServer, tmp_path: Path) -> None:
    result = run_tether(
        "index", "metadata", "demo==1.1", "--file", "demo-1.1.tar.gz", "--json",
        "--index-url", server.index_url, cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    assert json.loads(result.stdout)["source"] == "full-download"


def test_project_indexes_are_used(server: IndexServer, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "app"
            version = "0.1"

            [[tool.tether.index]]
            name = "internal"
            url = "{server.index_url}"
            default = true
            """
        )
    )
    result = run_tether("index", "versions", "demo", cwd=tmp_path, env=env_for(tmp_path))
    assert result.stdout.startswith("demo on internal: 3 versions\n")


def test_offline_with_a_cold_cache(tmp_path: Path) -> None:
    result = run_tether(
        "index", "versions", "demo", "--offline", cwd=tmp_path, env=env_for(tmp_path)
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: offline, and the cache has no copy of the page of 'demo' from index 'pypi'\n"
        "hint: run the command once without --offline (or TETHER_OFFLINE) to fill the cache\n"
    )


def test_unknown_package(server: IndexServer, tmp_path: Path) -> None:
    result = run_tether(
        "index", "versions", "nope", "--index-url", server.index_url,
        cwd=tmp_path, env=env_for(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no index has a package named 'nope' (searched default <{server.index_url}>)\n"
        "hint: check the spelling, or add the index that has it to [[tool.tether.index]] or "
        "--extra-index-url\n"
    )


def test_metadata_needs_one_version(tmp_path: Path) -> None:
    result = run_tether("index", "metadata", "demo>=1", cwd=tmp_path, env=env_for(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'demo>=1' does not name one version\n")


def test_unreachable_index_hides_credentials(tmp_path: Path) -> None:
    with IndexServer() as gone:
        url = gone.index_url.replace("http://", "http://bob:hunter2@")
    result = run_tether(
        "index", "versions", "demo", "--index-url", url, cwd=tmp_path, env=env_for(tmp_path)
    )
    assert result.exit_code == 1
    assert "hunter2" not in result.stderr
    assert result.stderr.startswith(f"error: cannot reach {gone.index_url}/demo/ (2 attempts): ")


def test_offline_and_refresh_conflict(tmp_path: Path) -> None:
    result = run_tether("index", "versions", "x", "--offline", "--refresh", cwd=tmp_path)
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        2,
        "error: --offline and --refresh contradict each other",
    )


def test_two_processes_fill_one_cache(tmp_path: Path) -> None:
    """Both succeed, and every entry they leave is whole."""
    dists = [Dist(f"pkg{i}", "1.0", requires=["numpy"]) for i in range(25)]
    with IndexServer(dists) as running:
        script = textwrap.dedent(
            f"""
            import sys
            from tether.cli.main import main
            for i in range(25):
                code = main(["index", "metadata", f"pkg{{i}}==1.0", "--refresh",
                             "--index-url", {running.index_url!r}], environ={{
                    "TETHER_CACHE_DIR": {str(tmp_path / "cache")!r}}})
                if code:
                    sys.exit(code)
            """
        )
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, stderr) in zip(workers, results, strict=True):
        assert worker.returncode == 0, stderr
    entries = list((tmp_path / "cache").rglob("*.page"))
    assert len(entries) == 25
    for entry in entries:  # each one whole: written to a temporary file, then renamed
        assert entry.read_bytes().startswith(b"tether-page\x00")
        assert marshal.loads(entry.read_bytes()[15:])["page"]  # noqa: S302 - our own file
    assert list((tmp_path / "cache").rglob(".*.tmp")) == []
