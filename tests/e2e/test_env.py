"""`tether env info` / `tether env use`: the environment described, and re-created on
another interpreter while staying in sync with the lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project, versions
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def env_info(root: Path) -> RunResult:
    return run_tether(
        "env", "info", "--json", cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")}
    )


def test_env_info_follows_lock_and_sync(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    before = env_info(root)
    assert before.exit_code == 0, before.stderr
    data = json.loads(before.stdout)
    assert data["interpreter"] is None
    assert data["lock"] is None
    assert (data["lock-fresh"], data["in-sync"]) == (False, False)

    assert tether(root, index, "sync").exit_code == 0
    data = json.loads(env_info(root).stdout)
    assert data["environment"] == str(root / ".venv")
    assert data["lock-packages"] == 3
    assert (data["lock-fresh"], data["in-sync"]) == (True, True)
    assert data["cache-bytes"] > 0

    human = run_tether("env", "info", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")})
    assert "Environment in sync: yes" in human.stdout

    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"web"', '"web", "util"'))
    data = json.loads(env_info(root).stdout)
    assert (data["lock-fresh"], data["in-sync"]) == (False, False)


def test_env_use_recreates_the_environment(tmp_path: Path, index: IndexServer) -> None:
    if run_tether("python", "find", "3.12", cwd=tmp_path).exit_code != 0:
        pytest.skip("no Python 3.12 on this machine")
    root = project(tmp_path / "svc", '"web"')
    assert tether(root, index, "sync").exit_code == 0
    used = tether(root, index, "env", "use", "3.12")
    assert used.exit_code == 0, used.stderr
    assert "now uses cpython 3.12" in used.stderr
    assert list((root / ".venv" / "lib").iterdir()) == [root / ".venv" / "lib" / "python3.12"]
    assert versions(root) == {"util": "2.0", "web": "2.0", "testkit": "1.0"}
    data = json.loads(env_info(root).stdout)
    assert data["interpreter"]["version"].startswith("3.12")
    assert data["in-sync"] is True
