"""`tether sync --reinstall` killed (kill -9) at many points of its run: afterwards the
environment is either correct, or the next plain `tether sync` repairs it. Never a
silently broken one: a package whose RECORD is there but whose files are gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

# Packages with many files, so that the change (uninstall, then link) takes long
# enough to be interrupted in the middle.
BULK = [
    Dist(
        f"bulk{n}",
        "1.0",
        files={f"bulk{n}/m{i}.py": f"VALUE = {i}\n" for i in range(300)},
        entry_points={f"bulk{n}": f"bulk{n}:main"},
    )
    for n in range(4)
]
CHECK = "; ".join(f"import bulk{n}.m299" for n in range(4)) + "; print('ok')"
POINTS = 12


@pytest.fixture
def index() -> IndexServer:
    with IndexServer(BULK) as server:
        yield server  # type: ignore[misc]


def synced(tmp_path: Path, index: IndexServer, names: list[str]) -> tuple[Path, dict[str, str]]:
    """A project depending on `names`, synced; its root and cache environment."""
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{', '.join(map(repr, names))}]\n"
    )
    cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_tether("sync", "--index-url", index.index_url, cwd=root, env=cache).exit_code == 0
    return root, cache


def test_a_reinstall_killed_anywhere_is_repaired_by_the_next_sync(
    tmp_path: Path, index: IndexServer
) -> None:
    root, cache = synced(tmp_path, index, [d.name for d in BULK])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    env.update(cache, NO_COLOR="1")
    command = [sys.executable, "-m", "tether", "sync", "--reinstall", "--offline"]
    started = time.monotonic()
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    whole = time.monotonic() - started
    python = root / ".venv" / "bin" / "python"
    for point in range(1, POINTS + 1):
        victim = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(whole * point / (POINTS + 1))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        repaired = run_tether("sync", "--offline", cwd=root, env=cache)
        assert repaired.exit_code == 0, (point, repaired.stderr)
        imported = subprocess.run(
            [str(python), "-c", CHECK], capture_output=True, text=True, check=False
        )
        assert imported.stdout == "ok\n", (point, imported.stderr, repaired.stderr)
        assert (root / ".venv" / "bin" / "bulk0").is_file(), point
        checked = run_tether("check", "--verify-files", cwd=root, env=cache)
        assert checked.exit_code == 0, (point, checked.stdout, checked.stderr)


def test_check_reports_files_missing_after_an_interrupted_change(
    tmp_path: Path, index: IndexServer
) -> None:
    root, cache = synced(tmp_path, index, ["bulk0"])
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    # What a change killed half-way leaves: its mark, and files gone under a RECORD.
    (site / ".tether-changing").write_bytes(b"")
    (site / "bulk0" / "m7.py").unlink()
    checked = run_tether("check", cwd=root, env=cache)
    assert checked.exit_code == 1
    assert (
        "bulk0 1.0 has files missing or changed (bulk0/m7.py): "
        "run `tether sync --reinstall-package bulk0`" in checked.stdout
    )
    # Without the mark, a changed file is found by --verify-files (hashes).
    assert run_tether("sync", "--offline", cwd=root, env=cache).exit_code == 0
    assert not (site / ".tether-changing").exists()
    (site / "bulk0" / "m8.py").write_text("VALUE = 'tampered'\n")
    assert run_tether("check", cwd=root, env=cache).exit_code == 0
    verified = run_tether("check", "--verify-files", cwd=root, env=cache)
    assert verified.exit_code == 1
    assert "bulk0/m8.py (changed)" in verified.stdout
