"""`tether upgrade`: a plain re-lock keeps locked versions; upgrade moves them to the
newest allowed, lists what moved, and syncs."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project, versions
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def test_upgrade_moves_locked_versions_and_reports_them(tmp_path: Path, index: IndexServer) -> None:
    root = project(tmp_path / "svc", '"util<2"')
    assert tether(root, index, "sync").exit_code == 0
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"util<2"', '"util"'))
    assert tether(root, index, "lock").exit_code == 0
    assert 'name = "util"\nversion = "1.0"' in (root / "pylock.toml").read_text()

    unknown = tether(root, index, "upgrade", "nosuch")
    assert unknown.exit_code == 1
    assert "nosuch is not in" in unknown.stderr

    moved = tether(root, index, "upgrade", "util")
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout.splitlines() == ["Package  Before  After", "util     1.0     2.0"]
    assert "Upgraded 1 package" in moved.stderr
    assert versions(root)["util"] == "2.0"

    again = tether(root, index, "upgrade", "--no-sync")
    assert again.exit_code == 0, again.stderr
    assert again.stdout == ""
    assert "Nothing to upgrade" in again.stderr
