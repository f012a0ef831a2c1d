"""`tether build`: a new project's sdist and wheel, built by its real backend (hatchling,
served from the test index), accepted by pip and by `twine check`; a failing backend
shows its last lines and leaves dist/ as it was."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import RunResult, run_tether
from tests.support.index_server import IndexServer
from tests.support.rewheel import HATCHLING, rewheel


@pytest.fixture(scope="module")
def backend_index() -> Iterator[IndexServer]:
    """An index serving hatchling and its dependencies (rebuilt from this environment)."""
    with IndexServer() as server:
        for name in HATCHLING:
            server.add_wheel(*rewheel(name))
        yield server


def tether(cwd: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        *args, cwd=cwd,
        env={"TETHER_CACHE_DIR": str(cwd.parent / "cache"), "TETHER_INDEX_URL": index.index_url},
        timeout=120,
    )  # fmt: skip


def test_init_lib_builds_an_sdist_and_a_wheel_that_pip_and_twine_accept(
    tmp_path: Path, backend_index: IndexServer
) -> None:
    assert run_tether("init", "lib", "--lib", cwd=tmp_path).exit_code == 0
    root = tmp_path / "lib"
    (root / "src" / "lib" / "__init__.py").write_text("ANSWER = 42\n")

    built = tether(root, backend_index, "build")

    assert built.exit_code == 0, built.stderr
    assert built.stderr == "Built dist/lib-0.1.0.tar.gz\nBuilt dist/lib-0.1.0-py3-none-any.whl\n"
    assert sorted(p.name for p in (root / "dist").iterdir()) == [
        "lib-0.1.0-py3-none-any.whl",
        "lib-0.1.0.tar.gz",
    ]
    with tarfile.open(root / "dist" / "lib-0.1.0.tar.gz") as sdist:
        assert "lib-0.1.0/src/lib/__init__.py" in sdist.getnames()
    with zipfile.ZipFile(root / "dist" / "lib-0.1.0-py3-none-any.whl") as wheel:
        assert "lib/__init__.py" in wheel.namelist()
    # The build environment was filled from the configured index: hatchling and its needs.
    pages = {r.path.split("/")[2] for r in backend_index.requests if r.path.startswith("/simple/")}
    assert pages == set(HATCHLING)
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, (root / "dist").iterdir())],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(target / "bin" / "python"), "install",
         "-q", "--no-index", str(root / "dist" / "lib-0.1.0-py3-none-any.whl")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    imported = subprocess.run(
        [str(target / "bin" / "python"), "-c", "import lib; print(lib.ANSWER)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.stdout == "42\n", imported.stderr


def test_sdist_only_wheel_only_and_out_dir(tmp_path: Path, backend_index: IndexServer) -> None:
    assert run_tether("init", "lib", "--lib", cwd=tmp_path).exit_code == 0
    root = tmp_path / "lib"

    sdist = tether(root, backend_index, "build", "--sdist", "--out-dir", "out")
    wheel = tether(root, backend_index, "build", "--wheel", "--out-dir", "out")

    assert (sdist.exit_code, wheel.exit_code) == (0, 0), sdist.stderr + wheel.stderr
    assert sdist.stderr == "Built out/lib-0.1.0.tar.gz\n"
    assert wheel.stderr == "Built out/lib-0.1.0-py3-none-any.whl\n"
    assert not (root / "dist").exists()
    assert sorted(p.name for p in (root / "out").iterdir()) == [
        "lib-0.1.0-py3-none-any.whl",
        "lib-0.1.0.tar.gz",
    ]


FAILING_BACKEND = """\
import sys

def build_sdist(sdist_directory, config_settings=None):
    print("collecting sources")
    print("error: README.rst not found", file=sys.stderr)
    raise SystemExit(1)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit(1)
"""


def test_a_failing_backend_shows_its_last_lines_and_leaves_dist_alone(
    tmp_path: Path, backend_index: IndexServer
) -> None:
    root = tmp_path / "broken"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "broken"\nversion = "1.0"\n\n[build-system]\nrequires = []\n'
        'build-backend = "failing_backend"\nbackend-path = ["."]\n'
    )
    (root / "failing_backend.py").write_text(FAILING_BACKEND)
    (root / "dist").mkdir()
    (root / "dist" / "broken-0.9.tar.gz").write_bytes(b"an earlier build")

    result = tether(root, backend_index, "build")

    assert result.exit_code == 1
    assert f"error: building {root} as an sdist failed" in result.stderr
    assert "  | collecting sources\n" in result.stderr
    assert "  | error: README.rst not found\n" in result.stderr
    assert "hint: the build backend's last lines are above" in result.stderr
    assert [p.name for p in (root / "dist").iterdir()] == ["broken-0.9.tar.gz"]


def test_build_outside_a_project_says_so(tmp_path: Path, backend_index: IndexServer) -> None:
    result = tether(tmp_path, backend_index, "build")

    assert result.exit_code != 0
    assert "pyproject.toml" in result.stderr
