"""A `pylock.toml` left with git conflict markers by a merge of two branches that each
added a dependency: `tether lock` keeps both additions and every untouched pin."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from tests.e2e.test_add import tether
from tests.e2e.test_sync import project
from tests.support.index_server import IndexServer

pytest_plugins = ["tests.e2e.test_add"]


def _locked(root: Path) -> dict[str, str]:
    data = tomllib.loads((root / "pylock.toml").read_text())
    return {p["name"]: p["version"] for p in data["packages"]}


def _lock_with(root: Path, index: IndexServer, dependencies: str) -> str:
    project(root, dependencies)
    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    return (root / "pylock.toml").read_text()


def test_a_conflicted_lock_merges_both_sides(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    base = _lock_with(root, index, '"util<2"')
    assert _locked(root)["util"] == "1.0"
    # Both branches relax util (a re-lock keeps 1.0) and add one dependency each.
    ours = _lock_with(root, index, '"util", "web<2"')
    theirs = _lock_with(root, index, '"util", "winonly"')
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(text)
    merged = subprocess.run(
        ["git", "merge-file", "-p", "--diff3", str(tmp_path / "ours"), str(tmp_path / "base"),
         str(tmp_path / "theirs")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert merged.returncode > 0  # conflicts
    assert "<<<<<<<" in merged.stdout
    (root / "pylock.toml").write_text(merged.stdout)
    project(root, '"util", "web<2", "winonly"')  # the pyproject conflict, resolved by hand

    checked = tether(root, index, "lock", "--check")
    assert checked.exit_code == 1
    assert "holds git conflict markers" in checked.stderr

    result = tether(root, index, "lock")
    assert result.exit_code == 0, result.stderr
    assert "Merged the git conflict in pylock.toml" in result.stderr
    assert "web 1.0: from ours" in result.stderr
    assert "winonly 1.0: from theirs" in result.stderr
    text = (root / "pylock.toml").read_text()
    assert "<<<<<<<" not in text
    assert _locked(root) == {"testkit": "1.0", "util": "1.0", "web": "1.0", "winonly": "1.0"}
    assert tether(root, index, "lock", "--check").exit_code == 0


def test_a_conflict_that_is_not_toml_on_a_side_says_what_to_do(
    tmp_path: Path, index: IndexServer
) -> None:
    root = tmp_path / "svc"
    _lock_with(root, index, '"util"')
    (root / "pylock.toml").write_text('<<<<<<< ours\n[[packages]\nname = "x"\n=======\n>>>>>>> b\n')
    result = tether(root, index, "lock")
    assert result.exit_code == 1
    assert "a side of the conflict is not valid TOML" in result.stderr
    assert "git checkout --ours pylock.toml" in result.stderr
