"""`tether lock` against the test index: what lands in pylock.toml, and every way it can
refuse."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.pylock import Pylock

from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

UNIVERSE = [
    Dist("app-lib", "1.0", requires=["helper>=1"]),
    Dist("app-lib", "2.0", requires=["helper>=2", "winonly; sys_platform == 'win32'"]),
    Dist("helper", "1.0"),
    Dist("helper", "2.0", sdist=True),
    Dist("helper", "2.1", yanked="broken"),
    Dist("winonly", "1.0"),
    Dist("gpu-kernels", "0.5", extras={"cuda": ["cuda-runtime>=12"]}),
    Dist("cuda-runtime", "12.1"),
    Dist("cuda-runtime", "13.0rc1"),
    Dist("testkit", "3.0"),
    Dist("modern", "1.0", requires_python=">=3.8"),
    Dist("modern", "2.0", requires_python=">=3.13"),
    Dist("dated", "1.0", upload_time=datetime(2024, 1, 1, tzinfo=UTC)),
    Dist("dated", "2.0", upload_time=datetime(2025, 1, 1, tzinfo=UTC)),
    Dist("onlypre", "1.0b1"),
    Dist("mac-bridge", "1.0", requires=["mac-framework; platform_release >= '20.0'"]),
    Dist("mac-framework", "1.0"),
]


@pytest.fixture(scope="module")
def index() -> IndexServer:
    with IndexServer(UNIVERSE) as server:
        yield server  # type: ignore[misc]


def project(tmp_path: Path, body: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def lock(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        "lock", "--index-url", index.index_url, *args,
        cwd=root, env={"TETHER_CACHE_DIR": str(root / ".cache")},
    )  # fmt: skip


def packages(root: Path) -> dict[str, dict[str, Any]]:
    data = tomllib.loads((root / "pylock.toml").read_text())
    return {p["name"]: p for p in data["packages"]}


BASIC = """\
[project]
name = "svc"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["app-lib", "gpu-kernels[cuda]", "modern", "onlypre"]

[project.optional-dependencies]
dated = ["dated"]

[dependency-groups]
dev = ["testkit"]
"""


def test_lock_writes_a_valid_universal_pylock(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Resolved 10 packages in ")
    locked = packages(root)
    versions = {name: p["version"] for name, p in locked.items() if name != "modern"}
    assert versions == {
        "app-lib": "2.0",
        "helper": "2.0",  # 2.1 is yanked
        "winonly": "1.0",
        "gpu-kernels": "0.5",
        "cuda-runtime": "12.1",  # no pre-release: a stable one exists and none was asked for
        "onlypre": "1.0b1",  # only pre-releases exist: allowed when necessary
        "testkit": "3.0",
        "dated": "2.0",
    }
    # modern 2.0 requires Python >=3.13 and the project supports >=3.11: a fork by Python
    # version gives each range the newest release it can use (as uv does).
    data = tomllib.loads((root / "pylock.toml").read_text())
    assert sorted(
        (p["version"], p["marker"]) for p in data["packages"] if p["name"] == "modern"
    ) == [
        ("1.0", 'python_full_version < "3.13"'),
        ("2.0", 'python_full_version >= "3.13"'),
    ]
    assert data["tool"]["tether"]["forks"] == [
        'python_full_version < "3.13"',
        'python_full_version >= "3.13"',
    ]
    assert locked["winonly"]["marker"] == 'sys_platform == "win32"'
    assert locked["testkit"]["marker"] == '"dev" in dependency_groups'
    assert locked["dated"]["marker"] == '"dated" in extras'
    assert "marker" not in locked["helper"]
    assert locked["app-lib"]["dependencies"] == [{"name": "helper"}, {"name": "winonly"}]
    assert locked["gpu-kernels"]["dependencies"] == [{"name": "cuda-runtime"}]
    helper_wheel = locked["helper"]["wheels"][0]
    assert helper_wheel["hashes"]["sha256"] == index.artifact("helper-2.0-py3-none-any.whl").sha256
    assert helper_wheel["url"] == index.file_url("helper-2.0-py3-none-any.whl")
    assert locked["helper"]["sdist"]["name"] == "helper-2.0.tar.gz"
    assert locked["helper"]["index"] == index.index_url

    data = tomllib.loads((root / "pylock.toml").read_text())
    assert data["lock-version"] == "1.0"
    assert data["created-by"] == "tether"
    assert data["requires-python"] == ">=3.11"
    assert (data["extras"], data["dependency-groups"], data["default-groups"]) == (
        ["dated"],
        ["dev"],
        ["dev"],
    )
    pylock = Pylock.from_dict(data)
    linux = {**default_environment(), "sys_platform": "linux", "python_version": "3.12",
             "python_full_version": "3.12.1"}  # fmt: skip
    chosen = {p.name for p, _ in pylock.select(environment=linux, dependency_groups=[])}  # type: ignore[arg-type]
    assert chosen == {"app-lib", "helper", "gpu-kernels", "cuda-runtime", "modern", "onlypre"}
    with_all = {
        p.name
        for p, _ in pylock.select(
            environment={**linux, "sys_platform": "win32"},  # type: ignore[arg-type]
            dependency_groups=["dev"],
            extras=["dated"],
        )
    }
    assert with_all == chosen | {"winonly", "testkit", "dated"}


def test_a_dependency_on_the_kernel_release_is_locked_under_its_marker(
    tmp_path: Path, index: IndexServer
) -> None:
    """pyobjc asks for each framework with `platform_release >= "NN"`: the lock cannot
    know an OS kernel's release, so such a dependency is locked under its marker and the
    installing machine decides (browser-use lost 126 pyobjc frameworks uv locks)."""
    root = project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = ["mac-bridge; sys_platform == 'darwin'"]
        """,
    )
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    locked = packages(root)
    assert locked["mac-framework"]["marker"] == (
        'sys_platform == "darwin" and platform_release >= "20.0"'
    )
    pylock = Pylock.from_dict(tomllib.loads((root / "pylock.toml").read_text()))
    mac = {**default_environment(), "sys_platform": "darwin", "python_version": "3.12",
           "python_full_version": "3.12.1"}  # fmt: skip
    chosen = {
        release: {
            p.name for p, _ in pylock.select(environment={**mac, "platform_release": release})
        }  # type: ignore[arg-type]
        for release in ("24.1.0", "19.6.0")
    }
    assert chosen == {"24.1.0": {"mac-bridge", "mac-framework"}, "19.6.0": {"mac-bridge"}}


def test_two_extras_that_clash_are_named_with_a_hint_to_declare_them(
    tmp_path: Path, index: IndexServer
) -> None:
    """Requirements of two extras no single version set meets: the message names the
    extras (as uv does) and says how to declare them as alternatives; declared, the
    lock succeeds with one fork each."""
    body = """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"

        [project.optional-dependencies]
        old = ["helper<2"]
        new = ["app-lib>=2"]
        """
    root = project(tmp_path, body)
    result = lock(root, index)
    assert result.exit_code == 1
    assert "svc[new] depends on app-lib>=2" in result.stderr
    assert "svc[old] depends on helper<2" in result.stderr
    assert (
        "svc[new] and svc[old] cannot be installed together; if they are never meant to be, "
        "declare them as conflicting in pyproject.toml: `[tool.tether] conflicts = "
        '[[{ extra = "new" }, { extra = "old" }]]`'
    ) in result.stderr
    assert not (root / "pylock.toml").exists()
    declared = body + '\n[tool.tether]\nconflicts = [[{ extra = "new" }, { extra = "old" }]]\n'
    root = project(tmp_path / "declared", declared)
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    locked = tomllib.loads((root / "pylock.toml").read_text())["packages"]
    assert sorted(p["version"] for p in locked if p["name"] == "helper") == ["1.0", "2.0"]


def test_lock_is_deterministic_and_unchanged_on_relock(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    assert lock(root, index).exit_code == 0
    first = (root / "pylock.toml").read_bytes()
    again = lock(root, index)
    assert again.stderr == "pylock.toml is up to date\n"  # inputs unchanged: no resolution
    again = lock(root, index, "--refresh")
    assert again.stderr.endswith(f"Unchanged {root / 'pylock.toml'}\n")
    assert (root / "pylock.toml").read_bytes() == first
    other = project(tmp_path / "copy", BASIC)
    lock(other, index)
    assert (other / "pylock.toml").read_bytes() == first


def test_check_names_what_changed(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    missing = lock(root, index, "--check")
    assert (missing.exit_code, missing.stderr.splitlines()[0]) == (
        1,
        f"error: {root / 'pylock.toml'} does not exist",
    )
    lock(root, index)
    fresh = lock(root, index, "--check")
    assert (fresh.exit_code, fresh.stderr) == (0, "pylock.toml is up to date\n")
    (root / "pyproject.toml").write_text(BASIC.replace('"onlypre"]', '"onlypre", "dated"]'))
    stale = lock(root, index, "--check")
    assert stale.exit_code == 1
    assert stale.stderr == (
        "error: pylock.toml is out of date: `dependencies` changed since it was written\n"
        "hint: run `tether lock` to update it\n"
    )
    stale = lock(root, index, "--check", "--resolution", "lowest")
    assert "`dependencies`, `resolver` changed" in stale.stderr


def test_exclude_newer(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC.replace('version = "0.1.0"', 'version = "0.1.0"\n\n'))
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text() + '\n[tool.tether]\nexclude-newer = "2024-06-01"\n'
    )
    assert lock(root, index).exit_code == 0, "lock failed"
    assert packages(root)["dated"]["version"] == "1.0"


def test_resolution_lowest(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    assert lock(root, index, "--resolution", "lowest").exit_code == 0
    assert packages(root)["app-lib"]["version"] == "1.0"
    assert packages(root)["helper"]["version"] == "1.0"


def test_prerelease_allow(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    assert lock(root, index, "--prerelease", "allow").exit_code == 0
    assert packages(root)["cuda-runtime"]["version"] == "13.0rc1"


def test_constraints_and_overrides(tmp_path: Path, index: IndexServer) -> None:
    root = project(
        tmp_path,
        BASIC + '\n[tool.tether]\nconstraints = ["dated<2"]\noverrides = ["helper<2"]\n',
    )
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    locked = packages(root)
    assert locked["dated"]["version"] == "1.0"
    # app-lib 2.0 asks for helper>=2; the override replaces that requirement.
    assert (locked["app-lib"]["version"], locked["helper"]["version"]) == ("2.0", "1.0")


def test_pinned_yanked_version_is_allowed(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC.replace('"onlypre"]', '"onlypre", "helper==2.1"]'))
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    assert packages(root)["helper"]["version"] == "2.1"


def test_unsatisfiable_explains_why(tmp_path: Path, index: IndexServer) -> None:
    root = project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = ["app-lib>=2", "helper<2"]
        """,
    )
    result = lock(root, index)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no versions satisfy the requirements:\n"
        "  Because svc depends on app-lib>=2 which depends on helper>=2, helper>=2 is required.\n"
        "  So, because svc depends on helper<2, version solving failed.\n"
        "hint: loosen one of the requirements named above, or check which versions the "
        "index has with `tether index versions NAME`\n"
    )
    assert not (root / "pylock.toml").exists()


def test_requires_python_is_explained(tmp_path: Path, index: IndexServer) -> None:
    root = project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = ["modern>=2"]
        """,
    )
    result = lock(root, index)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  Because svc depends on modern>=2 which requires Python >=3.13, but the project "
        "supports >=3.11, version solving failed."
    )


def test_unknown_package(tmp_path: Path, index: IndexServer) -> None:
    root = project(
        tmp_path,
        '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["no-such-thing"]\n',
    )
    result = lock(root, index)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  Because svc depends on no-such-thing which doesn't match any versions, "
        "version solving failed."
    )


def test_offline_with_a_warm_cache(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    assert lock(root, index).exit_code == 0
    first = (root / "pylock.toml").read_bytes()
    (root / "pylock.toml").unlink()
    offline = lock(root, index, "--offline")
    assert offline.exit_code == 0, offline.stderr
    assert (root / "pylock.toml").read_bytes() == first


def test_a_lock_the_cache_answers_loads_no_http_stack(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    assert lock(root, index).exit_code == 0
    first = (root / "pylock.toml").read_bytes()
    (root / "pylock.toml").unlink()
    env = {**os.environ, "TETHER_CACHE_DIR": str(root / ".cache")}
    command = ["lock", "--index-url", index.index_url]
    warm = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tether", *command],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert warm.returncode == 0, warm.stderr
    assert (root / "pylock.toml").read_bytes() == first
    imported = set(re.findall(r"\|\s+([\w.]+)$", warm.stderr, re.M))
    assert "tether.resolve.solver" in imported
    assert not {"urllib3", "ssl", "http.client", "tether.index.http"} & imported


def test_offline_with_a_cold_cache(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path, BASIC)
    result = lock(root, index, "--offline")
    assert result.exit_code == 1
    assert "offline, and the cache has no copy of the page of" in result.stderr


def test_path_sources_with_and_without_a_marker(tmp_path: Path, index: IndexServer) -> None:
    from tests.support.dists import build_wheel

    (tmp_path / "vendor").mkdir()
    wheel = tmp_path / "vendor" / "helper-9.0-py3-none-any.whl"
    wheel.write_bytes(build_wheel(Dist("helper", "9.0"), "py3-none-any"))
    # Like uv's, sources apply to the project's own requirements: helper is one here.
    direct = BASIC.replace('"onlypre"]', '"onlypre", "helper"]')
    root = project(
        tmp_path / "svc",
        direct
        + '\n[tool.tether.sources]\nhelper = { path = "../vendor/helper-9.0-py3-none-any.whl" }\n',
    )
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    locked = packages(root)
    assert locked["helper"]["archive"]["path"] == "../vendor/helper-9.0-py3-none-any.whl"
    # app-lib 2.0 needs helper>=2: the vendored 9.0 serves it too.
    assert (locked["helper"]["version"], locked["app-lib"]["version"]) == ("9.0", "2.0")
    # With a marker, the vendored wheel serves Windows only, the index the rest (uv's
    # platform-specific sources): two entries, each under its side of the marker.
    (root / "pyproject.toml").write_text(
        direct
        + '\n[tool.tether.sources]\nhelper = { path = "../vendor/helper-9.0-py3-none-any.whl",'
        + " marker = \"os_name == 'nt'\" }\n"
    )
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    helpers = [p for p in data["packages"] if p["name"] == "helper"]
    assert [(p["version"], p["marker"]) for p in helpers] == [
        ("2.0", 'os_name != "nt"'),
        ("9.0", 'os_name == "nt"'),
    ]
    assert helpers[0]["index"] == index.index_url
    assert helpers[1]["archive"]["path"] == "../vendor/helper-9.0-py3-none-any.whl"
    pylock = Pylock.from_dict(data)
    for os_name, platform, expected in (("nt", "win32", "9.0"), ("posix", "linux", "2.0")):
        environment = {**default_environment(), "os_name": os_name, "sys_platform": platform,
                       "python_version": "3.12", "python_full_version": "3.12.1"}  # fmt: skip
        chosen = {p.name: str(p.version) for p, _ in pylock.select(environment=environment)}  # type: ignore[arg-type]
        assert chosen["helper"] == expected
    assert lock(root, index, "--check").exit_code == 0


def _torches(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(version, index, marker) of each torch entry of a lock, sorted."""
    return sorted(
        (p["version"], p["index"], p["marker"]) for p in data["packages"] if p["name"] == "torch"
    )


def _explicit_index(table: str, name: str, url: str) -> str:
    """An explicit `[[TABLE.index]]` entry (`tool.tether` or `tool.uv`), as TOML."""
    return f'\n[[{table}.index]]\nname = "{name}"\nurl = "{url}"\nexplicit = true\n'


def test_conflicting_extras_pin_torch_to_their_own_index(tmp_path: Path) -> None:
    """The PyTorch pattern: `cpu` and `cu126` extras that cannot be installed together,
    each taking torch from its own (explicit) index, both in one lock."""
    with (
        IndexServer([Dist("torch", "2.4.0+cpu", requires=["numpy"])]) as cpu,
        IndexServer([Dist("torch", "2.4.0+cu126", requires=["numpy"])]) as cuda,
        IndexServer([Dist("torch", "2.4.0", requires=["numpy"]), Dist("numpy", "2.1.0")]) as pypi,
    ):
        root = project(
            tmp_path,
            textwrap.dedent(
                """\
            [project]
            name = "trainer"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["numpy"]

            [project.optional-dependencies]
            cpu = ["torch==2.4.0"]
            cu126 = ["torch==2.4.0"]

            [tool.tether]
            conflicts = [[{ extra = "cpu" }, { extra = "cu126" }]]

            [tool.tether.sources]
            torch = [
                { index = "pytorch-cpu", extra = "cpu" },
                { index = "pytorch-cu126", extra = "cu126" },
            ]
            """
            )
            + _explicit_index("tool.tether", "pytorch-cpu", cpu.index_url)
            + _explicit_index("tool.tether", "pytorch-cu126", cuda.index_url),
        )
        result = lock(root, pypi)
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
    torches = _torches(data)
    # The conflict says cpu and cu126 are never both on: the shortest marker is enough.
    assert torches == [
        ("2.4.0+cpu", cpu.index_url, '"cpu" in extras'),
        ("2.4.0+cu126", cuda.index_url, '"cu126" in extras'),
    ]
    numpy = next(p for p in data["packages"] if p["name"] == "numpy")
    assert "marker" not in numpy  # needed whichever extra is chosen
    pylock = Pylock.from_dict(data)
    for extra, expected in (("cpu", "2.4.0+cpu"), ("cu126", "2.4.0+cu126")):
        chosen = {p.name: str(p.version) for p, _ in pylock.select(extras=[extra])}
        assert chosen == {"numpy": "2.1.0", "torch": expected}
    assert {p.name for p, _ in pylock.select(extras=[])} == {"numpy"}


def test_index_sources_with_markers_take_torch_from_one_index_per_platform(
    tmp_path: Path,
) -> None:
    """uv's PyTorch guide: CUDA builds from one index on Linux, CPU builds from another
    elsewhere. The lock forks on the sources' markers and holds both, each with its
    index; an install on each platform selects its own."""
    with (
        IndexServer([Dist("torch", "2.4.0+cpu", requires=["numpy"])]) as cpu,
        IndexServer([Dist("torch", "2.4.0+cu128", requires=["numpy"])]) as cuda,
        IndexServer([Dist("torch", "2.4.0", requires=["numpy"]), Dist("numpy", "2.1.0")]) as pypi,
    ):
        root = project(
            tmp_path,
            textwrap.dedent(
                """\
            [project]
            name = "trainer"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["torch>=2.4"]

            [tool.uv.sources]
            torch = [
                { index = "pytorch-cpu", marker = "sys_platform != 'linux'" },
                { index = "pytorch-cu128", marker = "sys_platform == 'linux'" },
            ]
            """
            )
            + _explicit_index("tool.uv", "pytorch-cpu", cpu.index_url)
            + _explicit_index("tool.uv", "pytorch-cu128", cuda.index_url),
        )
        result = lock(root, pypi)
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
    torches = _torches(data)
    assert torches == [
        ("2.4.0+cpu", cpu.index_url, 'sys_platform != "linux"'),
        ("2.4.0+cu128", cuda.index_url, 'sys_platform == "linux"'),
    ]
    pylock = Pylock.from_dict(data)
    linux = {**default_environment(), "sys_platform": "linux", "python_version": "3.12",
             "python_full_version": "3.12.1"}  # fmt: skip
    for platform, expected in (("linux", "2.4.0+cu128"), ("darwin", "2.4.0+cpu")):
        environment = {**linux, "sys_platform": platform}
        chosen = {p.name: str(p.version) for p, _ in pylock.select(environment=environment)}  # type: ignore[arg-type]
        assert chosen == {"numpy": "2.1.0", "torch": expected}


def test_a_local_build_without_macos_wheels_leaves_macos_its_base_release(
    tmp_path: Path,
) -> None:
    """PyTorch's CPU index: `2.4.0+cpu` has Linux and Windows wheels, `2.4.0` the macOS
    ones. As uv does, the lock forks so that macOS takes 2.4.0 and the others +cpu,
    instead of a lock with no torch macOS can install."""
    builds = [
        Dist("torch", "2.4.0+cpu", tags=["py3-none-manylinux_2_28_x86_64", "py3-none-win_amd64"]),
        Dist("torch", "2.4.0", tags=["py3-none-macosx_11_0_arm64"]),
    ]
    with (
        IndexServer(builds) as cpu,
        IndexServer([Dist("torch", "2.4.0"), Dist("numpy", "2.1.0")]) as pypi,
    ):
        root = project(
            tmp_path,
            textwrap.dedent(
                """\
            [project]
            name = "trainer"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["torch>=2.4"]

            [tool.tether.sources]
            torch = { index = "pytorch-cpu" }
            """
            )
            + _explicit_index("tool.tether", "pytorch-cpu", cpu.index_url),
        )
        result = lock(root, pypi)
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
    torches = sorted((p["version"], p["marker"]) for p in data["packages"] if p["name"] == "torch")
    assert torches == [
        ("2.4.0", 'sys_platform == "darwin"'),
        ("2.4.0+cpu", 'sys_platform != "darwin"'),
    ]


def test_root_requirements_that_differ_by_marker_fork(tmp_path: Path, index: IndexServer) -> None:
    """One package in two versions, each under its own platforms (uv's forking)."""
    root = project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = [
            "app-lib>=2; sys_platform == 'linux'",
            "app-lib<2; sys_platform != 'linux'",
        ]
        """,
    )
    result = lock(root, index)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    app_lib = sorted(
        (p["version"], p.get("marker")) for p in data["packages"] if p["name"] == "app-lib"
    )
    assert app_lib == [("1.0", 'sys_platform != "linux"'), ("2.0", 'sys_platform == "linux"')]
    assert data["tool"]["tether"]["forks"] == ['sys_platform != "linux"', 'sys_platform == "linux"']
    pylock = Pylock.from_dict(data)
    for platform, expected in (("linux", "2.0"), ("darwin", "1.0")):
        environment = {**default_environment(), "sys_platform": platform}
        chosen = {p.name: str(p.version) for p, _ in pylock.select(environment=environment)}  # type: ignore[arg-type]
        assert chosen["app-lib"] == expected


def test_relock_keeps_pins_unless_asked_to_upgrade(tmp_path: Path) -> None:
    with IndexServer([Dist("helper", "1.0"), Dist("other", "1.0")]) as server:
        root = project(
            tmp_path,
            '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["helper", "other"]\n',
        )
        assert lock(root, server).exit_code == 0
        server.add(Dist("helper", "1.1"), Dist("other", "1.1"))
        assert lock(root, server, "--refresh").exit_code == 0
        assert {n: p["version"] for n, p in packages(root).items()} == {
            "helper": "1.0",
            "other": "1.0",
        }
        assert lock(root, server, "--upgrade-package", "helper").exit_code == 0
        assert {n: p["version"] for n, p in packages(root).items()} == {
            "helper": "1.1",
            "other": "1.0",
        }
        assert lock(root, server, "--upgrade").exit_code == 0
        assert {n: p["version"] for n, p in packages(root).items()} == {
            "helper": "1.1",
            "other": "1.1",
        }
        # A pin that no longer fits the requirements gives way.
        (root / "pyproject.toml").write_text(
            '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["helper<1.1", "other"]\n'
        )
        assert lock(root, server).exit_code == 0
        assert packages(root)["helper"]["version"] == "1.0"


def test_direct_references_to_a_local_wheel_and_a_remote_sdist(
    tmp_path: Path, index: IndexServer
) -> None:
    from tests.support.dists import build_wheel

    local = Dist("localpkg", "0.3", requires=["helper>=2"])
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel = wheels / local.wheel_filename("py3-none-any")
    wheel.write_bytes(build_wheel(local, "py3-none-any"))
    with IndexServer([Dist("remote-pkg", "1.5", wheel=False, sdist=True)]) as files:
        sdist_url = files.file_url("remote_pkg-1.5.tar.gz")
        root = project(
            tmp_path / "svc",
            f"""\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = [
                "localpkg @ {wheel.as_uri()}",
                "remote-pkg @ {sdist_url}",
            ]
            """,
        )
        result = lock(root, index)
        assert result.exit_code == 0, result.stderr
        expected_sdist = files.artifact("remote_pkg-1.5.tar.gz")
    locked = packages(root)
    assert locked["localpkg"]["version"] == "0.3"
    assert locked["localpkg"]["archive"]["path"] == "../wheels/localpkg-0.3-py3-none-any.whl"
    assert "index" not in locked["localpkg"]
    assert locked["localpkg"]["dependencies"] == [{"name": "helper"}]
    assert locked["helper"]["version"] == "2.0"  # its dependency came from the index
    assert locked["remote-pkg"]["archive"] == {
        "url": sdist_url,
        "size": len(expected_sdist.content),
        "hashes": {"sha256": expected_sdist.sha256},
    }
    Pylock.from_dict(tomllib.loads((root / "pylock.toml").read_text()))


def test_direct_reference_errors(tmp_path: Path, index: IndexServer) -> None:
    (tmp_path / "somedir").mkdir()
    for reference, message in (
        (f"pkg @ {(tmp_path / 'somedir').as_uri()}", "is a directory without pyproject.toml"),
        (f"pkg @ {(tmp_path / 'nope-1.0-py3-none-any.whl').as_uri()}", "cannot read"),
        ("pkg @ git+https://example.invalid/pkg.git", "cannot reach the git repository"),
        ("pkg @ hg+https://example.invalid/pkg", "is not an http(s) or file URL"),
    ):
        root = project(
            tmp_path / "svc",
            f'[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["{reference}"]\n',
        )
        result = lock(root, index)
        assert result.exit_code == 1, reference
        assert message in result.stderr.splitlines()[0], result.stderr


def test_a_dependency_that_needs_two_versions_forks_below_the_root(tmp_path: Path) -> None:
    universe = [
        Dist(
            "b",
            "1.0",
            requires=[
                "c>=2; implementation_name == 'cpython'",
                "c<2; implementation_name == 'pypy'",
            ],
        ),
        Dist("c", "1.0"),
        Dist("c", "2.0"),
    ]
    with IndexServer(universe) as server:
        root = project(
            tmp_path,
            '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = ["b"]\n',
        )
        result = lock(root, server)
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
    cs = sorted((p["version"], p["marker"]) for p in data["packages"] if p["name"] == "c")
    assert cs == [
        ("1.0", 'implementation_name == "pypy"'),
        ("2.0", 'implementation_name == "cpython"'),
    ]


def test_the_examples_committed_lock_matches_its_pyproject(tmp_path: Path) -> None:
    """The README's first command syncs examples/ai-service with --locked: its lock must
    be re-made with any change to its pyproject.toml (`tether lock` there)."""
    example = Path(__file__).parents[2] / "examples" / "ai-service"
    checked = run_tether(
        "lock", "--check", cwd=example, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    )
    assert checked.exit_code == 0, checked.stderr


def test_a_long_walk_down_a_packages_releases_finds_the_release_that_fits(
    tmp_path: Path,
) -> None:
    """`walker` N needs `base==N`, and the project caps base below 2: the solver tries
    walker's releases newest first (their metadata is then fetched ahead, in parallel)
    down to 1.0, and asks the index for each release's metadata once."""
    universe = [Dist("base", f"{n}.0") for n in range(1, 31)]
    universe += [Dist("walker", f"{n}.0", requires=[f"base=={n}.0"]) for n in range(1, 31)]
    with IndexServer(universe) as server:
        root = project(
            tmp_path,
            """
            [project]
            name = "app"
            version = "0.1"
            requires-python = ">=3.11"
            dependencies = ["walker", "base<2"]
            """,
        )
        result = lock(root, server)
        assert result.exit_code == 0, result.stderr
        versions = {name: entry["version"] for name, entry in packages(root).items()}
        assert versions == {"walker": "1.0", "base": "1.0"}
        metadata = [r.path for r in server.requests if r.path.endswith(".metadata")]
        assert len(metadata) == len(set(metadata))
        assert any("walker-1.0-" in path for path in metadata)
