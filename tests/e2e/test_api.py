"""`tether.api`: the README's example runs as written, against the local test index;
and the functions return values, raising `TetherError`s rather than exiting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.dists import Dist
from tests.support.index_server import IndexServer

README = Path(__file__).parents[2] / "README.md"
REQUESTS = [
    Dist("requests", "2.31.0", requires=["idna>=2.5", "urllib3>=1.21.1", "certifi>=2017.4.17"]),
    Dist("requests", "2.32.3", requires=["idna>=2.5", "urllib3>=1.21.1", "certifi>=2017.4.17"]),
    Dist("idna", "3.10"),
    Dist("urllib3", "2.2.3"),
    Dist("certifi", "2024.8.30"),
]


def readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_readme_example_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["requests>=2.31"]\n'
    )
    (tmp_path / "example.py").write_text(readme_example())
    with IndexServer(REQUESTS) as index:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
        environ |= {"TETHER_INDEX_URL": index.index_url, "TETHER_CACHE_DIR": str(tmp_path / "c")}
        ran = subprocess.run(
            [sys.executable, "example.py"], cwd=tmp_path, env=environ,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "locked 4 packages into pylock.toml"
    assert lines[1] == "synced .venv (4 installed)"
    assert lines[2].startswith("urllib3==2.2.3")
    assert lines[3] == (
        "{'certifi': '2024.8.30', 'idna': '3.10', 'requests': '2.32.3', 'urllib3': '2.2.3'}"
    )
    assert lines[4] == "cannot resolve: no versions satisfy the requirements"
    assert (tmp_path / ".venv" / "lib").is_dir()
    assert ran.stderr == ""  # nothing printed: values are returned


def test_api_errors_are_tether_errors(tmp_path: Path) -> None:
    from tether import api

    with pytest.raises(api.TetherError) as info:
        api.lock(tmp_path, environ={"TETHER_CACHE_DIR": str(tmp_path / "c")})
    assert "pyproject.toml" in info.value.message
    with pytest.raises(api.TetherError) as bad:
        api.resolve(["requests>="], environ={})
    assert bad.value.message.startswith("invalid requirement 'requests>='")


def test_importing_the_api_is_cheap() -> None:
    code = (
        "import sys, tether.api; "
        "print(sorted(m for m in sys.modules if m.startswith(('tether.commands', 'urllib3'))))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert ran.stdout == "[]\n"
