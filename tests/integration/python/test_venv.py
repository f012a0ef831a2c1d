"""Virtual environments tether creates: real interpreters run in them, pip installs
into them, activation works, replacing one is atomic."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.python.test_interpreters import MINORS, pyenv_python
from tests.support.cli import run_tether
from tests.support.dists import Dist, build_wheel
from tether.cache import Cache
from tether.python.interpreter import describe
from tether.python.venv import base_of, create


def run(python: Path, code: str) -> str:
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("minor", MINORS)
def test_a_venv_for_each_python(minor: str, tmp_path: Path) -> None:
    interpreter = describe(pyenv_python(minor), Cache(tmp_path / "cache"))
    env = create(tmp_path / "env", interpreter, prompt="demo")
    prefix, base, site = run(
        env.python,
        "import sys, sysconfig; print(sys.prefix); print(sys.base_prefix); "
        "print(sysconfig.get_paths()['purelib'])",
    ).splitlines()
    assert Path(prefix) == tmp_path / "env"
    assert Path(base).resolve() == Path(interpreter.base_prefix).resolve()
    assert Path(site) == tmp_path / "env" / "lib" / f"python{minor}" / "site-packages"
    assert Path(site).is_dir()
    assert describe(env.python).is_virtualenv
    assert stat.S_IMODE((tmp_path / "env").stat().st_mode) == 0o777 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_activation_and_pip_interop(tmp_path: Path) -> None:
    env = create(tmp_path / ".venv", describe(Path(sys.executable)), prompt="svc")
    activated = subprocess.run(
        [
            "bash",
            "-c",
            f"source {env.root}/bin/activate && command -v python && echo $VIRTUAL_ENV_PROMPT",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert activated[0] == str(env.root / "bin" / "python")
    assert activated[-1].strip() in ("(svc)", "svc", "(svc) ")
    wheel = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(build_wheel(Dist("demo-pkg", "1.0"), "py3-none-any"))
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    pip_env["PIP_CONFIG_FILE"] = os.devnull
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env.python), "install", "--no-index",
         "--no-deps", str(wheel)],
        env=pip_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    assert run(env.python, "import demo_pkg; print(demo_pkg.__version__)") == "1.0"


def test_replacing_an_environment(tmp_path: Path) -> None:
    first = describe(pyenv_python("3.12"))
    second = describe(pyenv_python("3.11"))
    root = tmp_path / ".venv"
    create(root, first)
    (root / "marker.txt").write_text("old")
    create(root, second)
    assert not (root / "marker.txt").exists()
    assert run(root / "bin" / "python", "import sys; print(sys.version_info[:2])") == "(3, 11)"
    assert base_of(root) == Path(second.executable).resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".venv"]  # no staging left behind
    assert base_of(tmp_path / "nowhere") is None


def test_cli_venv_uses_the_projects_python(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [project]
            name = "svc"
            version = "0.1"
            requires-python = ">=3.10,<3.11"
            """
        )
    )
    pyenv_python("3.10")
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(Path.home())}
    result = run_tether("venv", cwd=tmp_path, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"Created {tmp_path / '.venv'} with cpython 3.10.")
    assert (
        run(tmp_path / ".venv" / "bin" / "python", "import sys; print(sys.version_info[:2])")
        == "(3, 10)"
    )
    failed = run_tether("venv", "--python", "3.12", cwd=tmp_path, env=env)
    assert failed.exit_code == 1
    assert "requires-python <3.11,>=3.10" in failed.stderr
