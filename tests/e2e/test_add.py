"""`tether add` / `tether remove`: pyproject.toml edited in place (comments kept), the
lock and the environment follow, and a failed resolution changes nothing."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.e2e.test_sync import UNIVERSE, versions
from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

PYPROJECT = textwrap.dedent(
    """\
    # The service's manifest.
    [project]
    name = "svc"  # keep this comment
    version = "0.1.0"
    requires-python = ">=3.11"
    dependencies = [
        "util",  # utilities
    ]
    """
)


@pytest.fixture
def index() -> IndexServer:
    with IndexServer(UNIVERSE) as server:
        yield server  # type: ignore[misc]


def tether(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        *args, "--index-url", index.index_url,
        cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")},
    )  # fmt: skip


def test_add_writes_a_lower_bound_keeps_comments_locks_and_syncs(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = tether(root, index, "add", "web")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"Added web>=2.0 to {root / 'pyproject.toml'}\n")
    text = (root / "pyproject.toml").read_text()
    assert text == PYPROJECT.replace(
        '    "util",  # utilities\n', '    "util",  # utilities\n    "web>=2.0",\n'
    )
    assert (root / "pylock.toml").exists()
    assert versions(root) == {"util": "2.0", "web": "2.0"}
    done = subprocess.run(
        [str(root / ".venv" / "bin" / "web")], capture_output=True, text=True, check=True
    )
    assert done.stdout == "web 2.0\n"

    dev = tether(root, index, "add", "--dev", "testkit", "--no-sync")
    assert dev.exit_code == 0, dev.stderr
    assert '[dependency-groups]\ndev = ["testkit>=1.0"]' in (root / "pyproject.toml").read_text()

    removed = tether(root, index, "remove", "web")
    assert removed.exit_code == 0, removed.stderr
    assert "web" not in (root / "pyproject.toml").read_text().split("[dependency-groups]")[0]
    assert "web" not in versions(root)


def test_a_failed_add_changes_nothing(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    assert tether(root, index, "lock").exit_code == 0
    lock_before = (root / "pylock.toml").read_bytes()
    result = tether(root, index, "add", "web>=2", "util<2")
    assert result.exit_code == 1
    assert "version solving failed" in result.stderr
    assert (root / "pyproject.toml").read_text() == PYPROJECT
    assert (root / "pylock.toml").read_bytes() == lock_before


def test_remove_what_is_not_there(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = tether(root, index, "remove", "nope")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        2,
        "error: nope is not in the project's dependencies",
    )
    assert (root / "pyproject.toml").read_text() == PYPROJECT


def test_add_an_invalid_requirement(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    result = tether(root, index, "add", "web>>2")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid requirement 'web>>2': ")
    assert (root / "pyproject.toml").read_text() == PYPROJECT


def test_add_pins_to_a_named_index_and_remove_unpins(tmp_path: Path, index: IndexServer) -> None:
    index.add(Dist("util", "3.0"), at="/private")
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        PYPROJECT.replace('    "util",  # utilities\n', "")
        + f'\n[[tool.tether.index]]\nname = "private"\nurl = "{index.url}/private"\n'
        "explicit = true\n"
    )
    result = tether(root, index, "add", "util", "--index", "private")
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert '[tool.tether.sources]\nutil = {index = "private"}' in text
    assert '"util>=3.0"' in text  # only the private index has 3.0
    assert versions(root)["util"] == "3.0"

    unknown = tether(root, index, "add", "web", "--index", "nowhere")
    assert unknown.exit_code == 1
    assert "nowhere" in unknown.stderr
    assert (root / "pyproject.toml").read_text() == text

    removed = tether(root, index, "remove", "util")
    assert removed.exit_code == 0, removed.stderr
    assert "util" not in (root / "pyproject.toml").read_text()


def test_add_a_direct_reference(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    wheel = index.file_url("web-1.0-py3-none-any.whl")
    result = tether(root, index, "add", f"web @ {wheel}")
    assert result.exit_code == 0, result.stderr
    assert f'"web @ {wheel}"' in (root / "pyproject.toml").read_text()
    assert versions(root)["web"] == "1.0"
