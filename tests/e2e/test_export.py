"""`tether export`: a requirements file pip installs with `--require-hashes`, with the
lock's markers kept and its extras/groups decided for the selection."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.pylock import Pylock

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]

DEPENDENCIES = '"web", "winonly; sys_platform == \'win32\'"'


def test_export_selects_groups_and_keeps_markers(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", DEPENDENCIES)
    plain = tether(root, index, "export", "--no-dev", "--no-hashes")
    assert plain.exit_code == 0, plain.stderr
    assert (root / "pylock.toml").exists()  # exported from a fresh lock
    assert plain.stdout.splitlines()[2:] == [
        "util==2.0",
        "web==2.0",
        'winonly==1.0 ; sys_platform == "win32"',
    ]
    assert plain.stdout.splitlines()[1] == "#    tether export --no-dev --no-hashes"

    with_dev = tether(root, index, "export", "--no-hashes", "--frozen")
    assert with_dev.stdout.splitlines()[2] == "testkit==1.0"

    unknown = tether(root, index, "export", "--group", "docs")
    assert unknown.exit_code == 1
    assert "no dependency group 'docs'" in unknown.stderr
    assert "its groups: dev" in unknown.stderr


def test_pip_installs_the_export_with_require_hashes(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", DEPENDENCIES)
    result = tether(root, index, "export", "-o", "requirements.txt")
    assert result.exit_code == 0, result.stderr
    text = (root / "requirements.txt").read_text()
    assert text.count("--hash=sha256:") == 4  # one wheel each for util, web, testkit, winonly
    assert "--index-url" not in text

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    environ = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-cache-dir",
         "--require-hashes", "--index-url", index.index_url, "-r", str(root / "requirements.txt")],
        capture_output=True, text=True, env=environ, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "freeze"],
        capture_output=True, text=True, env=environ, check=True,
    ).stdout  # fmt: skip
    assert {"util==2.0", "web==2.0", "testkit==1.0"} <= set(listed.split())
    assert "winonly" not in listed

    lying = text.replace(text.split("--hash=sha256:")[1][:64], "0" * 64)
    (root / "requirements.txt").write_text(lying)
    refused = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-cache-dir",
         "--force-reinstall", "--require-hashes", "--index-url", index.index_url,
         "-r", str(root / "requirements.txt")],
        capture_output=True, text=True, env=environ, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "HASHES" in refused.stderr.upper()


def test_dockerfile_export_is_multi_stage_non_root_and_runtime_only(
    tmp_path: Path, index: IndexServer
) -> None:
    root = project(tmp_path / "svc", DEPENDENCIES)
    result = tether(root, index, "export", "--format", "dockerfile")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert lines[0] == "# syntax=docker/dockerfile:1"
    stages = [line for line in lines if line.startswith("FROM ")]
    assert stages == [
        "FROM python:${PYTHON_VERSION}-slim AS builder",
        "FROM python:${PYTHON_VERSION}-slim AS runtime",
    ]
    assert "ARG PYTHON_VERSION=3.11" in lines  # the oldest requires-python admits
    start, end = (
        lines.index("COPY <<'REQUIREMENTS' /tmp/requirements.txt"),
        lines.index("REQUIREMENTS"),
    )
    embedded = "\n".join(lines[start + 1 : end])
    assert embedded.count("--hash=sha256:") == 3  # util, web, winonly: no dev group
    assert "testkit" not in text
    assert "--require-hashes --no-deps" in text
    runtime = lines[lines.index(stages[1]) :]
    assert "USER app" in runtime
    assert runtime.index("USER app") > runtime.index("COPY --from=builder /opt/venv /opt/venv")
    assert lines[-1] == 'CMD ["python"]'


def test_pylock_export_is_a_valid_lock_of_the_selection(tmp_path: Path, index: IndexServer) -> None:

    root = project(tmp_path / "svc", DEPENDENCIES)
    result = tether(
        root, index, "export", "--format", "pylock", "--no-dev", "-o", "pylock.prod.toml"
    )
    assert result.exit_code == 0, result.stderr

    data = tomllib.loads((root / "pylock.prod.toml").read_text())
    lock = Pylock.from_dict(data)
    assert sorted((p.name, str(p.marker or "")) for p in lock.packages) == [
        ("util", ""),
        ("web", ""),
        ("winonly", 'sys_platform == "win32"'),
    ]
    assert data["dependency-groups"] == []
    assert "inputs" not in data.get("tool", {}).get("tether", {})
    selected = {
        package.name
        for package, _ in lock.select(
            environment={**default_environment(), "sys_platform": "linux"},
            dependency_groups=(),
        )
    }
    assert selected == {"util", "web"}
