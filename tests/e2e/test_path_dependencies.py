"""Path dependencies: a project directory beside the project, locked as a PEP 751
`directory` (no hash: it is built at install), installed editable or as a wheel through
its own PEP 517 backend; `add --editable PATH` writes the source."""

from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

from packaging.pylock import Pylock

from tests.e2e.test_add import tether
from tests.e2e.test_sync import python, versions
from tests.support.dists import BACKEND_SOURCE, Dist
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def local_project(root: Path, name: str, dependencies: str = "", version: str = "0.3.0") -> Path:
    """A project directory that builds offline (the stdlib test backend)."""
    (root / "src" / name).mkdir(parents=True)
    (root / "src" / name / "__init__.py").write_text("VALUE = 1\n")
    (root / "tether_test_backend.py").write_text(BACKEND_SOURCE)
    (root / "PKG-INFO").write_text(f"Metadata-Version: 2.3\nName: {name}\nVersion: {version}\n\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "{name}"
            version = "{version}"
            dependencies = [{dependencies}]

            [build-system]
            requires = []
            build-backend = "tether_test_backend"
            backend-path = ["."]
            """
        )
    )
    return root


def service(root: Path, source: str) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["mylib"]

            [tool.tether.sources]
            mylib = {source}
            """
        )
    )
    return root


def direct_url(root: Path, name: str) -> dict[str, object]:
    site = next((root / ".venv" / "lib").glob("python*/site-packages"))
    info = next(site.glob(f"{name}-*.dist-info"))
    return json.loads((info / "direct_url.json").read_text())  # type: ignore[no-any-return]


def test_an_editable_path_dependency(tmp_path: Path, index: IndexServer) -> None:
    library = local_project(tmp_path / "mylib", "mylib", '"util>=2"')
    root = service(tmp_path / "svc", '{ path = "../mylib", editable = true }')
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert " + mylib (built from its directory)" in result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    Pylock.from_dict(data)
    mylib = next(p for p in data["packages"] if p["name"] == "mylib")
    assert mylib["directory"] == {"path": "../mylib", "editable": True}
    assert mylib["dependencies"] == [{"name": "util"}]
    assert versions(root) == {"mylib": "0.3.0", "util": "2.0"}
    assert python(root, "import mylib; print(mylib.VALUE)") == "1"
    (library / "src" / "mylib" / "__init__.py").write_text("VALUE = 2\n")
    assert python(root, "import mylib; print(mylib.VALUE)") == "2"  # live
    assert direct_url(root, "mylib") == {
        "url": library.resolve().as_uri(),
        "dir_info": {"editable": True},
    }
    again = tether(root, index, "sync")
    assert "built from its directory" not in again.stderr  # not rebuilt


def test_a_path_dependency_installed_as_a_wheel(tmp_path: Path, index: IndexServer) -> None:
    library = local_project(tmp_path / "mylib", "mylib")
    root = service(tmp_path / "svc", '{ path = "../mylib" }')
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    assert direct_url(root, "mylib")["dir_info"] == {"editable": False}
    (library / "src" / "mylib" / "__init__.py").write_text("VALUE = 2\n")
    assert python(root, "import mylib; print(mylib.VALUE)") == "1"  # a copy, not live


def test_add_editable_writes_the_source(tmp_path: Path, index: IndexServer) -> None:
    local_project(tmp_path / "mylib", "mylib")
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n"
    )
    result = tether(root, index, "add", "--editable", "../mylib")
    assert result.exit_code == 0, result.stderr
    text = (root / "pyproject.toml").read_text()
    assert 'dependencies = ["mylib"]' in text
    assert '[tool.tether.sources]\nmylib = {path = "../mylib", editable = true}' in text
    assert python(root, "import mylib; print(mylib.VALUE)") == "1"

    bad = tether(root, index, "add", "--editable", "../nowhere")
    assert bad.exit_code == 2
    assert "no pyproject.toml with a [project] name there" in bad.stderr


def test_a_dynamic_dependency_list_comes_from_the_backend(
    tmp_path: Path, index: IndexServer
) -> None:
    """`dynamic = ["dependencies"]`: what the directory's backend reports is locked (its
    test backend adds built-requires.txt's lines, as a setup.py computes them)."""
    library = local_project(tmp_path / "mylib", "mylib")
    text = (library / "pyproject.toml").read_text()
    (library / "pyproject.toml").write_text(
        text.replace("dependencies = []", 'dynamic = ["dependencies"]')
    )
    (library / "built-requires.txt").write_text("util>=2\n")
    root = service(tmp_path / "svc", '{ path = "../mylib", editable = true }')
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    mylib = next(p for p in data["packages"] if p["name"] == "mylib")
    assert mylib["dependencies"] == [{"name": "util"}]
    assert versions(root)["util"] == "2.0"


def test_a_path_source_applies_to_a_transitive_dependency(
    tmp_path: Path, index: IndexServer
) -> None:
    """`util = { path = ... }` at the root while only mylib depends on util: util is the
    local directory, never the index's package of that name (dependency confusion)."""
    local_project(tmp_path / "mylib", "mylib", dependencies='"util"')
    local_project(tmp_path / "util", "util", version="7.0")
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["mylib"]

            [tool.tether.sources]
            mylib = { path = "../mylib" }
            util = { path = "../util" }
            """
        )
    )
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    util = next(p for p in data["packages"] if p["name"] == "util")
    assert util["directory"] == {"path": "../util", "editable": False}
    assert "index" not in util
    assert versions(root)["util"] == "7.0"


def test_an_invalid_version_in_a_path_dependency(tmp_path: Path, index: IndexServer) -> None:
    library = local_project(tmp_path / "mylib", "mylib")
    text = (library / "pyproject.toml").read_text()
    (library / "pyproject.toml").write_text(text.replace('"0.3.0"', '"three"'))
    root = service(tmp_path / "svc", '{ path = "../mylib", editable = true }')
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert "its pyproject.toml is invalid: Invalid version: 'three'" in result.stderr
    assert not (root / "pylock.toml").exists()


def test_a_wheel_url_per_python_from_sources_with_markers(
    tmp_path: Path, index: IndexServer
) -> None:
    """The way ML projects pin prebuilt kernels (flash-attn): one wheel URL per Python,
    each source under its `python_version` marker. The lock holds both builds of the
    one version, each under its marker, and a sync installs the one for its Python."""
    builds = [
        Dist("fastkern", "2.8.3", tags=(f"cp3{minor}-none-any",),
             files={"fastkern/build.py": f"PYTHON = '3.{minor}'\n"})
        for minor in (11, 12)
    ]  # fmt: skip
    with IndexServer(builds) as releases:
        urls = {
            minor: releases.file_url(f"fastkern-2.8.3-cp3{minor}-none-any.whl")
            for minor in (11, 12)
        }
        root = tmp_path / "svc"
        root.mkdir()
        (root / "pyproject.toml").write_text(
            textwrap.dedent(
                f"""\
                [project]
                name = "svc"
                version = "0.1.0"
                requires-python = ">=3.11,<3.13"
                dependencies = ["fastkern==2.8.3", "util"]

                [tool.uv.sources]
                fastkern = [
                    {{ url = "{urls[11]}", marker = "python_version == '3.11'" }},
                    {{ url = "{urls[12]}", marker = "python_version == '3.12'" }},
                ]
                """
            )
        )
        result = tether(root, index, "sync")
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
        Pylock.from_dict(data)
        kernels = [
            (p["version"], p["marker"], p["archive"]["url"])
            for p in data["packages"]
            if p["name"] == "fastkern"
        ]
        assert kernels == [
            ("2.8.3", 'python_full_version < "3.12"', urls[11]),
            ("2.8.3", 'python_full_version >= "3.12"', urls[12]),
        ]
        running = python(root, "import sys; print(f'3.{sys.version_info[1]}')")
        assert python(root, "import fastkern.build; print(fastkern.build.PYTHON)") == running
        assert tether(root, index, "lock", "--check").exit_code == 0
