"""`tether run`: lock and sync when stale, then become the command; fast when in sync."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_sync import UNIVERSE, project
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer

HEAVY = (
    "urllib3",
    "tether.resolve",
    "tether.provider",
    "tether.index.client",
    "rich",
    "http.client",
)


def test_run_syncs_then_runs_and_passes_the_exit_code(tmp_path: Path) -> None:
    with IndexServer(UNIVERSE) as index:
        root = project(tmp_path / "svc", '"util==2.0"')
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
        first = run_tether(
            "run", "python", "-c", "import util; print(util.__version__)", cwd=root, env=env
        )
        assert first.exit_code == 0, first.stderr
        assert first.stdout == "2.0\n"
        code = run_tether("run", "--", "python", "-c", "import sys; sys.exit(7)", cwd=root, env=env)
        assert code.exit_code == 7
        # In sync: no resolver, index client or HTTP is imported.
        timed = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "tether", "run", "python", "-c", "pass"],
            cwd=root, env={**_base_env(), **env}, capture_output=True, text=True, check=True,
        )  # fmt: skip
        imported = set(re.findall(r"\|\s+([\w.]+)$", timed.stderr, re.M))
        assert sorted(m for m in imported if m.startswith(HEAVY)) == []
        # ...nor even the command line, TOML or packaging: two hashes and an exec.
        assert "tether.cli.fastrun" in imported
        lean = (
            "tether.cli.main",
            "tether.cli.console",
            "tether.project",
            "packaging",
            "tomllib",
            "argparse",
            "pathlib",
        )
        # What the interpreter imports before tether runs at all (site hooks, a coverage
        # hook under CI, which reads its config with tomllib) is not tether's doing.
        bare = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "pass"],
            cwd=root, env={**_base_env(), **env}, capture_output=True, text=True, check=True,
        )  # fmt: skip
        baseline = set(re.findall(r"\|\s+([\w.]+)$", bare.stderr, re.M))
        assert sorted(m for m in imported - baseline if m.startswith(lean)) == []
        # A changed dependency locks and syncs again before running.
        project(root, '"util==1.0"')
        changed = run_tether(
            "run", "python", "-c", "import util; print(util.__version__)", cwd=root, env=env
        )
        assert changed.stdout == "1.0\n", changed.stderr


def test_run_without_a_command_or_with_an_unknown_one(tmp_path: Path) -> None:
    with IndexServer(UNIVERSE) as index:
        root = project(tmp_path / "svc", '"util"')
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
        nothing = run_tether("run", cwd=root, env=env)
        assert (nothing.exit_code, nothing.stderr.splitlines()[0]) == (
            2,
            "error: no command to run",
        )
        unknown = run_tether("run", "no-such-program-xyz", cwd=root, env=env)
        assert unknown.exit_code == 2
        assert unknown.stderr.startswith("error: command not found: no-such-program-xyz\n")


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}


def test_run_with_an_extra_package_leaves_the_project_alone(tmp_path: Path) -> None:
    with IndexServer(UNIVERSE) as index:
        root = project(tmp_path / "svc", '"util==1.0"')
        env = {"TETHER_CACHE_DIR": str(tmp_path / "cache"), "TETHER_INDEX_URL": index.index_url}
        code = "import util, testkit; print(util.__version__, testkit.__version__)"
        result = run_tether(
            "run", "--with", "testkit", "--", "python", "-c", code, cwd=root, env=env
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout == "1.0 1.0\n"
        plain = run_tether("run", "python", "-c", "import testkit", cwd=root, env=env)
        # testkit is in the project's dev group: present; a package outside it is not.
        assert plain.exit_code == 0
        absent = run_tether("run", "python", "-c", "import web", cwd=root, env=env)
        assert absent.exit_code == 1
        present = run_tether(
            "run",
            "--with",
            "web<2",
            "--",
            "python",
            "-c",
            "import web; print(web.__version__)",
            cwd=root,
            env=env,
        )
        assert present.stdout == "1.0\n", present.stderr
        again = run_tether("run", "python", "-c", "import web", cwd=root, env=env)
        assert again.exit_code == 1  # still not in the project's environment
