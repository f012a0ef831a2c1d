"""What uv, Poetry and pip-tools users meet in their first hour (issue 19): `run` keeps
what `sync` added, `--only-group` is only the group, the project is rebuilt when its
metadata changes, and more."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.test_sync import UNIVERSE, project
from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer


def tether(root: Path, index: IndexServer, *args: str) -> RunResult:
    env = {"TETHER_CACHE_DIR": str(root.parent / "cache"), "TETHER_INDEX_URL": index.index_url}
    return run_tether(*args, cwd=root, env=env)


def installed(root: Path) -> set[str]:
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


def test_run_keeps_the_groups_a_sync_added_and_can_add_its_own(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", '"util==1.0"')
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text() + 'test = ["web==1.0"]\n'
    )
    with IndexServer(UNIVERSE) as index:
        assert tether(root, index, "sync", "--group", "test").exit_code == 0
        assert {"util", "web", "testkit"} <= installed(root)
        ran = tether(root, index, "run", "web")  # web's console script, from the group
        assert ran.exit_code == 0, ran.stderr
        assert "web" in installed(root)
        # A changed pyproject re-syncs before the run: still with the group.
        project(root, '"util==2.0"')
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text() + 'test = ["web==2.0"]\n'
        )
        changed = tether(root, index, "run", "python", "-c", "import util, web; print(1)")
        assert changed.exit_code == 0, changed.stderr
        assert {"util", "web", "testkit"} <= installed(root)
        # A plain sync is exact again: the group goes.
        assert tether(root, index, "sync").exit_code == 0
        assert "web" not in installed(root)
        # The command is locked but not installed; the PATH has another one: refused.
        fake = tmp_path / "bin"
        fake.mkdir()
        (fake / "web").write_text("#!/bin/sh\necho impostor\n")
        (fake / "web").chmod(0o755)
        env = {
            "TETHER_CACHE_DIR": str(tmp_path / "cache"),
            "TETHER_INDEX_URL": index.index_url,
            "PATH": os.pathsep.join([str(fake), os.environ["PATH"]]),
        }
        refused = run_tether("run", "web", cwd=root, env=env)
        assert refused.exit_code == 2
        assert "web is locked but not installed in the project's environment" in refused.stderr
        assert "impostor" not in refused.stdout
        # `run --group` installs it for the command (and keeps it).
        grouped = run_tether("run", "--group", "test", "web", cwd=root, env=env)
        assert grouped.exit_code == 0, grouped.stderr
        assert "impostor" not in grouped.stdout
        assert "web" in installed(root)
        # A system command is still found on PATH.
        assert run_tether("run", "true", cwd=root, env=env).exit_code == 0


def test_only_group_installs_the_group_and_nothing_of_the_project(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", '"util==1.0"')
    with IndexServer(UNIVERSE) as index:
        synced = tether(root, index, "sync", "--only-group", "dev")
        assert synced.exit_code == 0, synced.stderr
        assert installed(root) == {"testkit"}
        # `run` needs the project: it syncs it back in.
        ran = tether(root, index, "run", "python", "-c", "import util, testkit")
        assert ran.exit_code == 0, ran.stderr
        assert {"util", "testkit"} <= installed(root)


def test_a_script_added_to_the_project_is_installed_by_the_next_run(tmp_path: Path) -> None:
    import textwrap

    from tests.support.dists import BACKEND_SOURCE

    root = tmp_path / "mypkg"
    (root / "src" / "mypkg").mkdir(parents=True)
    (root / "src" / "mypkg" / "__init__.py").write_text("def main():\n    print('hello')\n")
    (root / "tether_test_backend.py").write_text(BACKEND_SOURCE)
    (root / "PKG-INFO").write_text("Metadata-Version: 2.3\nName: mypkg\nVersion: 0.1.0\n\n")
    pyproject = textwrap.dedent(
        """\
        [project]
        name = "mypkg"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = ["util"]

        [build-system]
        requires = []
        build-backend = "tether_test_backend"
        backend-path = ["."]
        """
    )
    (root / "pyproject.toml").write_text(pyproject)
    with IndexServer(UNIVERSE) as index:
        assert tether(root, index, "sync").exit_code == 0
        assert not (root / ".venv" / "bin" / "hello").exists()
        # The backend reads entry_points.txt; [project.scripts] is what a user edits.
        (root / "entry_points.txt").write_text("[console_scripts]\nhello = mypkg:main\n")
        (root / "pyproject.toml").write_text(
            pyproject + '\n[project.scripts]\nhello = "mypkg:main"\n'
        )
        ran = tether(root, index, "run", "hello")
        assert (ran.exit_code, ran.stdout) == (0, "hello\n"), ran.stderr
        # Another tool's table changes nothing that was built: no rebuild.
        dist_info = next((root / ".venv" / "lib").glob("python*/site-packages/mypkg-*.dist-info"))
        stamp = (dist_info / "tether-built-from").stat().st_mtime_ns
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text() + "\n[tool.ruff]\nline-length = 99\n"
        )
        assert tether(root, index, "run", "hello").stdout == "hello\n"
        assert (dist_info / "tether-built-from").stat().st_mtime_ns == stamp
        # A script removed again goes with the next sync, even one asked to reinstall.
        (root / "entry_points.txt").write_text("[console_scripts]\nhi = mypkg:main\n")
        (root / "pyproject.toml").write_text(pyproject + '\n[project.scripts]\nhi = "mypkg:main"\n')
        assert tether(root, index, "sync", "--reinstall").exit_code == 0
        assert (root / ".venv" / "bin" / "hi").exists()
        assert not (root / ".venv" / "bin" / "hello").exists()


def test_a_cool_down_and_per_package_cut_offs(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.support.dists import Dist

    now = datetime.now(UTC)
    universe = [
        Dist("util", "1.0", upload_time=now - timedelta(days=30)),
        Dist("util", "2.0", upload_time=now - timedelta(days=1)),
        Dist("web", "1.0", upload_time=now - timedelta(days=30)),
        Dist("web", "2.0", upload_time=now - timedelta(days=2)),
        Dist("testkit", "1.0", upload_time=now - timedelta(days=30)),
    ]
    root = project(tmp_path / "svc", '"util", "web"', '[tool.tether]\nexclude-newer = "7 days"\n')
    with IndexServer(universe) as index:
        assert tether(root, index, "lock").exit_code == 0
        lock = (root / "pylock.toml").read_text()
        assert 'exclude-newer = "P7D"' in lock
        assert 'name = "util"\nversion = "1.0"' in lock
        assert 'name = "web"\nversion = "1.0"' in lock
        # The lock stays fresh: the span is its input, not the moment it gave.
        assert tether(root, index, "lock", "--check").exit_code == 0
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text()
            + '\n[tool.tether.exclude-newer-package]\nutil = false\nweb = "P1D"\n'
        )
        assert tether(root, index, "lock", "--check").exit_code == 1
        relocked = tether(root, index, "lock", "--upgrade")
        assert relocked.exit_code == 0, relocked.stderr
        lock = (root / "pylock.toml").read_text()
        assert 'name = "util"\nversion = "2.0"' in lock
        assert 'name = "web"\nversion = "2.0"' in lock


def test_a_foreign_lock_without_the_projects_groups_installs_with_a_warning(
    tmp_path: Path,
) -> None:
    import re

    root = project(tmp_path / "svc", '"util==1.0"')
    with IndexServer(UNIVERSE) as index:
        assert tether(root, index, "lock").exit_code == 0
        lock = root / "pylock.toml"
        text = lock.read_text()
        # As `uv export --format pylock.toml --no-dev` writes it: no dev group at all.
        text = text.replace('dependency-groups = ["dev"]', "dependency-groups = []")
        text = text.replace('default-groups = ["dev"]', "default-groups = []")
        text = text.replace('created-by = "tether"', 'created-by = "uv"')
        text = re.sub(r'\[\[packages\]\]\nname = "testkit"\n(?:.+\n)+?\n', "", text)
        lock.write_text(text)
        synced = tether(root, index, "sync", "--frozen")
        assert synced.exit_code == 0, synced.stderr
        assert "pylock.toml declares no dependency group 'dev'" in synced.stderr
        assert installed(root) == {"util"}
        asked = tether(root, index, "sync", "--frozen", "--group", "dev")
        assert asked.exit_code == 1
        assert "re-lock with `tether lock`" in asked.stderr


def test_hints_fit_the_request(tmp_path: Path) -> None:
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    missing = run_tether("python", "find", ">=3.14", cwd=tmp_path, env=env)
    if missing.exit_code == 0:
        return  # this machine has a 3.14: nothing to hint
    assert "pyenv install 3.14" in missing.stderr
    assert "pyenv install 3.12" not in missing.stderr
    old = run_tether("python", "find", "<3.0", cwd=tmp_path, env=env)
    assert old.exit_code == 1
    assert "pyenv install 3.X" in old.stderr


def test_offline_is_suggested_only_where_the_cache_can_stand_in() -> None:
    import pytest

    from tether.errors import IndexFetchError
    from tether.index.http import HttpClient, HttpSettings

    for offline_hint in (True, False):
        client = HttpClient(HttpSettings(retries=0, offline_hint=offline_hint))
        with pytest.raises(IndexFetchError) as raised:
            client.get("http://127.0.0.1:9/simple/")
        assert ("--offline" in (raised.value.hint or "")) is offline_hint


def test_the_cache_keeps_a_wheel_once(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", '"web==1.0"')
    cache = tmp_path / "cache"
    with IndexServer(UNIVERSE) as index:
        assert tether(root, index, "sync").exit_code == 0
        assert not list((cache / "archives-v1").rglob("*.whl"))  # only the unpacked trees
        trees = sorted(p.name for p in (cache / "wheels-v1").iterdir() if p.is_dir())
        assert len(trees) == 3  # web, util, testkit
        # A fresh environment from the trees alone, with no network at all.
        other = project(tmp_path / "other", '"web==1.0"')
        (other / "pylock.toml").write_text((root / "pylock.toml").read_text())
        offline = run_tether(
            "sync", "--frozen", "--offline", cwd=other, env={"TETHER_CACHE_DIR": str(cache)}
        )
        assert offline.exit_code == 0, offline.stderr
        assert installed(other) == {"web", "util", "testkit"}
        # Asked to keep them, tether keeps the wheels too; `cache prune` drops them again.
        kept = project(tmp_path / "kept", '"web==2.0"')
        env = {
            "TETHER_CACHE_DIR": str(cache),
            "TETHER_INDEX_URL": index.index_url,
            "TETHER_CACHE_KEEP_WHEELS": "1",
        }
        assert run_tether("sync", cwd=kept, env=env).exit_code == 0
        assert [p.name for p in (cache / "archives-v1").rglob("*.whl")] == [
            "web-2.0-py3-none-any.whl"
        ]
        before = run_tether("cache", "size", cwd=kept, env={"TETHER_CACHE_DIR": str(cache)})
        pruned = run_tether("cache", "prune", cwd=kept, env={"TETHER_CACHE_DIR": str(cache)})
        assert pruned.exit_code == 0, pruned.stderr
        assert not list((cache / "archives-v1").rglob("*.whl"))
        after = run_tether("cache", "size", cwd=kept, env={"TETHER_CACHE_DIR": str(cache)})
        assert before.stdout != after.stdout


def test_progress_bars_on_a_terminal_only(tmp_path: Path) -> None:
    import pty
    import subprocess
    import sys

    from tests.support.dists import Dist

    big = Dist("big", "1.0", files={"big/blob.txt": os.urandom(6_000_000).hex()})
    root = project(tmp_path / "svc", '"big"')
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace('dev = ["testkit"]', "dev = []")
    )
    with IndexServer([big]) as index:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
        env.update(
            TETHER_CACHE_DIR=str(tmp_path / "cache"),
            TETHER_INDEX_URL=index.index_url,
            COLUMNS="120",
            TERM="xterm",
        )
        env.pop("NO_COLOR", None)
        leader, follower = pty.openpty()
        sync = subprocess.Popen(
            [sys.executable, "-m", "tether", "sync"], cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        assert sync.wait(timeout=60) == 0, seen.decode(errors="replace")
        os.close(leader)
        drawn = seen.decode(errors="replace")
        assert "Downloading 1 file" in drawn
        assert "MB" in drawn  # bytes, with their unit
        assert "big-1.0-py3-none-any.whl" in drawn  # a big file has a bar of its own
        # Not a terminal: no bars, and rich is never imported.
        (root / ".venv").rename(root / "old")
        import shutil

        shutil.rmtree(tmp_path / "cache")
        plain = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "tether", "sync"], cwd=root, env=env,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert plain.returncode == 0, plain.stderr
        assert "Downloading" not in plain.stderr
        assert "| rich" not in plain.stderr


def test_run_after_a_synced_group_was_removed_from_the_project(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", '"util==1.0"')
    original = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(original + 'test = ["web==1.0"]\n')
    with IndexServer(UNIVERSE) as index:
        assert tether(root, index, "sync", "--group", "test").exit_code == 0
        (root / "pyproject.toml").write_text(original)  # the group is gone
        ran = tether(root, index, "run", "python", "-c", "import util")
        assert ran.exit_code == 0, ran.stderr
