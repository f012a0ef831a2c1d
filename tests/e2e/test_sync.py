"""`tether sync` against the test index: the environment holds exactly the lock's
selection, and a bad download changes nothing."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import Fault, IndexServer

UNIVERSE = [
    Dist("web", "1.0", requires=["util>=1"], entry_points={"web": "web:main"}),
    Dist("web", "2.0", requires=["util>=2"], entry_points={"web": "web:main"}),
    Dist("util", "1.0"),
    Dist("util", "2.0"),
    Dist("winonly", "1.0"),
    Dist("testkit", "1.0"),
    Dist("srconly", "1.0", wheel=False, sdist=True),
]


@pytest.fixture
def index() -> IndexServer:
    with IndexServer(UNIVERSE) as server:
        yield server  # type: ignore[misc]


def project(root: Path, dependencies: str, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = [{dependencies}]

            [dependency-groups]
            dev = ["testkit"]
            {extra}
            """
        )
    )
    return root


def sync(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        "sync", "--index-url", index.index_url, *args,
        cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")},
    )  # fmt: skip


def python(root: Path, code: str) -> str:
    done = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def versions(root: Path) -> dict[str, str]:
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    found = {}
    for info in site.glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        found[name] = version
    return found


def test_sync_install_upgrade_downgrade_remove(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web>=2", "winonly; sys_platform == \'win32\'"')
    result = sync(root, index)
    assert result.exit_code == 0, result.stderr
    assert versions(root) == {"web": "2.0", "util": "2.0", "testkit": "1.0"}
    assert python(root, "import web, util; print(web.__version__, util.__version__)") == "2.0 2.0"
    ran = subprocess.run(
        [str(root / ".venv" / "bin" / "web")], capture_output=True, text=True, check=True
    )
    assert ran.stdout == "web 2.0\n"
    again = sync(root, index)
    assert again.stderr.endswith("is in sync (3 packages)\n")

    project(root, '"web<2"')
    downgraded = sync(root, index)
    assert downgraded.exit_code == 0, downgraded.stderr
    assert " ~ web 2.0 -> 1.0" in downgraded.stderr
    assert versions(root)["web"] == "1.0"

    project(root, '"util"')
    removed = sync(root, index, "--no-dev")
    assert removed.exit_code == 0, removed.stderr
    assert versions(root) == {"util": "2.0"}
    assert not (root / ".venv" / "bin" / "web").exists()


def test_a_wrong_hash_changes_nothing(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"util==1.0"')
    assert sync(root, index).exit_code == 0
    project(root, '"util==2.0"')
    index.fault("/files/util-2.0-py3-none-any.whl", Fault.corrupt())
    result = sync(root, index)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: hash mismatch for util-2.0-py3-none-any.whl: the lock says sha256 "
    )
    assert versions(root)["util"] == "1.0"  # untouched
    assert python(root, "import util; print(util.__version__)") == "1.0"


def test_sdist_only_packages_are_built_once(tmp_path: Path, index: IndexServer) -> None:
    """srconly publishes only an sdist (with its own stdlib PEP 517 backend): sync builds
    a wheel in an isolated environment, caches it by the sdist's hash, installs it."""
    root = project(tmp_path / "svc", '"srconly"')
    result = sync(root, index, "--no-dev")
    assert result.exit_code == 0, result.stderr
    assert python(root, "import srconly; print(srconly.__version__)") == "1.0"
    built = list((tmp_path / "cache" / "built-v1").rglob("*.whl"))
    assert [w.name for w in built] == ["srconly-1.0-py3-none-any.whl"]
    other = project(tmp_path / "other", '"srconly"')
    assert sync(other, index, "--no-dev").exit_code == 0
    assert python(other, "import srconly; print(srconly.__version__)") == "1.0"
    assert list((tmp_path / "cache" / "built-v1").rglob("*.whl")) == built  # not rebuilt


def test_frozen_needs_a_lock(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"util"')
    result = sync(root, index, "--frozen")
    assert result.exit_code == 1
    assert "--frozen uses the lock as it is" in result.stderr


def test_two_syncs_at_once_and_a_killed_sync_is_repaired(
    tmp_path: Path, index: IndexServer
) -> None:
    import os
    import signal
    import sys
    import time

    root = project(tmp_path / "svc", '"web>=2"')
    assert sync(root, index, "--no-dev").exit_code == 0  # lock and environment exist
    project(root, '"web<2"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    env.update(TETHER_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    command = [sys.executable, "-m", "tether", "sync", "--no-dev", "--index-url", index.index_url]
    both = [
        subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in both]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert versions(root) == {"web": "1.0", "util": "2.0"}

    # kill -9 in the middle of a sync (slow downloads keep it busy), then sync again.
    project(root, '"web>=2"')
    index.fault("/files/web-2.0-py3-none-any.whl", Fault.stall(5))
    victim = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(1.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    index.clear_faults()
    repaired = sync(root, index, "--no-dev")
    assert repaired.exit_code == 0, repaired.stderr
    assert versions(root) == {"web": "2.0", "util": "2.0"}
    assert python(root, "import web; print(web.__version__)") == "2.0"


def test_ctrl_c_mid_install_changes_nothing_and_says_so(tmp_path: Path, index: IndexServer) -> None:
    import os
    import signal
    import sys
    import time

    root = project(tmp_path / "svc", '"web<2"')
    assert sync(root, index, "--no-dev").exit_code == 0
    project(root, '"web>=2"')
    cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    assert run_tether("lock", "--index-url", index.index_url, cwd=root, env=cache).exit_code == 0
    lock_before = (root / "pylock.toml").read_bytes()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    env.update(TETHER_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    index.fault("/files/web-2.0-py3-none-any.whl", Fault.stall(30))
    # A terminal's Ctrl-C: SIGINT with Python's own handler, even when this test runs
    # where SIGINT is ignored (a background job), which a child would inherit.
    interruptible = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv[0] = 'tether'; runpy.run_module('tether', run_name='__main__')"
    )
    victim = subprocess.Popen(
        [sys.executable, "-c", interruptible, "sync", "--no-dev", "--index-url", index.index_url],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not list((tmp_path / "cache").rglob(".download-*")):  # the wheel is on its way
        assert time.monotonic() < deadline, "the sync never started the download"
        time.sleep(0.02)
    victim.send_signal(signal.SIGINT)  # Ctrl-C while the wheel downloads
    # It leaves at once: not after the stalled download (30 s) gives up.
    _, stderr = victim.communicate(timeout=10)
    index.clear_faults()
    assert victim.returncode == 130, stderr
    assert stderr.endswith("interrupted\n")
    assert "Traceback" not in stderr
    # Nothing changed: the lock, the environment (still the old web); the download left
    # at most a temporary file, never a half archive under its real name.
    assert (root / "pylock.toml").read_bytes() == lock_before
    assert python(root, "import web; print(web.__version__)") == "1.0"
    assert not list((tmp_path / "cache").rglob("web-2.0-py3-none-any.whl"))
    repaired = sync(root, index, "--no-dev")
    assert repaired.exit_code == 0, repaired.stderr
    assert python(root, "import web; print(web.__version__)") == "2.0"


def test_the_project_is_installed_editable(tmp_path: Path, index: IndexServer) -> None:
    """Built through its PEP 517 backend (here the stdlib test backend, so no network),
    installed editable (PEP 660): edits show without another sync."""
    import json

    from tests.support.dists import BACKEND_SOURCE

    root = tmp_path / "mypkg"
    (root / "src" / "mypkg").mkdir(parents=True)
    (root / "src" / "mypkg" / "__init__.py").write_text("VALUE = 1\n")
    (root / "tether_test_backend.py").write_text(BACKEND_SOURCE)
    (root / "PKG-INFO").write_text("Metadata-Version: 2.3\nName: mypkg\nVersion: 0.1.0\n\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
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
    )
    result = sync(root, index)
    assert result.exit_code == 0, result.stderr
    assert python(root, "import mypkg, util; print(mypkg.VALUE)") == "1"
    (root / "src" / "mypkg" / "__init__.py").write_text("VALUE = 2\n")
    assert python(root, "import mypkg; print(mypkg.VALUE)") == "2"  # live, no re-sync
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    direct = json.loads(
        next(site.glob("mypkg-*.dist-info")).joinpath("direct_url.json").read_text()
    )
    assert direct == {"dir_info": {"editable": True}, "url": root.as_uri()}
    again = sync(root, index)
    assert again.stderr.endswith("is in sync (1 packages)\n")


def test_extras_compile_bytecode_and_a_foreign_virtualenv(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(
        tmp_path / "svc",
        '"util"',
        extra='\n[project.optional-dependencies]\nweb = ["web"]\n',
    )
    plain = sync(root, index, "--no-dev")
    assert plain.exit_code == 0, plain.stderr
    assert set(versions(root)) == {"util"}
    with_extra = run_tether(
        "sync", "--no-dev", "--extra", "web", "--compile-bytecode", "--index-url", index.index_url,
        cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache"), "VIRTUAL_ENV": "/elsewhere"},
    )  # fmt: skip
    assert with_extra.exit_code == 0, with_extra.stderr
    assert set(versions(root)) == {"util", "web"}
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    assert list((site / "web" / "__pycache__").glob("*.pyc"))
    assert "warning: ignoring VIRTUAL_ENV=/elsewhere: it is not the project's environment" in (
        with_extra.stderr
    )


def test_uv_installs_from_tethers_lock(tmp_path: Path, index: IndexServer) -> None:
    """Interop: uv (installed with the test tools) accepts tether's pylock.toml and
    installs the same versions tether does."""
    import shutil
    import sys

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed beside the test interpreter")
    root = project(tmp_path / "svc", '"web>=2"')
    assert sync(root, index).exit_code == 0
    target = tmp_path / "uv-env"
    python = str(target / "bin" / "python")
    env = {
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(target)], check=True, env=env)
    done = subprocess.run(
        [uv, "pip", "install", "--python", python, "-r", str(root / "pylock.toml")],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [uv, "pip", "list", "--python", python, "--format", "freeze"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    assert sorted(listed.split()) == sorted(f"{n}=={v}" for n, v in versions(root).items())


def test_a_noop_sync_still_notices_a_changed_environment(
    tmp_path: Path, index: IndexServer
) -> None:
    """The no-op fast path compares the environment's dist-info listing with the last
    sync's: a package removed behind tether's back is put back."""
    import shutil

    root = project(tmp_path / "svc", '"web"')
    assert sync(root, index).exit_code == 0
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tether", "sync"],
        cwd=root, env={**_plain_env(), **env}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert timed.stderr.endswith("is in sync (3 packages)\n")
    assert "tether.cli.main" not in timed.stderr  # the fast path: no argument parser
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    shutil.rmtree(next(site.glob("util-*.dist-info")))
    repaired = run_tether("sync", cwd=root, env=env)
    assert repaired.exit_code == 0, repaired.stderr
    assert " + util==2.0" in repaired.stderr
    assert python(root, "import util; print(util.__version__)") == "2.0"
    assert run_tether("sync", cwd=root, env=env).stderr.endswith("is in sync (3 packages)\n")
    # A re-created environment is selected from the cached memo, without the lock parse.
    shutil.rmtree(root / ".venv")
    again = sync(root, index)
    assert again.exit_code == 0, again.stderr
    assert versions(root) == {"web": "2.0", "util": "2.0", "testkit": "1.0"}
    assert list((tmp_path / "cache" / "selections-v1").glob("*.json"))


def _plain_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}


def test_a_cache_on_another_filesystem_is_copied_from_and_said_so(
    tmp_path: Path, index: IndexServer
) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a second filesystem (/dev/shm as tmpfs)")
    root = project(tmp_path / "svc", '"web"')
    with tempfile.TemporaryDirectory(dir=shm) as cache:
        result = run_tether(
            "sync", "--index-url", index.index_url, cwd=root, env={"TETHER_CACHE_DIR": cache}
        )
        assert result.exit_code == 0, result.stderr
        assert "are on different filesystems, so files were copied" in result.stderr
        assert python(root, "import web, util; print(web.__version__)") == "2.0"
        module = next((root / ".venv" / "lib").glob("python*/site-packages/web/__init__.py"))
        assert module.stat().st_nlink == 1  # a copy, not a link into the cache
