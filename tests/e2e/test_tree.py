"""`tether tree`: the locked graph drawn from the project down, inverted with `--why`,
cut with `--depth`, and a clear error when there is no lock or no such package."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def test_tree_draws_the_lock_and_inverts_it(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    assert tether(root, index, "lock").exit_code == 0

    drawn = tether(root, index, "tree")
    assert drawn.exit_code == 0, drawn.stderr
    assert drawn.stdout == ("svc 0.1.0\n├── testkit 1.0\n└── web 2.0\n    └── util 2.0\n")

    runtime = tether(root, index, "tree", "--no-dev")
    assert runtime.stdout == "svc 0.1.0\n└── web 2.0\n    └── util 2.0\n"

    shallow = tether(root, index, "tree", "--depth", "1")
    assert shallow.stdout == "svc 0.1.0\n├── testkit 1.0\n└── web 2.0\n"

    why = tether(root, index, "tree", "--why", "Util")
    assert why.exit_code == 0, why.stderr
    assert why.stdout == "util 2.0\n└── web 2.0\n    └── svc 0.1.0\n"


def test_tree_errors_name_the_problem(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"web"')
    missing = tether(root, index, "tree")
    assert missing.exit_code == 1
    assert "pylock.toml does not exist" in missing.stderr
    assert "tether lock" in missing.stderr

    assert tether(root, index, "lock").exit_code == 0
    unknown = tether(root, index, "tree", "--why", "nope")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error: nope is not in the lock")


def test_outdated_shows_the_newest_usable_release(tmp_path: Path, index: IndexServer) -> None:
    from tests.support.dists import Dist

    index.add(Dist("util", "3.0", requires_python=">=3.99"), Dist("web", "3.0rc1"))
    root = project(tmp_path / "svc", '"web<2", "util<2"')
    assert tether(root, index, "lock").exit_code == 0
    drawn = tether(root, index, "tree", "--outdated", "--no-dev")
    assert drawn.exit_code == 0, drawn.stderr
    # util 3.0 needs a Python the project does not support; web 3.0rc1 is a pre-release.
    assert drawn.stdout == (
        "svc 0.1.0\n├── util 1.0 (latest: 2.0)\n└── web 1.0 (latest: 2.0)\n"
        "    └── util 1.0 (latest: 2.0)\n"
    )
