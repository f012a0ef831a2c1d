"""Caps that hold under a marker only (a constraint, an override, or a dependency's own
requirement) fork the lock there, as uv does: the rest of the project's Pythons and
platforms get the newest release (livekit-agents caps onnxruntime for Python 3.10)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from tests.e2e.test_path_dependencies import local_project
from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

UNIVERSE = [
    Dist("engine", "1.0"),
    Dist("engine", "2.0"),
    # A dependency that caps engine on older Pythons only.
    Dist(
        "plugin",
        "1.0",
        requires=["engine>=1; python_version >= '3.12'", "engine>=1,<2; python_version < '3.12'"],
    ),
]


@pytest.fixture(scope="module")
def index() -> IndexServer:
    with IndexServer(UNIVERSE) as server:
        yield server  # type: ignore[misc]


# livekit-agents' constraint, on engine.
CAP_OLD_PYTHONS = "[tool.uv]\nconstraint-dependencies = ['engine<2; python_version < \"3.12\"']\n"


def lock(tmp_path: Path, index: IndexServer, body: str) -> RunResult:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    result = run_tether(
        "lock", "--index-url", index.index_url,
        cwd=tmp_path, env={"TETHER_CACHE_DIR": str(tmp_path / ".cache")},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result


def engines(root: Path) -> dict[str, str | None]:
    """engine's locked versions, each with its marker."""
    data = tomllib.loads((root / "pylock.toml").read_text())
    return {p["version"]: p.get("marker") for p in data["packages"] if p["name"] == "engine"}


def selected(root: Path, python: str, platform: str = "linux") -> str:
    lock = Pylock.from_dict(tomllib.loads((root / "pylock.toml").read_text()))
    environment = {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": platform,
        "platform_system": {"linux": "Linux", "win32": "Windows"}[platform],
        "os_name": "nt" if platform == "win32" else "posix",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    chosen = [
        str(package.version)
        for package, _ in lock.select(environment=environment)  # type: ignore[arg-type]
        if package.name == "engine"
    ]
    assert len(chosen) == 1, chosen
    return chosen[0]


def project(requires_python: str, dependencies: str, tool: str = "") -> str:
    return (
        f'[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = "{requires_python}"\n'
        f"dependencies = {dependencies}\n{tool}"
    )


def test_a_constraint_under_a_python_marker_caps_those_pythons_only(
    tmp_path: Path, index: IndexServer
) -> None:
    lock(tmp_path, index, project(">=3.11", '["engine"]', CAP_OLD_PYTHONS))
    assert engines(tmp_path) == {
        "1.0": 'python_full_version < "3.12"',
        "2.0": 'python_full_version >= "3.12"',
    }
    assert (selected(tmp_path, "3.11"), selected(tmp_path, "3.13")) == ("1.0", "2.0")


def test_a_constraint_whose_marker_the_project_never_meets_is_ignored(
    tmp_path: Path, index: IndexServer
) -> None:
    lock(tmp_path, index, project(">=3.12", '["engine"]', CAP_OLD_PYTHONS))
    assert engines(tmp_path) == {"2.0": None}


def test_a_path_package_that_caps_a_package_on_older_pythons_forks_there(
    tmp_path: Path, index: IndexServer
) -> None:
    # A workspace member's or path package's requirements are the project's own, as
    # livekit-agents' turn-detector plugin asks `onnxruntime>=1.18,<1.24` on Python
    # 3.10 only: the other Pythons get the newest release (uv's fork).
    local_project(
        tmp_path / "plugin",
        "plugin",
        "\"engine>=1; python_version >= '3.12'\", \"engine>=1,<2; python_version < '3.12'\"",
    )
    tool = '[tool.uv.sources]\nplugin = { path = "plugin", editable = true }\n'
    lock(tmp_path, index, project(">=3.11", '["plugin"]', tool))
    assert (selected(tmp_path, "3.11"), selected(tmp_path, "3.12")) == ("1.0", "2.0")


def test_a_published_package_that_caps_on_older_pythons_does_not_fork(
    tmp_path: Path, index: IndexServer
) -> None:
    # The same requirements in an index package's metadata are solved as one: tether's
    # divisions restart the solve, and forking on every package's markers cost more
    # agreement with uv than it won on the corpus (see `_dividing_markers`).
    lock(tmp_path, index, project(">=3.11", '["plugin"]'))
    assert engines(tmp_path) == {"1.0": None}


def test_overrides_under_markers_each_replace_the_requirement_where_they_hold(
    tmp_path: Path, index: IndexServer
) -> None:
    tool = (
        "[tool.tether]\noverrides = [\"engine<2; sys_platform == 'win32'\", "
        "\"engine>=2; sys_platform != 'win32'\"]\n"
    )
    lock(tmp_path, index, project(">=3.12", '["plugin"]', tool))
    assert selected(tmp_path, "3.12", "win32") == "1.0"
    assert selected(tmp_path, "3.12", "linux") == "2.0"
