"""Flat indexes: pip's `--find-links` (`find-links = [...]` in `[tool.tether]` or
`[tool.uv]`) and uv's `format = "flat"` indexes, a local wheelhouse or an HTML page
that links the files of many projects (PyG's wheels for each torch build)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from packaging.pylock import Pylock

from tests.e2e.test_sync import index, python, versions
from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist, build_sdist, build_wheel
from tests.support.index_server import Fault, IndexServer

__all__ = ["index"]  # the fixture, used by name


def tether(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        *args, "--index-url", index.index_url,
        cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache")},
    )  # fmt: skip


def project(root: Path, dependencies: str, tool: str = "") -> Path:
    """The `svc` project needing `dependencies` (TOML array items), then `tool`."""
    root.mkdir(parents=True, exist_ok=True)
    head = (
        '[project]\nname = "svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependencies}]\n\n"
    )
    (root / "pyproject.toml").write_text(head + textwrap.dedent(tool))
    return root


def test_a_local_wheelhouse_is_locked_by_relative_path_and_installed(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(tmp_path / "svc", '"inhouse", "web"', '[tool.uv]\nfind-links = ["wheels"]\n')
    (root / "wheels").mkdir()
    inhouse = Dist("inhouse", "1.2", requires=["util>=2"])
    (root / "wheels" / "inhouse-1.2-py3-none-any.whl").write_bytes(
        build_wheel(inhouse, "py3-none-any")
    )
    (root / "wheels" / "inhouse-1.1.tar.gz").write_bytes(build_sdist(Dist("inhouse", "1.1")))
    (root / "wheels" / "notes.txt").write_text("not a distribution\n")
    result = tether(root, index, "sync")
    assert result.exit_code == 0, result.stderr
    text = (root / "pylock.toml").read_text()
    assert str(tmp_path) not in text  # nothing of this machine's paths
    data = tomllib.loads(text)
    Pylock.from_dict(data)
    locked = {p["name"]: p for p in data["packages"]}
    assert locked["inhouse"]["version"] == "1.2"
    assert "index" not in locked["inhouse"]
    assert [w["path"] for w in locked["inhouse"]["wheels"]] == [
        "wheels/inhouse-1.2-py3-none-any.whl"
    ]
    assert locked["util"]["version"] == "2.0"  # from the index, as before
    assert versions(root)["inhouse"] == "1.2"
    assert python(root, "import inhouse; print(inhouse.__version__)") == "1.2"
    assert tether(root, index, "lock", "--check").exit_code == 0
    # The exported requirements tell pip where the wheelhouse is: pip takes inhouse
    # from it, its hash checked, and nothing else from there.
    exported = tether(root, index, "export", "--frozen", "-o", "requirements.txt")
    assert exported.exit_code == 0, exported.stderr
    lines = (root / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if line.startswith("--")] == ["--find-links ./wheels"]
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
         "-r", "requirements.txt", "--index-url", index.index_url, "-d", "got", "-q"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert download.returncode == 0, download.stderr
    assert "inhouse-1.2-py3-none-any.whl" in {p.name for p in (root / "got").iterdir()}


def test_a_flat_page_is_read_once_and_serves_the_packages_pinned_to_it(
    tmp_path: Path, index: IndexServer
) -> None:
    """PyG's setup: `torch-scatter` and `torch-sparse` from a page of prebuilt wheels
    for one torch build (PyPI has only their sdists, which need torch to build)."""
    builds = [
        Dist("torch-scatter", "2.1.2+pt25cpu", tags=["py3-none-any"]),
        Dist("torch-sparse", "0.6.18+pt25cpu", tags=["py3-none-any"], requires=["util"]),
    ]
    with IndexServer([]) as pyg:
        pyg.add(*builds, at="/hidden")  # served under /files/, on no simple page
        links = "".join(
            f'<a href="/files/{name}">{name}</a><br>\n'
            for name in (
                "torch_scatter-2.1.2+pt25cpu-py3-none-any.whl",
                "torch_sparse-0.6.18+pt25cpu-py3-none-any.whl",
            )
        )
        pyg.fault("/whl/torch-2.5.0+cpu.html", Fault.answer(links.encode(), "text/html"))
        page = f"{pyg.url}/whl/torch-2.5.0+cpu.html"
        root = project(
            tmp_path / "svc",
            '"torch-scatter", "torch-sparse"',
            f"""\
            [[tool.tether.index]]
            name = "pyg"
            url = "{page}"
            format = "flat"
            explicit = true

            [tool.tether.sources]
            torch-scatter = {{ index = "pyg" }}
            torch-sparse = {{ index = "pyg" }}
            """,
        )
        result = tether(root, index, "lock")
        assert result.exit_code == 0, result.stderr
        data = tomllib.loads((root / "pylock.toml").read_text())
        asked = [r.path for r in pyg.requests if r.path.endswith(".html")]
    locked = {p["name"]: p for p in data["packages"]}
    assert (locked["torch-scatter"]["version"], locked["torch-scatter"]["index"]) == (
        "2.1.2+pt25cpu",
        page,
    )
    assert locked["torch-sparse"]["version"] == "0.6.18+pt25cpu"
    assert locked["util"]["version"] == "2.0"
    assert asked == ["/whl/torch-2.5.0+cpu.html"]


def test_a_find_links_directory_that_is_not_there_is_a_clear_error(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(tmp_path / "svc", '"web"', '[tool.tether]\nfind-links = ["vendor/wheels"]\n')
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert f"the flat index {root / 'vendor' / 'wheels'} is not a directory" in result.stderr
    assert not (root / "pylock.toml").exists()
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace(
            'find-links = ["vendor/wheels"]',
            '[[tool.tether.index]]\nname = "x"\nurl = "wheels"\nformat = "tree"',
        )
    )
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert 'index "x" has an unknown format "tree"' in result.stderr


def test_pip_compile_and_sync_read_find_links_from_the_file(
    tmp_path: Path, index: IndexServer
) -> None:
    """pip-tools' `-f ./wheels` in requirements.in: the compiled file keeps the line,
    and `pip sync` installs the wheelhouse's wheel from it, hash checked."""
    import subprocess
    import sys

    work = tmp_path / "work"
    (work / "wheels").mkdir(parents=True)
    (work / "wheels" / "inhouse-1.2-py3-none-any.whl").write_bytes(
        build_wheel(Dist("inhouse", "1.2", requires=["util>=2"]), "py3-none-any")
    )
    (work / "requirements.in").write_text("-f wheels\ninhouse\n")
    compiled = tether(work, index, "pip", "compile", "requirements.in", "--generate-hashes",
                      "-o", "requirements.txt")  # fmt: skip
    assert compiled.exit_code == 0, compiled.stderr
    text = (work / "requirements.txt").read_text()
    assert "--find-links wheels\n" in text
    assert "inhouse==1.2 \\\n    --hash=sha256:" in text
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / ".venv")], check=True)
    synced = tether(work, index, "pip", "sync", "requirements.txt")
    assert synced.exit_code == 0, synced.stderr
    assert python(work, "import inhouse, util; print(inhouse.__version__, util.__version__)") == (
        "1.2 2.0"
    )


def test_lock_takes_find_links_from_the_command_line(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"inhouse"')
    wheels = tmp_path / "wheelhouse"
    wheels.mkdir()
    (wheels / "inhouse-1.2-py3-none-any.whl").write_bytes(
        build_wheel(Dist("inhouse", "1.2"), "py3-none-any")
    )
    missing = tether(root, index, "lock")
    assert missing.exit_code == 1
    found = tether(root, index, "lock", "--find-links", str(wheels))
    assert found.exit_code == 0, found.stderr
    locked = {p["name"]: p for p in tomllib.loads((root / "pylock.toml").read_text())["packages"]}
    assert locked["inhouse"]["wheels"][0]["path"] == "../wheelhouse/inhouse-1.2-py3-none-any.whl"


def test_a_flat_page_that_is_not_there_is_a_clear_error(tmp_path: Path, index: IndexServer) -> None:
    with IndexServer([]) as pyg:
        page = f"{pyg.url}/whl/torch-9.9.9+cpu.html"
        root = project(tmp_path / "svc", '"web"', f'[tool.tether]\nfind-links = ["{page}"]\n')
        result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert "the flat index page" in result.stderr
    assert "404" in result.stderr
    assert not (root / "pylock.toml").exists()
