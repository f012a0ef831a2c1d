"""A team's devpi-server (installed from PyPI by these tests, started and stopped by
them): `tether publish` of a private package to `team/dev`, `lock` and `sync` of a
project that needs it and PyPI packages through the `root/pypi` mirror, `index
versions` on both, a `credential-command`, first-index-wins against a private name that
also exists on PyPI, and eight clients with their own caches at once.

Needs PyPI (the server mirrors it), as the team's server does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import RunResult, run_tether
from tests.support.devpi import PASSWORD, USER, Devpi, devpi_server, install_devpi
from tests.support.dists import Dist, build_wheel

# Part of the default run (CI included): a team's server is a first-class target. It
# needs PyPI, as the suite's own set-up does; `-m "not devpi"` leaves it out.
pytestmark = pytest.mark.devpi

CLIENTS = 8


@pytest.fixture(scope="module")
def devpi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devpi]:
    base = tmp_path_factory.mktemp("devpi")
    bin_dir = install_devpi(base / "tool-env")
    with devpi_server(bin_dir, base / "state") as server:
        yield server


def wheels(directory: Path, *dists: Dist) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for dist in dists:
        path = directory / f"{dist.stem}-py3-none-any.whl"
        path.write_bytes(build_wheel(dist, "py3-none-any"))
        written.append(path)
    return written


def project(root: Path, devpi: Devpi, dependencies: str, extra: str = "") -> Path:
    """A project whose first index is the team's, with PyPI through the mirror after it."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = [{dependencies}]

            [[tool.tether.index]]
            name = "team"
            url = "{devpi.team}"
            publish-url = "{devpi.upload}"
            username = "{USER}"
            {extra}

            [[tool.tether.index]]
            name = "mirror"
            url = "{devpi.mirror}"
            default = true
            """
        )
    )
    return root


def tether(root: Path, *args: str, env: dict[str, str] | None = None) -> RunResult:
    return run_tether(
        *args,
        cwd=root,
        env={"TETHER_CACHE_DIR": str(root.parent / "cache"), **(env or {})},
        timeout=600,
    )


def locked(root: Path) -> dict[str, dict[str, object]]:
    return {p["name"]: p for p in tomllib.loads((root / "pylock.toml").read_text())["packages"]}


def test_publish_lock_sync_and_versions_through_a_team_devpi(tmp_path: Path, devpi: Devpi) -> None:
    files = wheels(tmp_path / "dist", Dist("teamlib", "1.0", requires=("idna>=3",)))
    wrong = run_tether(
        "publish", "--publish-url", devpi.upload, *map(str, files), cwd=tmp_path,
        env={"TETHER_PUBLISH_USERNAME": USER, "TETHER_PUBLISH_PASSWORD": "not-it"},
    )  # fmt: skip
    assert wrong.exit_code == 1
    assert "refused the credentials" in wrong.stderr
    assert "not-it" not in wrong.stderr + wrong.stdout
    published = run_tether(
        "publish", "--publish-url", devpi.upload, *map(str, files), cwd=tmp_path,
        env={"TETHER_PUBLISH_USERNAME": USER, "TETHER_PUBLISH_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert published.exit_code == 0, published.stderr
    assert f"Uploaded teamlib-1.0-py3-none-any.whl to {devpi.upload}" in published.stderr
    assert PASSWORD not in published.stderr + published.stdout

    root = project(tmp_path / "svc", devpi, '"teamlib", "six"')
    synced = tether(root, "sync")
    assert synced.exit_code == 0, synced.stderr
    # devpi serves neither PEP 658 metadata nor ranges: locking read each wheel whole,
    # and the sync installs those very files instead of downloading them again.
    assert "3 installed, 0 replaced, 0 removed (0 downloaded)" in synced.stderr
    packages = locked(root)
    assert set(packages) == {"idna", "six", "teamlib"}
    # team/dev inherits root/pypi, so as the first index it serves PyPI's packages too
    # (their files are the mirror's).
    assert {packages[n]["index"] for n in packages} == {devpi.team.rstrip("/")}
    ran = tether(root, "run", "python", "-c", "import teamlib, six, idna; print('ok')")
    assert ran.stdout == "ok\n", ran.stderr
    # The server's own log: the mirror served PyPI's files.
    served = devpi.served()
    assert any(p.startswith("/root/pypi/+f/") and "six-" in p for p in served)
    assert any(p.startswith("/team/dev/+f/") and "teamlib-1.0" in p for p in served)

    team_versions = tether(root, "index", "versions", "teamlib", "--index", "team")
    assert team_versions.exit_code == 0, team_versions.stderr
    assert "1.0" in team_versions.stdout
    mirror_versions = tether(root, "index", "versions", "six", "--index", "mirror")
    assert mirror_versions.exit_code == 0, mirror_versions.stderr
    assert "1.17.0" in mirror_versions.stdout


def test_a_credential_command_publishes_and_a_private_name_wins_over_pypi(
    tmp_path: Path, devpi: Devpi
) -> None:
    """`six` published privately (0.0.1) and on PyPI (1.17.0): the team's index comes
    first, so its `six` is the one locked, never PyPI's newer one."""
    helper = tmp_path / "token.py"  # what `gcloud auth print-access-token` would be
    helper.write_text(f"print({PASSWORD!r})\n")
    command = json.dumps(f"{sys.executable} {helper}")
    root = project(tmp_path / "svc", devpi, '"six"', extra=f"credential-command = {command}")
    wheels(root / "dist", Dist("six", "0.0.1"))
    published = tether(root, "publish", "--index", "team")
    assert published.exit_code == 0, published.stderr
    assert PASSWORD not in published.stderr + published.stdout
    done = tether(root, "lock")
    assert done.exit_code == 0, done.stderr
    six = locked(root)["six"]
    assert six["version"] == "0.0.1"
    assert six["index"] == devpi.team.rstrip("/")
    # Through the team's index alone, devpi itself hides the mirror's `six` as well.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "pyproject.toml").write_text(
        '[project]\nname = "alone"\nversion = "0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["six"]\n'
    )
    only_team = tether(alone, "lock", "--index-url", devpi.team)
    assert only_team.exit_code == 0, only_team.stderr
    assert locked(alone)["six"]["version"] == "0.0.1"


def test_eight_clients_with_their_own_caches_lock_and_sync_at_once(
    tmp_path: Path, devpi: Devpi
) -> None:
    (wheel,) = wheels(tmp_path / "dist", Dist("teamtool", "2.0", requires=("requests>=2.31",)))
    published = run_tether(
        "publish", "--publish-url", devpi.upload, str(wheel), cwd=tmp_path,
        env={"TETHER_PUBLISH_USERNAME": USER, "TETHER_PUBLISH_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert published.exit_code == 0, published.stderr
    roots = [
        project(tmp_path / f"client-{n}" / "svc", devpi, '"teamtool", "attrs"')
        for n in range(CLIENTS)
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tether", "sync"],
            cwd=root,
            env={**environ, "NO_COLOR": "1", "TETHER_CACHE_DIR": str(root.parent / "cache")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for root in roots
    ]
    outcomes = [p.communicate(timeout=600) for p in processes]
    seconds = time.monotonic() - started
    for process, (_out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err
    locks = {(root / "pylock.toml").read_text() for root in roots}
    assert len(locks) == 1  # every client locked the same thing
    for root in roots:
        assert (root / ".venv" / "bin" / "python").exists()
        assert {"attrs", "requests", "teamtool"} <= set(locked(root))
    print(f"\n{CLIENTS} clients locked and synced at once through devpi in {seconds:.1f} s")
    shutil.rmtree(tmp_path / "dist")
