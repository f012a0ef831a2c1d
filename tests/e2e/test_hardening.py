"""Attacks and accidents from the hardening review (issue 18), each as a user meets it:
credentials in malformed URLs and in output, files listed without hashes, yanked
releases, trickled and refused downloads, killed runs, offline syncs, full or read-only
disks, hostile index pages and wheels, concurrent edits, names on several indexes. Each
ends in a one-paragraph error or warning (no traceback) and changes nothing it should
not."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from tests.support.cli import run_tether
from tests.support.dists import Dist, build_wheel
from tests.support.index_server import Fault, IndexServer
from tether.cache.leftovers import temporary_prefix

SECRET = "S3cretT0ken"


@pytest.fixture
def index() -> IndexServer:
    with IndexServer([Dist("web", "1.0"), Dist("web", "2.0")]) as server:
        yield server  # type: ignore[misc]


def project(root: Path, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["web"]
            """
        )
        + extra
    )
    return root


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"https//user:{SECRET}@example.invalid/simple", "it has no scheme"),
        (f"https:/user:{SECRET}@example.invalid/simple", "it has no host after https://"),
        (f"htps://user:{SECRET}@example.invalid/simple", "its scheme htps:// is not"),
        (f"user:{SECRET}@example.invalid/simple", "it has no scheme"),
        ("example.invalid/simple", "it has no scheme"),
        ("https://example.invalid:port/simple", "it cannot be read as a URL"),
    ],
)
@pytest.mark.parametrize("flag", ["--index-url", "--extra-index-url"])
def test_a_malformed_index_url_is_refused_up_front_without_its_secret(
    tmp_path: Path, url: str, problem: str, flag: str
) -> None:
    root = project(tmp_path / "svc")
    result = run_tether(
        "lock", flag, url, cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    )
    assert result.exit_code == 2, result.stderr
    assert f"error: {flag} " in result.stderr
    assert f"is not an index URL: {problem}" in result.stderr
    assert "hint: write the index's full address" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (root / "pylock.toml").exists()


def private_index(url: str) -> str:
    return f'\n[[tool.tether.index]]\nname = "private"\nurl = "{url}"\n'


def test_project_never_shows_an_index_password(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", private_index(f"http://alice:{SECRET}@example.invalid/simple"))
    shown = run_tether("project", cwd=root)
    assert shown.exit_code == 0, shown.stderr
    assert "private <http://***@example.invalid/simple>" in shown.stdout
    as_json = run_tether("project", "--json", cwd=root)
    assert as_json.exit_code == 0, as_json.stderr
    indexes = json.loads(as_json.stdout)["indexes"]
    assert indexes[0]["url"] == "http://***@example.invalid/simple"
    assert SECRET not in shown.stdout + shown.stderr + as_json.stdout + as_json.stderr


def test_a_configured_index_without_a_host_is_a_project_error(tmp_path: Path) -> None:
    root = project(tmp_path / "svc", private_index(f"https:/alice:{SECRET}@example.invalid/simple"))
    result = run_tether("lock", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 1
    assert 'index "private" has an unusable URL' in result.stderr
    assert "it has no host after https://" in result.stderr
    assert SECRET not in result.stderr


@pytest.mark.parametrize("json_api", [True, False], ids=["json", "html"])
def test_files_listed_without_a_sha256_are_hashed_at_lock_time(
    tmp_path: Path, json_api: bool
) -> None:
    dists = [Dist("web", "1.0", sdist=True), Dist("util", "1.0")]
    with IndexServer(dists, sha256=False, json=json_api) as server:
        root = project(tmp_path / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        locked = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
        assert locked.exit_code == 0, locked.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
        Pylock.from_dict(data)  # valid PEP 751: every file has a hash
        (web,) = [p for p in data["packages"] if p["name"] == "web"]
        wheel = web["wheels"][0]
        expected = server.artifact(wheel["name"]).sha256
        assert wheel["hashes"] == {"sha256": expected}
        assert web["sdist"]["hashes"]["sha256"] == server.artifact(web["sdist"]["name"]).sha256
        # The sync installs what the lock hashed, without downloading it again; a
        # re-lock does not download it again either.
        server.clear_requests()
        synced = run_tether("sync", "--index-url", server.index_url, cwd=root, env=cache)
        assert synced.exit_code == 0, synced.stderr
        relocked = run_tether(
            "lock", "--upgrade", "--index-url", server.index_url, cwd=root, env=cache
        )
        assert relocked.exit_code == 0, relocked.stderr
        assert not [r for r in server.requests if r.path.startswith("/files/")]
        assert tomllib.loads((root / "pylock.toml").read_text()) == data


YANKED = [
    Dist("web", "1.0"),
    Dist("web", "2.0", yanked="broken build"),
    Dist("web", "2.1", yanked=True),
]


def test_a_range_that_only_yanked_releases_match_says_they_are_yanked(tmp_path: Path) -> None:
    with IndexServer(YANKED) as server:
        root = project(tmp_path / "svc")
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text().replace('"web"', '"web>=2"')
        )
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        result = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
    assert result.exit_code == 1
    assert "web>=2.0,<2.1 was yanked (broken build)" in result.stderr
    assert "web>=2.1 was yanked; only an exact pin (==) selects a yanked release" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_yanked_release_pinned_with_double_equals_installs_with_a_warning(
    tmp_path: Path,
) -> None:
    with IndexServer(YANKED) as server:
        root = project(tmp_path / "svc")
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text().replace('"web"', '"web==2.0"')
        )
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        result = run_tether("sync", "--index-url", server.index_url, cwd=root, env=cache)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: web 2.0 is yanked (broken build); it is locked because it is pinned with ==: "
        "move to another release when you can" in result.stderr
    )
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    assert (site / "web-2.0.dist-info").is_dir()


def test_a_download_trickled_a_byte_at_a_time_is_given_up(tmp_path: Path) -> None:
    with IndexServer([Dist("web", "1.0")]) as server:
        root = project(tmp_path / "svc")
        cache = {
            "TETHER_CACHE_DIR": str(tmp_path / "cache"),
            "TETHER_HTTP_TIMEOUT": "1",  # the window: 1 s, so the test takes seconds
            "TETHER_HTTP_RETRIES": "0",
        }
        locked = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
        assert locked.exit_code == 0, locked.stderr
        wheel = tomllib.loads((root / "pylock.toml").read_text())["packages"][0]["wheels"][0]
        server.fault(f"/files/{wheel['name']}", Fault.trickle(0.2))  # each read within 1 s
        result = run_tether(
            "sync", "--index-url", server.index_url, cwd=root, env=cache, timeout=60
        )
    assert result.exit_code == 1, result.stderr
    assert "sent its answer too slowly" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / ".venv" / "lib").exists() or not list(
        (root / ".venv" / "lib").glob("python*/site-packages/web*")
    )
    assert not list((tmp_path / "cache").rglob(".download-*"))


def test_a_killed_download_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    with IndexServer([Dist("web", "1.0", files={"web/big.bin": "x" * 200_000})]) as server:
        root = project(tmp_path / "svc")
        cache_dir = tmp_path / "cache"
        cache = {"TETHER_CACHE_DIR": str(cache_dir)}
        assert (
            run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache).exit_code == 0
        )
        wheel = tomllib.loads((root / "pylock.toml").read_text())["packages"][0]["wheels"][0]
        server.fault(f"/files/{wheel['name']}", Fault.trickle(0.01))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
        env.update(cache, NO_COLOR="1")
        victim = subprocess.Popen(
            [sys.executable, "-m", "tether", "sync", "--index-url", server.index_url],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not list(cache_dir.rglob(".download-*")):  # the wheel is on its way
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert list(cache_dir.rglob(".download-*"))  # what kill -9 leaves
        # A half-unpacked tree of an earlier killed run, by a process that is gone.
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        staging = (
            cache_dir
            / "wheels-v1"
            / (temporary_prefix("unpack").replace(f"-{os.getpid()}-", f"-{gone.pid}-") + "x")
        )
        (staging / "pkg").mkdir(parents=True)
        server.clear_faults()
        repaired = run_tether("sync", "--index-url", server.index_url, cwd=root, env=cache)
    assert repaired.exit_code == 0, repaired.stderr
    assert not list(cache_dir.rglob(".download-*"))
    assert not staging.exists()


def test_sync_offline_with_an_empty_cache_downloads_nothing(tmp_path: Path) -> None:
    import shutil

    with IndexServer([Dist("web", "1.0")]) as server:
        root = project(tmp_path / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        locked = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
        assert locked.exit_code == 0, locked.stderr
        shutil.rmtree(tmp_path / "cache")
        server.clear_requests()
        for how in (["--offline"], []):
            env = cache if how else {**cache, "TETHER_OFFLINE": "1"}
            result = run_tether("sync", *how, "--index-url", server.index_url, cwd=root, env=env)
            assert result.exit_code == 1, result.stderr
            assert (
                "error: web-1.0-py3-none-any.whl (web 1.0) is not in the cache, and --offline "
                "(or TETHER_OFFLINE) forbids downloading it" in result.stderr
            )
            assert "Traceback" not in result.stderr
        assert server.requests == []  # not one request


def test_a_download_that_cannot_connect_is_one_paragraph(tmp_path: Path) -> None:
    with IndexServer([Dist("web", "1.0")]) as server:
        root = project(tmp_path / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_HTTP_RETRIES": "0"}
        locked = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
        assert locked.exit_code == 0, locked.stderr
        index_url = server.index_url
    # The server is gone: the lock's file URLs now refuse connections.
    result = run_tether("sync", "--frozen", "--index-url", index_url, cwd=root, env=cache)
    assert result.exit_code == 1, result.stderr
    assert "error: cannot reach http://127.0.0.1:" in result.stderr
    assert "web-1.0-py3-none-any.whl (1 attempt)" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 3, result.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mounts tmpfs file systems of a given size (and remounts them read-only on
    request); skips where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()})")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], check=False)


def read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def test_a_read_only_project_is_one_paragraph_and_nothing_changes(
    tmp_path: Path, small_disk: Callable[[str], Path]
) -> None:
    with IndexServer([Dist("web", "1.0"), Dist("util", "1.0")]) as server:
        root = project(small_disk("4m") / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        locked = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
        assert locked.exit_code == 0, locked.stderr
        (root / "pylock.toml").unlink()  # so that `lock` must write one
        before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
        read_only(root.parent)
        for args in (["lock"], ["add", "util"], ["sync"]):
            result = run_tether(*args, "--index-url", server.index_url, cwd=root, env=cache)
            assert result.exit_code == 1, (args, result.stderr)
            assert "Read-only file system" in result.stderr, result.stderr
            assert "hint: the file system is mounted read-only" in result.stderr
            assert "Traceback" not in result.stderr
        assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before


def test_a_full_disk_while_downloading_installing_or_locking(
    tmp_path: Path, small_disk: Callable[[str], Path]
) -> None:
    big = {"web/blob.bin": os.urandom(1_500_000).hex()}  # 3 MB of text, ~1.7 MB packed
    with IndexServer([Dist("web", "1.0", files=big), Dist("web", "2.0")]) as server:
        # Downloading: the cache on a 1 MB disk.
        root = project(tmp_path / "svc")
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text().replace('"web"', '"web<2"')
        )
        full_cache = {"TETHER_CACHE_DIR": str(small_disk("1m") / "cache")}
        result = run_tether("sync", "--index-url", server.index_url, cwd=root, env=full_cache)
        assert result.exit_code == 1, result.stderr
        assert "error: No space left on device" in result.stderr
        assert "hint: free some space" in result.stderr
        assert "Traceback" not in result.stderr
        assert (root / "pylock.toml").is_file()  # the lock was written before

        # Installing: the environment on a 2 MB disk, the cache elsewhere.
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        env_disk = small_disk("2m")
        environ = {**cache, "TETHER_PROJECT_ENVIRONMENT": str(env_disk / "venv")}
        result = run_tether("sync", "--index-url", server.index_url, cwd=root, env=environ)
        assert result.exit_code == 1, result.stderr
        assert "No space left on device" in result.stderr
        assert "Traceback" not in result.stderr

        # Writing the lock: the project on a disk that is full.
        disk = small_disk("64k")
        small = project(disk / "svc")
        lock_before = b"# an old lock\n"
        (small / "pylock.toml").write_bytes(lock_before)
        with (disk / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
            while True:  # fill what is left
                filler.write(b"x" * 4096)
        result = run_tether("lock", "--index-url", server.index_url, cwd=small, env=cache)
        assert result.exit_code == 1, result.stderr
        assert "No space left on device" in result.stderr
        assert "Traceback" not in result.stderr
        assert (small / "pylock.toml").read_bytes() == lock_before  # the old lock is kept


def test_a_json_page_nested_100000_levels_deep_is_an_index_error(tmp_path: Path) -> None:
    with IndexServer([Dist("web", "1.0")]) as server:
        root = project(tmp_path / "svc")
        server.fault(
            "/simple/web/",
            Fault.answer(b"[" * 100_000 + b"]" * 100_000, "application/vnd.pypi.simple.v1+json"),
        )
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_HTTP_RETRIES": "0"}
        result = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
    assert result.exit_code == 1, result.stderr
    assert "cannot read the index page" in result.stderr
    assert "invalid JSON page (nested too deeply)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_link_on_an_http_index_page_is_ignored(tmp_path: Path) -> None:
    secret = tmp_path / "web-1.0-py3-none-any.whl"  # a local file the page points at
    secret.write_bytes(b"private bytes")
    with IndexServer([Dist("web", "1.0")]) as server:
        real = server.artifact("web-1.0-py3-none-any.whl")
        page = (
            "<!DOCTYPE html><html><body>"
            f'<a href="file://{secret}#sha256={real.sha256}">web-1.0-py3-none-any.whl</a>'
            f'<a href="file:///etc/passwd">web-2.0-py3-none-any.whl</a>'
            "</body></html>"
        ).encode()
        server.fault("/simple/web/", Fault.answer(page, "text/html"))
        root = project(tmp_path / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        result = run_tether("lock", "--index-url", server.index_url, cwd=root, env=cache)
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    # Neither link is followed: web has no file tether may fetch.
    assert "svc depends on web which doesn't match any versions" in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_wheel_shipping_installer_as_a_directory_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    with IndexServer([Dist("web", "1.0")]) as server:
        original = build_wheel(Dist("web", "1.1"), "py3-none-any")
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(buffer, "w") as dst:
            for item in src.infolist():
                dst.writestr(item, src.read(item))
            dst.writestr("web-1.1.dist-info/INSTALLER/evil", "x")
        server.add_wheel("web-1.1-py3-none-any.whl", buffer.getvalue())
        root = project(tmp_path / "svc")
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        result = run_tether("sync", "--index-url", server.index_url, cwd=root, env=cache)
    assert result.exit_code == 1, result.stderr
    assert "web-1.1.dist-info/INSTALLER in the wheel is a directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_adds_at_once_keep_both_edits(tmp_path: Path) -> None:
    dists = [Dist(name, "1.0") for name in ("web", "alpha", "beta", "gamma", "delta")]
    with IndexServer(dists) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
        env.update(TETHER_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
        for attempt, pair in enumerate((("alpha", "beta"), ("gamma", "delta"))):
            root = project(tmp_path / f"svc{attempt}")
            command = [sys.executable, "-m", "tether", "add", "--no-sync"]
            both = [
                subprocess.Popen(
                    [*command, name, "--index-url", server.index_url],
                    cwd=root,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for name in pair
            ]
            outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in both]
            assert [code for code, _ in outcomes] == [0, 0], outcomes
            declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]
            assert sorted(declared["dependencies"]) == sorted(
                ["web", *(f"{name}>=1.0" for name in pair)]
            )
            locked = tomllib.loads((root / "pylock.toml").read_text())
            assert {p["name"] for p in locked["packages"]} >= {"web", *pair}


def test_a_name_on_two_indexes_is_locked_from_the_first_with_a_warning(tmp_path: Path) -> None:
    with (
        IndexServer([Dist("corp-lib", "1.0"), Dist("web", "1.0")]) as private,
        IndexServer([Dist("corp-lib", "9.9"), Dist("web", "1.0")]) as public,
    ):
        root = project(tmp_path / "svc")
        (root / "pyproject.toml").write_text(
            (root / "pyproject.toml").read_text().replace('"web"', '"corp-lib"')
        )
        cache = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
        result = run_tether(
            "lock", "--index-url", private.index_url, "--extra-index-url", public.index_url,
            cwd=root, env=cache,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        # --extra-index-url is searched first (uv's order): the public corp-lib wins,
        # and the user is told, with how to pin it.
        assert (
            f"warning: corp-lib is on more than one index: it is locked from extra-1 "
            f"<{public.index_url}>, the first in the search order, and default "
            f"<{private.index_url}> has it too" in result.stderr
        )
        assert '[tool.tether.sources] corp-lib = { index = "NAME" }' in result.stderr
        # One index: nothing to warn of.
        (root / "pylock.toml").unlink()
        alone = run_tether("lock", "--index-url", private.index_url, cwd=root, env=cache)
        assert alone.exit_code == 0, alone.stderr
        assert "more than one index" not in alone.stderr
