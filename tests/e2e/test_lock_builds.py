"""`tether lock` on metadata that needs a build: sdist-only dependencies whose backend
computes their requirements, failing backends, projects with dynamic metadata,
requirements on the project's own name, and index file names that do not parse."""

from __future__ import annotations

import shutil
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist, build_sdist
from tests.support.index_server import IndexServer

UNIVERSE = [
    # Publishes only an sdist whose PKG-INFO says its requirements are dynamic: only
    # its backend knows it needs `helper` (what a setup.py does).
    Dist(
        "setup-only",
        "1.0",
        wheel=False,
        sdist=True,
        dynamic=["Requires-Dist"],
        built_requires=["helper>=1"],
    ),
    Dist(
        "broken",
        "2.0",
        wheel=False,
        sdist=True,
        dynamic=["Requires-Dist"],
        build_error="error: Microsoft Visual C++ 14.0 or greater is required",
    ),
    Dist("broken", "1.0"),
    # PyGObject's case: Metadata 2.1 PKG-INFO (not to be trusted), a backend that needs
    # C libraries this machine lacks, and a pyproject.toml whose `[project]` fixes the
    # requirements (only the version is dynamic).
    Dist(
        "gobjecty",
        "3.50.2",
        wheel=False,
        sdist=True,
        dynamic=["Requires-Dist"],
        build_error="meson.build:1: ERROR: Dependency 'gobject-introspection-1.0' not found",
        pyproject=textwrap.dedent(
            """
            [project]
            name = "GObjecty"
            dynamic = ["version"]
            requires-python = ">=3.9"
            dependencies = ["helper>=1"]

            [project.optional-dependencies]
            cairo = ["mylib>=9; sys_platform == 'linux'"]
            """
        ),
    ),
    Dist("helper", "1.0"),
    Dist("mylib", "9.9"),  # a stranger's package with the local project's name
]


@pytest.fixture(scope="module")
def index() -> IndexServer:
    with IndexServer(UNIVERSE) as server:
        yield server  # type: ignore[misc]


def project(root: Path, body: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def tether(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        *args, "--index-url", index.index_url,
        cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")},
    )  # fmt: skip


def locked(root: Path) -> dict[str, list[dict[str, Any]]]:
    data = tomllib.loads((root / "pylock.toml").read_text())
    found: dict[str, list[dict[str, Any]]] = {}
    for package in data["packages"]:
        found.setdefault(package["name"], []).append(package)
    return found


def sdist_downloads(index: IndexServer) -> list[str]:
    return [r.path for r in index.requests if r.path.endswith(".tar.gz")]


def test_an_sdist_only_dependency_is_built_for_its_metadata_once(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(
        tmp_path / "svc",
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["setup-only"]\n',
    )
    index.clear_requests()
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Resolved 2 packages")  # setup-only and what it builds to need
    packages = locked(root)
    assert packages["setup-only"][0]["dependencies"] == [{"name": "helper"}]
    assert packages["helper"][0]["version"] == "1.0"
    assert sdist_downloads(index) == ["/files/setup_only-1.0.tar.gz"]
    # A warm lock and an offline one take the built metadata from the cache.
    (root / "pylock.toml").unlink()
    index.clear_requests()
    assert tether(root, index, "lock").exit_code == 0
    assert sdist_downloads(index) == []
    (root / "pylock.toml").unlink()
    offline = tether(root, index, "lock", "--offline")
    assert offline.exit_code == 0, offline.stderr
    assert sdist_downloads(index) == []
    assert locked(root)["setup-only"][0]["dependencies"] == [{"name": "helper"}]
    # ... and sync installs it (built once more into a wheel, as before).
    synced = tether(root, index, "sync")
    assert synced.exit_code == 0, synced.stderr
    offline = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_OFFLINE": "1"}
    check = run_tether(
        "run", "python", "-c", "import setup_only, helper; print('ok')", cwd=root, env=offline
    )
    assert check.stdout == "ok\n", check.stderr


def test_an_sdist_whose_pyproject_fixes_its_requirements_is_not_built(
    tmp_path: Path, index: IndexServer
) -> None:
    """As uv does: PKG-INFO older than 2.2 cannot be trusted, but `[project]` with
    static dependencies can; the sdist is read, never built (its build would fail)."""
    root = project(
        tmp_path / "svc",
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["gobjecty[cairo]"]\n',
    )
    index.clear_requests()
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    assert "failed to build" not in result.stderr
    packages = locked(root)
    gobjecty = packages["gobjecty"][0]
    assert (gobjecty["version"], gobjecty["sdist"]["name"]) == ("3.50.2", "gobjecty-3.50.2.tar.gz")
    assert gobjecty["dependencies"] == [{"name": "helper"}, {"name": "mylib"}]
    assert (packages["mylib"][0]["version"], packages["mylib"][0]["marker"]) == (
        "9.9",
        'sys_platform == "linux"',
    )
    assert sdist_downloads(index) == ["/files/gobjecty-3.50.2.tar.gz"]
    # The same sdist as a direct reference is read the same way.
    gobjecty_dist = next(d for d in UNIVERSE if d.name == "gobjecty")
    archive = tmp_path / "gobjecty-3.50.2.tar.gz"
    archive.write_bytes(build_sdist(gobjecty_dist))
    project(
        root,
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["gobjecty @ {archive.as_uri()}"]\n',
    )
    direct = tether(root, index, "lock")
    assert direct.exit_code == 0, direct.stderr
    assert locked(root)["gobjecty"][0]["dependencies"] == [{"name": "helper"}]


def test_a_failing_backend_is_named_with_its_last_lines(tmp_path: Path, index: IndexServer) -> None:
    root = project(
        tmp_path / "svc",
        '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["broken>=2"]\n',
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no versions satisfy the requirements:\n")
    assert "broken>=2 which failed to build from its sdist (broken-2.0.tar.gz)" in result.stderr
    assert "Microsoft Visual C++ 14.0 or greater is required" in result.stderr
    assert not (root / "pylock.toml").exists()
    # Without the bound, the older release with a wheel is taken, and the skipped
    # build is said, not hidden.
    project(root, '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["broken"]\n')
    fallback = tether(root, index, "lock")
    assert fallback.exit_code == 0, fallback.stderr
    assert locked(root)["broken"][0]["version"] == "1.0"
    assert "warning: broken 2.0 was skipped: it failed to build from its sdist" in fallback.stderr


@pytest.mark.parametrize("table", ["tool.tether", "tool.uv"])
def test_declared_dependency_metadata_locks_an_sdist_without_building_it(
    tmp_path: Path, index: IndexServer, table: str
) -> None:
    """flash-attn's case: an sdist whose build cannot run at lock time. The project
    declares its requirements (uv's dependency-metadata, read from either table): the
    lock uses them, builds nothing, and still records the sdist to install from."""
    root = project(
        tmp_path / "svc",
        f"""\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.11"
        dependencies = ["broken>=2"]

        [[{table}.dependency-metadata]]
        name = "broken"
        version = "2.0"
        requires-dist = ["helper>=1"]
        """,
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    packages = locked(root)
    assert packages["broken"][0]["version"] == "2.0"
    assert packages["broken"][0]["sdist"]["name"] == "broken-2.0.tar.gz"
    assert packages["broken"][0]["dependencies"] == [{"name": "helper"}]
    assert "helper" in packages
    assert "failed to build" not in result.stderr
    if table == "tool.uv":  # `tether migrate` moves the table; the lock stays fresh
        migrated = tether(root, index, "migrate", "--no-lock")
        assert migrated.exit_code == 0, migrated.stderr
        assert "[[tool.tether.dependency-metadata]]" in (root / "pyproject.toml").read_text()
        assert tether(root, index, "lock", "--check").exit_code == 0
    # The declaration is an input of the lock: changing it makes the lock stale.
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace('"helper>=1"', '"helper>=1", "mylib"'))
    stale = tether(root, index, "lock", "--check")
    assert stale.exit_code == 1
    assert "dependency-metadata" in stale.stderr or "tool.tether" in stale.stderr


def test_a_bad_dependency_metadata_entry_is_a_located_error(
    tmp_path: Path, index: IndexServer
) -> None:
    body = (
        '[project]\nname = "svc"\nversion = "0.1.0"\n\n'
        '[[tool.tether.dependency-metadata]]\nname = "broken"\nrequires-dist = ["helper>>1"]\n'
    )
    root = project(tmp_path / "svc", body)
    result = tether(root, index, "lock")
    assert result.exit_code == 1, result.stderr
    assert 'invalid requirement "helper>>1"' in result.stderr
    assert "tool.tether.dependency-metadata[0].requires-dist[0]" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "pyproject.toml").read_text() == body


BACKEND = '''\
"""A backend that computes metadata as setuptools' `dynamic` and setuptools-scm do:
dependencies from requirements.txt, the version from a file."""
import os, zipfile

def _metadata():
    version = open("VERSION").read().strip()
    requires = [l.strip() for l in open("requirements.txt") if l.strip()]
    lines = ["Metadata-Version: 2.1", "Name: app", "Version: " + version]
    lines += ["Requires-Dist: " + r for r in requires]
    return "\\n".join(lines) + "\\n"

def prepare_metadata_for_build_wheel(directory, config_settings=None):
    info = "app-" + open("VERSION").read().strip() + ".dist-info"
    os.makedirs(os.path.join(directory, info))
    with open(os.path.join(directory, info, "METADATA"), "w") as handle:
        handle.write(_metadata())
    return info

def _wheel(directory, editable):
    version = open("VERSION").read().strip()
    name = "app-" + version + "-py3-none-any.whl"
    info = "app-" + version + ".dist-info"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        if editable:
            archive.writestr("app.pth", os.path.abspath("src") + "\\n")
        else:
            archive.write("src/app/__init__.py", "app/__init__.py")
        archive.writestr(info + "/METADATA", _metadata())
        wheel = "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
        archive.writestr(info + "/WHEEL", wheel)
        archive.writestr(info + "/RECORD", "")
    return name

def build_wheel(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, editable=False)

def build_editable(directory, config_settings=None, metadata_directory=None):
    return _wheel(directory, editable=True)
'''


def test_a_project_with_dynamic_dependencies_and_version(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(
        tmp_path / "app",
        """\
        [project]
        name = "app"
        requires-python = ">=3.11"
        dynamic = ["version", "dependencies"]

        [build-system]
        requires = []
        build-backend = "backend"
        backend-path = ["."]
        """,
    )
    (root / "backend.py").write_text(BACKEND)
    (root / "VERSION").write_text("1.4.0.dev3\n")
    (root / "requirements.txt").write_text("helper>=1\n")
    (root / "src" / "app").mkdir(parents=True)
    (root / "src" / "app" / "__init__.py").write_text("import helper\n")
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    packages = locked(root)
    assert packages["app"][0]["dependencies"] == [{"name": "helper"}]
    assert "version" not in packages["app"][0]  # computed by the backend at install
    assert tether(root, index, "lock", "--check").exit_code == 0
    # What the backend reads changed: the lock is stale, and says which input.
    (root / "requirements.txt").write_text("helper>=1\nsetup-only\n")
    check = tether(root, index, "lock", "--check")
    assert check.exit_code == 1
    assert "`dynamic-metadata` changed" in check.stderr
    synced = tether(root, index, "sync")
    assert synced.exit_code == 0, synced.stderr
    assert {"helper", "setup-only"} <= set(locked(root))
    run = run_tether("run", "python", "-c", "import app, setup_only; print('ok')", cwd=root,
                     env={"TETHER_CACHE_DIR": str(tmp_path / "cache")})  # fmt: skip
    assert run.stdout == "ok\n", run.stderr
    check = run_tether("check", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")})
    assert check.exit_code == 0, check.stdout + check.stderr
    # The editable project's files vanish: installed and "in sync", but not importable.
    # `check` names it.
    shutil.rmtree(root / "src")
    broken = run_tether("check", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")})
    assert broken.exit_code == 1
    assert "app 1.4.0.dev3 is installed editable, but its source directory" in broken.stdout
    assert "is missing: its files were moved or deleted" in broken.stdout


def test_a_failing_project_backend_is_an_error_not_an_empty_project(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(
        tmp_path / "app",
        """\
        [project]
        name = "app"
        version = "1.0"
        dynamic = ["dependencies"]

        [build-system]
        requires = []
        build-backend = "backend"
        backend-path = ["."]
        """,
    )
    (root / "backend.py").write_text(
        "def prepare_metadata_for_build_wheel(d, c=None):\n    raise SystemExit('no deps file')\n"
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert "as wheel metadata failed" in result.stderr
    assert "no deps file" in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_requirement_on_the_project_itself_means_its_extras(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(
        tmp_path / "mylib",
        """\
        [project]
        name = "mylib"
        version = "0.1.0"
        requires-python = ">=3.11"

        [project.optional-dependencies]
        io = ["helper"]
        complete = ["MyLib[io]"]

        [dependency-groups]
        dev = ["mylib[io]"]
        """,
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    packages = locked(root)
    assert "mylib" not in packages  # not the index's package of that name
    assert packages["helper"][0]["marker"] == (
        '"complete" in extras or "dev" in dependency_groups or "io" in extras'
    )


def test_file_names_that_do_not_parse_unambiguously_are_skipped(tmp_path: Path) -> None:
    with IndexServer([Dist("cffi", "1.0.2")]) as server:
        # An old sdist named like cffi version 2, and a file of another project.
        server.add_file("cffi", "cffi-1.0.2-2.tar.gz", build_sdist(Dist("cffi", "1.0.2")))
        server.add_file("cffi", "cffi_extra-3.0.tar.gz", build_sdist(Dist("cffi-extra", "3.0")))
        root = project(
            tmp_path / "svc",
            '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["cffi"]\n',
        )
        result = tether(root, server, "lock")
        assert result.exit_code == 0, result.stderr
        versions = tether(root, server, "index", "versions", "cffi")
    assert [p["version"] for p in locked(root)["cffi"]] == ["1.0.2"]
    assert "1.0.2" in versions.stdout
    assert " 2 " not in versions.stdout
    assert "3.0" not in versions.stdout
