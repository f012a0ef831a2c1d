"""`tether` as users run it: help, version, exit codes, and errors rendered once."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import run_tether
from tether import __version__
from tether.cli import main as cli_main


def write_project(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "pyproject.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_version(tmp_path: Path) -> None:
    for flag in ("--version", "-V"):
        result = run_tether(flag, cwd=tmp_path)
        assert (result.exit_code, result.stdout, result.stderr) == (
            0,
            f"tether {__version__}\n",
            "",
        )


def test_help_lists_commands_with_descriptions(tmp_path: Path) -> None:
    result = run_tether("--help", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: tether [OPTIONS] COMMAND [ARGS]...\n")
    commands = re.findall(r"^  ([\w-]+)\s{2,}(\S.*)$", result.stdout.split("commands:")[1], re.M)
    assert dict(commands) == {
        "init": "Create a new project (pyproject.toml, src layout, dev tools)",
        "add": "Add dependencies to pyproject.toml, then lock and sync",
        "remove": "Remove dependencies from pyproject.toml, then lock and sync",
        "lock": "Resolve the project for every supported environment into pylock.toml",
        "upgrade": "Re-lock with the newest allowed versions, show what moved, sync",
        "sync": "Make the project's environment match the lock",
        "run": "Run a command in the project's environment (locking and syncing first if needed)",
        "task": "Run a task from [tool.tether.tasks] (no name: list them)",
        "tree": "Show the locked dependency graph",
        "pip": "pip-tools workflow: compile requirements.in into pins, sync a venv to them",
        "export": "Write the lock in another format (a hashed requirements file)",
        "check": "Check the environment: requirements met, contents match the lock",
        "fmt": "Format the code with ruff (--check to only check)",
        "lint": "Lint the code with ruff, security rules included (--fix)",
        "typecheck": "Type-check the code with mypy and the project's configuration",
        "test": "Run the tests with pytest (arguments passed through)",
        "deps": "Find missing, transitive, dev-only and unused dependencies from imports",
        "hooks": "Git hooks with tether's checks (install, run [--all-files] [--fix])",
        "ci": "Write a GitHub Actions workflow that runs tether's checks (ci init)",
        "check-all": "Run fmt --check, lint, typecheck, deps, audit and test; summarise in a table",
        "tool": "Run a tool from a cached, isolated environment (tool run NAME, like uvx)",
        "audit": "Check locked or installed packages for known vulnerabilities",
        "build": "Build the project's sdist and wheel into dist/ (PEP 517)",
        "publish": "Upload dist/* to PyPI or a configured index, checking them first",
        "version": "Show, set or bump the project's version (major, minor, patch, pre)",
        "env": "Describe the project's environment, or switch its Python (info, use)",
        "cache": "Show or clean the global cache (dir, size, clean [PKG], prune)",
        "migrate": "Rewrite a Poetry project as PEP 621 and PEP 735, keeping its locked versions",
        "project": "Show the project as tether reads it, validating pyproject.toml",
        "index": "Show what the package indexes serve: versions, files, metadata",
        "python": "List the Python interpreters tether finds, or the one it would use",
        "venv": "Create a virtual environment (fast, without pip)",
    }
    for option in ("--verbose", "--quiet", "--color", "--directory", "--project"):
        assert option in result.stdout


def test_no_command_prints_help_and_exits_2(tmp_path: Path) -> None:
    result = run_tether(cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "commands:" in result.stderr


def test_unknown_command_suggests(tmp_path: Path) -> None:
    result = run_tether("projcet", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown command 'projcet'\n"
        "hint: did you mean `tether project`? run `tether --help` to list the commands\n"
    )


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = run_tether("init", "--nmae", "x", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unrecognized arguments: --nmae\nhint: run `tether init --help` to see the usage\n"
    )


def test_command_help(tmp_path: Path) -> None:
    result = run_tether("init", "--help", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: tether init [-h]")
    assert "--lib" in result.stdout
    assert "global options:" in result.stdout


def test_project_summary_from_a_subdirectory(tmp_path: Path) -> None:
    write_project(
        tmp_path / "svc",
        """\
        [project]
        name = "svc"
        version = "0.2.0"
        requires-python = ">=3.11"
        dependencies = ["numpy>=1.26"]

        [dependency-groups]
        dev = ["pytest"]
        """,
    )
    nested = tmp_path / "svc" / "src" / "deep"
    nested.mkdir(parents=True)
    result = run_tether("project", cwd=nested)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "svc 0.2.0\n"
        f"  path             {tmp_path / 'svc' / 'pyproject.toml'}\n"
        "  requires-python  >=3.11\n"
        "  build system     none (dependencies only: the project itself is not installed)\n"
        "  indexes          pypi <https://pypi.org/simple>\n"
        "  dependencies (1)\n"
        "    numpy>=1.26\n"
        "  group dev (1, default)\n"
        "    pytest\n"
    )


def test_project_json_and_global_options_anywhere(tmp_path: Path) -> None:
    write_project(tmp_path / "svc", '[project]\nname = "svc"\nversion = "1"\n')
    for args in (
        ("--project", "svc", "project", "--json"),
        ("project", "--json", "--project", "svc"),
        ("--directory", "svc", "project", "--json"),
        ("-q", "project", "--json", "--directory", "svc"),
    ):
        result = run_tether(*args, cwd=tmp_path)
        assert result.exit_code == 0, (args, result.stderr)
        assert '"name": "svc"' in result.stdout


def test_quiet_silences_results(tmp_path: Path) -> None:
    write_project(tmp_path, '[project]\nname = "svc"\nversion = "1"\n')
    result = run_tether("-q", "project", cwd=tmp_path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_no_project_found(tmp_path: Path) -> None:
    result = run_tether("project", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no pyproject.toml found in {tmp_path} or any parent directory\n"
        "hint: run `tether init` to create a project here, or pass --project PATH\n"
    )


def test_invalid_toml_is_one_clear_paragraph(tmp_path: Path) -> None:
    path = write_project(tmp_path, '[project]\nname = "svc"\nversion = "1"\ndependencies = [\n')
    result = run_tether("project", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}:5: invalid TOML: invalid value at end of file\n"
        "hint: fix the syntax at that position (https://toml.io describes the format); "
        "nothing was changed\n"
    )
    assert "Traceback" not in result.stderr


def test_invalid_requirement_via_cli(tmp_path: Path) -> None:
    path = write_project(
        tmp_path, '[project]\nname = "svc"\nversion = "1"\ndependencies = ["torch[cuda"]\n'
    )
    result = run_tether("project", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f'error: {path}:4:17: invalid requirement "torch[cuda" in `project.dependencies[0]`:\n'
        "  Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras\n"
        "      torch[cuda\n"
        "           ~~~~~^\n"
        'hint: requirements follow PEP 508, e.g. "numpy>=1.26", "uvicorn[standard]>=0.27" or '
        "\"pywin32>=306; sys_platform == 'win32'\"\n"
    )


def test_unknown_tool_key_via_cli(tmp_path: Path) -> None:
    path = write_project(
        tmp_path, '[project]\nname = "svc"\nversion = "1"\n\n[tool.tether]\nprerelase = "allow"\n'
    )
    result = run_tether("project", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f'error: {path}:6:1: unknown key "prerelase" in [tool.tether]\n'
        'hint: did you mean "prerelease"? valid keys are: audit, build-constraint-dependencies, '
    )


def test_missing_name_via_cli(tmp_path: Path) -> None:
    path = write_project(tmp_path, '[project]\nversion = "1"\n')
    result = run_tether("project", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {path}:1:1: [project] has no `name`\n"
        'hint: add a name, e.g. name = "my-service" (PEP 621 requires one)\n',
    )


def test_include_group_cycle_via_cli(tmp_path: Path) -> None:
    path = write_project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "1"

        [dependency-groups]
        dev = [{include-group = "test"}]
        test = ["pytest", {include-group = "dev"}]
        """,
    )
    result = run_tether("project", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {path}:6:9: [dependency-groups] include a cycle: Cyclic dependency group "
        "include while resolving dev: dev -> test, test -> dev\n"
        "hint: remove one of the `include-group` entries that form the cycle\n",
    )


def test_undefined_index_via_cli(tmp_path: Path) -> None:
    path = write_project(
        tmp_path,
        """\
        [project]
        name = "svc"
        version = "1"

        [tool.tether.sources]
        torch = { index = "pytorch-cu126" }
        """,
    )
    result = run_tether("project", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        1,
        f'error: {path}:6:19: `tool.tether.sources.torch` uses index "pytorch-cu126", which '
        "is not defined in [[tool.tether.index]]\n"
        'hint: add [[tool.tether.index]] with name = "pytorch-cu126" and its url '
        "(indexes defined: none)\n",
    )


def test_color_always_and_no_color(tmp_path: Path) -> None:
    result = run_tether("--color", "always", "project", cwd=tmp_path)
    assert result.stderr.startswith("\x1b[1;31merror\x1b[0m: ")
    assert "\x1b[1;36mhint\x1b[0m: " in result.stderr
    forced = run_tether("project", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert forced.stderr.startswith("\x1b[1;31merror")
    plain = run_tether("project", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.stderr.startswith("error: ")


def test_bad_directory(tmp_path: Path) -> None:
    result = run_tether("--directory", "missing", "project", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: cannot change to directory missing: No such file or directory\n"
        "hint: check the path given to --directory\n"
    )


def test_ctrl_c_exits_130_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches the CLI as KeyboardInterrupt wherever it lands; the CLI owns the
    exit code. Simulated in-process: no verb runs long enough yet to signal it."""

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    import tether.commands.show

    monkeypatch.setattr(tether.commands.show, "show", interrupted)
    write_project(tmp_path, '[project]\nname = "svc"\nversion = "1"\n')
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert cli_main.main(["project"], environ={}) == 130
    assert err.getvalue() == "\ninterrupted\n"


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).parent / "tether"
    if not script.exists():
        pytest.skip("tether is not installed as a console script beside this Python")
    ran = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert ran.stdout == run_tether("--version", cwd=tmp_path).stdout
