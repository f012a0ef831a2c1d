"""Interpreter discovery against the real Pythons on this machine (pyenv provides 3.8 to
3.13 on every machine tether is developed and tested on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.support.cli import run_tether
from tether.cache import Bucket, Cache
from tether.errors import PythonNotFound
from tether.python.discovery import PythonRequest, SearchPath, candidates, select
from tether.python.interpreter import describe

PYENV = Path.home() / ".pyenv" / "versions"
MINORS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


def pyenv_python(minor: str) -> Path:
    for install in sorted(PYENV.glob(f"{minor}.*")):
        if install.name.count(".") == 2 and (install / "bin" / "python3").exists():
            return install / "bin" / "python3"
    pytest.skip(f"no pyenv Python {minor} here")


@pytest.mark.parametrize("minor", MINORS)
def test_describe_each_python(minor: str, tmp_path: Path) -> None:
    python = pyenv_python(minor)
    interpreter = describe(python, Cache(tmp_path))
    assert f"{interpreter.version.major}.{interpreter.version.minor}" == minor
    assert interpreter.implementation == "cpython"
    assert interpreter.markers["python_version"] == minor
    assert interpreter.markers["sys_platform"] == sys.platform
    assert interpreter.paths["purelib"].endswith(f"python{minor}/site-packages")
    assert not interpreter.is_virtualenv
    tags = [str(t) for t in interpreter.tags()]
    short = minor.replace(".", "")
    assert tags[0].startswith(f"cp{short}-cp{short}-")
    assert f"cp{short}-abi3-manylinux_2_17_x86_64" in tags or "x86_64" not in tags[0]
    assert tags[-1] == "py30-none-any" or tags[-1].endswith("-none-any")
    assert f"py{minor[0]}-none-any" in tags


def test_answers_are_cached_by_path_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    python = Path(sys.executable)
    first = describe(python, cache)
    assert len(list(cache.entries(Bucket.INTERPRETERS))) == 1

    def no_subprocess(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("asked the interpreter again")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert describe(python, cache) == first


def test_a_virtualenv_is_recognised(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True
    )
    interpreter = describe(tmp_path / "venv" / "bin" / "python")
    assert interpreter.is_virtualenv
    assert interpreter.paths["purelib"].startswith(str(tmp_path / "venv"))


def test_not_an_interpreter(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(PythonNotFound, match="did not answer like a Python interpreter"):
        describe(fake)
    with pytest.raises(PythonNotFound, match="no Python interpreter at"):
        describe(tmp_path / "missing")


def test_select_by_request_and_requires_python(tmp_path: Path) -> None:
    search = SearchPath(managed=(PYENV,))
    cache = Cache(tmp_path)
    chosen = select(PythonRequest.parse("3.9"), SpecifierSet(), search, cache)
    assert (chosen.version.major, chosen.version.minor) == (3, 9)
    newest = select(None, SpecifierSet(">=3.10"), search, cache)
    assert newest.version >= Version("3.12")  # managed installs are tried newest first
    with pytest.raises(PythonNotFound) as info:
        select(PythonRequest.parse("3.9"), SpecifierSet(">=3.11"), search, cache)
    assert info.value.message.startswith(
        "no Python interpreter satisfies '3.9' and requires-python >=3.11 (found: cpython "
    )


def test_candidates_skip_shims_and_duplicates(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "python3").symlink_to(sys.executable)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    (bin_dir / "python").symlink_to(sys.executable)
    found = list(candidates(SearchPath(path=(shims, bin_dir))))
    assert found == [bin_dir / "python3"]


@pytest.mark.parametrize(
    ("text", "specifier", "implementation"),
    [
        ("3.12", "==3.12.*", None),
        ("3.12.1", "==3.12.1", None),
        (">=3.11,<3.13", "<3.13,>=3.11", None),
        ("cpython@3.11", "==3.11.*", "cpython"),
        ("pypy3.10", "==3.10.*", "pypy"),
        ("python3.13", "==3.13.*", None),
        ("cpython", "", "cpython"),
    ],
)
def test_request_parsing(text: str, specifier: str, implementation: str | None) -> None:
    request = PythonRequest.parse(text)
    assert (str(request.specifier), request.implementation, request.path) == (
        specifier,
        implementation,
        None,
    )


def test_request_paths_and_nonsense() -> None:
    assert PythonRequest.parse("/usr/bin/python3").path == Path("/usr/bin/python3")
    with pytest.raises(PythonNotFound, match="cannot understand the Python request 'three'"):
        PythonRequest.parse("three")


def test_cli_list_and_find(tmp_path: Path) -> None:
    env = {"TETHER_CACHE_DIR": str(tmp_path / "c")}
    listed = run_tether("python", "list", cwd=tmp_path, env=env)
    assert listed.exit_code == 0, listed.stderr
    assert "cpython-3." in listed.stdout
    found = run_tether("python", "find", "3.99", cwd=tmp_path, env=env)
    assert found.exit_code == 1
    assert found.stderr.startswith("error: no Python interpreter satisfies '3.99' (found: ")
    assert found.stderr.endswith(
        "hint: install one (e.g. `pyenv install 3.99`), or pass --python PATH\n"
    )
