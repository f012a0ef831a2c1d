"""`tether version`: show, set and bump `[project].version` with the rest of the file
untouched, the lock's project entry following; a dynamic version is named, not written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.e2e.test_add import tether
from tests.support.cli import run_tether
from tests.support.index_server import IndexServer
from tether.project.versioning import bumped

pytest_plugins = ["tests.e2e.test_add"]

PYPROJECT = textwrap.dedent(
    """\
    [project]
    name = "svc"
    version = "1.4.2"  # released on Tuesdays
    requires-python = ">=3.11"
    dependencies = ["util"]

    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"
    """
)


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("1.4.2", "major", "2.0.0"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "patch", "1.4.3"),
        ("1.4.2", "pre", "1.4.3a1"),
        ("1.5.0rc1", "pre", "1.5.0rc2"),
        ("1.5.0rc1", "patch", "1.5.1"),
        ("2", "minor", "2.1.0"),
    ],
)
def test_bumps(current: str, part: str, expected: str) -> None:
    from packaging.version import Version

    assert str(bumped(Version(current), part)) == expected


def test_show_set_and_bump(tmp_path: Path, index: IndexServer) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    assert tether(root, index, "lock").exit_code == 0
    lock_before = (root / "pylock.toml").read_text()
    assert 'name = "svc"\nversion = "1.4.2"' in lock_before

    shown = run_tether("version", cwd=root)
    assert (shown.exit_code, shown.stdout) == (0, "svc 1.4.2\n")
    assert run_tether("version", "--short", cwd=root).stdout == "1.4.2\n"

    dry = run_tether("version", "--bump", "minor", "--dry-run", cwd=root)
    assert dry.stdout == "svc 1.4.2 -> 1.5.0\n"
    assert (root / "pyproject.toml").read_text() == PYPROJECT

    bumped_run = run_tether("version", "--bump", "minor", cwd=root)
    assert bumped_run.exit_code == 0, bumped_run.stderr
    assert (root / "pyproject.toml").read_text() == PYPROJECT.replace('"1.4.2"', '"1.5.0"')
    lock_after = (root / "pylock.toml").read_text()
    assert lock_after == lock_before.replace(
        'name = "svc"\nversion = "1.4.2"', 'name = "svc"\nversion = "1.5.0"'
    )
    assert "Updated the project's version in pylock.toml" in bumped_run.stderr
    # The lock is still fresh for the edited pyproject.toml.
    assert tether(root, index, "lock", "--check").exit_code == 0

    explicit = run_tether("version", "2.0.0rc1", cwd=root)
    assert explicit.stdout == "svc 1.5.0 -> 2.0.0rc1\n"
    bad = run_tether("version", "two", cwd=root)
    assert bad.exit_code == 2
    assert "'two' is not a version" in bad.stderr


def test_a_dynamic_version_is_named_not_written(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    text = PYPROJECT.replace('version = "1.4.2"  # released on Tuesdays', 'dynamic = ["version"]')
    text += '\n[tool.hatch.version]\npath = "src/svc/__init__.py"\n'
    (root / "pyproject.toml").write_text(text)
    shown = run_tether("version", cwd=root)
    assert shown.stdout == ("svc dynamic (hatchling ([tool.hatch.version]: src/svc/__init__.py))\n")
    refused = run_tether("version", "--bump", "patch", cwd=root)
    assert refused.exit_code == 1
    assert "the version is dynamic" in refused.stderr
    assert (root / "pyproject.toml").read_text() == text
