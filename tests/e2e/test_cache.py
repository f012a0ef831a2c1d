"""`tether cache`: dir, size, clean by package, clean everything, prune."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def cache(root: Path, *args: str) -> RunResult:
    return run_tether(
        "cache", *args, cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")}
    )


def files(directory: Path) -> set[str]:
    """Names of the files, and of unpacked wheels' metadata directories."""
    return {p.name for p in directory.rglob("*") if p.is_file() or p.name.endswith(".dist-info")}


def test_cache_clean_by_package_and_everything(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    assert tether(root, index, "sync").exit_code == 0
    store = tmp_path / "cache"
    assert cache(root, "dir").stdout == f"{store}\n"
    assert cache(root, "size").stdout.endswith(" files\n")
    before = files(store)
    assert {"util.page", "util-2.0.dist-info", "web-2.0.dist-info"} <= before

    cleaned = cache(root, "clean", "UTIL")
    assert cleaned.exit_code == 0, cleaned.stderr
    assert "Removed UTIL:" in cleaned.stderr
    after = files(store)
    assert not {name for name in after if name.startswith("util")}
    assert {"web.page", "web-2.0.dist-info"} <= after
    assert "Nothing to remove" in cache(root, "clean", "util").stderr

    (root / ".venv").rename(root / "old-venv")
    assert tether(root, index, "sync").exit_code == 0  # fetched again
    assert "util-2.0.dist-info" in files(store)

    everything = cache(root, "clean")
    assert everything.exit_code == 0
    assert files(store) <= {".tether-cache.lock"}  # the lock other processes wait on stays


def test_cache_prune_removes_old_buckets_and_stale_temporaries(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    store = tmp_path / "cache"
    (store / "simple-v0").mkdir(parents=True)
    (store / "simple-v0" / "old.json").write_text("{}")
    (store / "simple-v4" / "x").mkdir(parents=True)
    kept = store / "simple-v4" / "x" / "web.page"
    kept.write_text("{}")
    stale = store / "simple-v4" / "x" / ".web.page.tmp123"
    stale.write_text("")
    os.utime(stale, (0, 0))
    fresh = store / "simple-v4" / "x" / ".util.page.tmp456"
    fresh.write_text("")
    tree = store / "wheels-v1" / "ab12"  # an unpacked wheel: its layout is no temporary
    tree.mkdir(parents=True)
    layout = tree / ".tether-layout"
    layout.write_bytes(b"tether-layout")
    os.utime(layout, (0, 0))
    interrupted = store / "archives-v1" / "cd34" / ".download-x1y2"  # a download cut short
    interrupted.parent.mkdir(parents=True)
    interrupted.write_bytes(b"half")
    os.utime(interrupted, (0, 0))

    pruned = cache(root, "prune")
    assert pruned.exit_code == 0, pruned.stderr
    assert "3 entries" in pruned.stderr
    assert not (store / "simple-v0").exists()
    assert not stale.exists()
    assert not interrupted.exists()
    assert layout.exists()
    assert kept.exists()
    assert fresh.exists()  # a writer may be in flight


def test_clean_waits_for_running_tether_processes(tmp_path: Path, index: IndexServer) -> None:
    """A process that uses the cache holds it shared; `cache clean` takes it exclusively,
    so it never deletes files from under a running sync."""
    import subprocess
    import sys

    root = project(tmp_path / "svc", '"util"')
    assert tether(root, index, "sync").exit_code == 0
    store = tmp_path / "cache"
    before = files(store)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import os, time; from tether.commands.services import open_cache; "
         "open_cache(os.environ); print('held', flush=True); time.sleep(60)"],
        env={**os.environ, "TETHER_CACHE_DIR": str(store)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        busy = run_tether(
            "cache", "clean", cwd=root,
            env={"TETHER_CACHE_DIR": str(store), "TETHER_CACHE_LOCK_TIMEOUT": "0.5"},
        )  # fmt: skip
        assert busy.exit_code == 1
        assert "Waiting for other tether processes to release the cache" in busy.stderr
        assert "is in use by another tether process" in busy.stderr
        assert files(store) == before  # nothing removed
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    done = cache(root, "clean")
    assert done.exit_code == 0, done.stderr
    assert files(store) <= {".tether-cache.lock"}
