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
