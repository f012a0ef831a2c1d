"""`tether check`: unmet requirements and drift from the lock are listed, exit 1; a
synced environment passes, exit 0."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def check(root: Path, *args: str) -> RunResult:
    """No index options: check never touches the network."""
    return run_tether("check", *args, cwd=root)


def _dist_info(root: Path, name: str) -> Path:
    (found,) = (root / ".venv" / "lib").glob(f"python3.*/site-packages/{name}-*.dist-info")
    return found


def test_check_passes_after_sync_and_lists_drift(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    assert tether(root, index, "sync").exit_code == 0

    good = check(root)
    assert good.exit_code == 0, good.stdout + good.stderr
    assert good.stdout == ""
    assert "Checked 3 packages" in good.stderr
    assert "the lock are satisfied" in good.stderr

    util = _dist_info(root, "util")
    metadata = util / "METADATA"
    text = metadata.read_text()
    metadata.unlink()  # a hard link into the cache: replace it, do not edit it
    metadata.write_text(text.replace("Version: 2.0", "Version: 1.0"))
    stray = util.parent / "stray-0.1.dist-info"
    stray.mkdir()
    (stray / "METADATA").write_text("Metadata-Version: 2.1\nName: stray\nVersion: 0.1\n")
    drifted = check(root)
    assert drifted.exit_code == 1
    assert drifted.stdout.splitlines() == [
        "stray 0.1 is half-installed (no RECORD): run `tether sync --reinstall-package stray`",
        "web 2.0 requires util>=2, but util 1.0 is installed",
        "util is 1.0 here but 2.0 in the lock",
        "stray 0.1 is installed but not in the lock",
    ]
    assert "4 problems" in drifted.stderr

    shutil.rmtree(util)
    missing = check(root, "--no-lock")
    assert missing.exit_code == 1
    assert "web 2.0 requires util>=2, not installed" in missing.stdout
    assert "in the lock" not in missing.stdout

    assert tether(root, index, "sync").exit_code == 0
    assert check(root).exit_code == 0


def test_check_without_an_environment_says_what_to_do(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    result = check(root)
    assert result.exit_code == 1
    assert "there is no environment at" in result.stderr
    assert "tether sync" in result.stderr
    other = check(root, "--environment", str(tmp_path / "nowhere"))
    assert other.exit_code == 1
    assert "check the path" in other.stderr
