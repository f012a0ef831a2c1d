"""`tether ci init` and `tether init --ci`: a valid GitHub Actions workflow whose jobs run
tether commands, with a test matrix over the Pythons the project supports."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.cli import run_tether

PINNED = "git+https://example.com/org/tether.git@" + "0123456789abcdef" * 2 + "01234567"


def test_init_with_ci_writes_a_workflow_of_tether_commands(tmp_path: Path) -> None:
    result = run_tether(
        "init", "svc", "--ci", "--python", "3.12", "--ci-install", PINNED, cwd=tmp_path
    )

    assert result.exit_code == 0, result.stderr
    path = tmp_path / "svc" / ".github" / "workflows" / "ci.yml"
    workflow = yaml.safe_load(path.read_text())
    assert list(workflow["jobs"]) == ["lint", "typecheck", "test", "security"]
    assert workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"] == [
        "3.12", "3.13", "3.14"
    ]  # fmt: skip
    commands = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    assert {c for c in commands if c.startswith("tether")} == {
        "tether lock --check", "tether sync --locked", "tether fmt --check", "tether lint",
        "tether deps", "tether typecheck", "tether test", "tether audit",
        "tether hooks run --all-files",
    }  # fmt: skip
    cache = workflow["jobs"]["lint"]["steps"][2]["with"]["key"]
    assert cache == "tether-${{ runner.os }}-3.14-${{ hashFiles('pylock.toml') }}"


def test_ci_init_keeps_an_existing_workflow_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\nrequires-python = ">=3.10,<3.12"\n'
    )
    first = run_tether("ci", "init", "--install", PINNED, cwd=tmp_path)
    text = (tmp_path / ".github" / "workflows" / "ci.yml").read_text()
    again = run_tether("ci", "init", cwd=tmp_path)
    forced = run_tether("ci", "init", "--force", "--install", PINNED, cwd=tmp_path)

    assert first.exit_code == 0
    assert f'- run: python -m pip install "{PINNED}"\n' in text
    assert "never a bare name on PyPI" in text
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert forced.exit_code == 0
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "ci.yml").read_text())
    assert workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"] == ["3.10", "3.11"]


def test_ci_never_installs_tether_by_a_bare_name(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1"\n')
    for spec, problem in (
        ("tether", "give a git URL at a commit"),
        ("tether==0.1.0", "give a git URL at a commit"),
        ("git+https://example.com/tether.git@main", "a VCS URL must name a full commit"),
        ("https://example.com/tether-0.1-py3-none-any.whl", "must end with #sha256="),
    ):
        refused = run_tether("ci", "init", "--install", spec, cwd=tmp_path)
        assert refused.exit_code == 2, spec
        assert problem in refused.stderr, refused.stderr
        assert not (tmp_path / ".github").exists()
    # A development install (editable) is no pinned source: say what to pass.
    bare = run_tether("ci", "init", cwd=tmp_path)
    assert bare.exit_code == 2
    assert "pass --install with a git URL at a commit" in bare.stderr
    wheel = "https://example.com/tether-0.1-py3-none-any.whl#sha256=" + "ab" * 32
    assert run_tether("ci", "init", "--install", wheel, cwd=tmp_path).exit_code == 0
