"""The code-quality gate: `fmt`, `lint`, `typecheck`, `test`, `deps` and `check-all` on
a project whose dev group declares ruff, mypy and pytest (real tools, served from the
test index as wheels rebuilt from this environment), and `tool run` / `lint` from a
cached tool environment in a project that declares none of them."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer
from tests.support.rewheel import MYPY, PYTEST, RUFF, rewheel

ADVISORIES = Path(__file__).parents[1] / "data" / "advisories"
RUFF_VERSION = rewheel("ruff")[0].split("-")[1]


@pytest.fixture(scope="module")
def tools_index() -> Iterator[IndexServer]:
    with IndexServer(
        [
            Dist("util", "2.0", files={"util/py.typed": ""}),
            Dist("helper", "1.0", requires=["util>=2"], files={"helper/py.typed": ""}),
            Dist("unusedlib", "1.0"),
            Dist("colorama", "0.4.6"),  # pytest's, on Windows: the lock is universal
        ]
    ) as server:
        for name in sorted(set(RUFF + MYPY + PYTEST)):
            server.add_wheel(*rewheel(name))
        yield server


def tether(root: Path, index: IndexServer, *args: str) -> RunResult:
    return run_tether(
        *args, cwd=root, timeout=300,
        env={"TETHER_CACHE_DIR": str(root.parent / "cache"), "TETHER_INDEX_URL": index.index_url},
    )  # fmt: skip


def service(
    root: Path, *, dev: str = '"ruff", "mypy", "pytest"', dependencies: str = '"util"'
) -> Path:
    (root / "src" / "svc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "svc"
            version = "1.0"
            requires-python = ">=3.11"
            dependencies = [{dependencies}]

            [dependency-groups]
            dev = [{dev}]

            [tool.ruff.lint]
            select = ["E", "F", "I", "S", "B"]

            [tool.ruff.lint.per-file-ignores]
            "tests/**" = ["S101"]

            [tool.mypy]
            strict = true
            mypy_path = "src"
            files = ["src", "tests"]

            [tool.pytest.ini_options]
            pythonpath = ["src"]

            [tool.tether.audit]
            db = "{ADVISORIES}"
            """
        )
    )
    (root / "src" / "svc" / "__init__.py").write_text(
        "from util import __version__\n\n\ndef util_version() -> str:\n    return __version__\n"
    )
    (root / "tests" / "test_svc.py").write_text(
        "from svc import util_version\n\n\ndef test_version() -> None:\n"
        '    assert util_version() == "2.0"\n'
    )
    return root


def test_check_all_passes_then_fails_with_a_table_on_a_type_error(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc")

    passed = tether(root, tools_index, "check-all")

    assert passed.exit_code == 0, passed.stdout + passed.stderr
    table = passed.stdout.split("\n\n")[-1].splitlines()
    assert table[0].split() == ["Check", "Result", "Time", "Command"]
    assert [row.split()[:2] for row in table[1:]] == [
        ["fmt", "pass"], ["lint", "pass"], ["typecheck", "pass"],
        ["deps", "pass"], ["audit", "pass"], ["test", "pass"],
    ]  # fmt: skip
    assert "All 6 checks passed" in passed.stderr

    (root / "src" / "svc" / "__init__.py").write_text(
        "from util import __version__\n\n\ndef util_version() -> int:\n    return __version__\n"
    )
    failed = tether(root, tools_index, "check-all", "--skip", "audit")

    assert failed.exit_code == 1
    assert 'Incompatible return value type (got "str", expected "int")' in failed.stdout
    rows = {row.split()[0]: row for row in failed.stdout.split("\n\n")[-1].splitlines()[1:]}
    assert list(rows) == ["fmt", "lint", "typecheck", "deps", "test"]
    assert rows["typecheck"].split()[1:3] == ["FAIL", "(1)"]
    assert rows["fmt"].split()[1] == "pass"
    assert "1 of 5 checks failed: typecheck" in failed.stderr


def test_fmt_lint_fix_and_security_rules(tmp_path: Path, tools_index: IndexServer) -> None:
    root = service(tmp_path / "svc")
    messy = root / "src" / "svc" / "shell.py"
    messy.write_text(
        "import subprocess\nimport os\ndef run(cmd:str)->None:\n"
        "    subprocess.call(cmd, shell=True)\n"
    )

    check = tether(root, tools_index, "fmt", "--check")
    lint = tether(root, tools_index, "lint")

    assert check.exit_code == 1
    assert "1 file would be reformatted" in check.stdout
    assert lint.exit_code == 1
    assert "S602" in lint.stdout  # subprocess with shell=True: the security rules are on
    assert tether(root, tools_index, "fmt").exit_code == 0
    fixed = tether(root, tools_index, "lint", "--fix")
    assert "import os" not in messy.read_text()  # the unused import was removed
    assert fixed.exit_code == 1  # the security finding is not auto-fixable


def test_deps_reports_missing_transitive_and_unused(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc", dependencies='"helper", "unusedlib"')
    (root / "src" / "svc" / "extra.py").write_text(
        "import json\n\nimport helper\nimport notinstalled\nimport pytest\n\n"
        "from . import util_version\n"
    )

    result = tether(root, tools_index, "deps")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "src/svc/__init__.py:1: transitive: util: "
        "util is installed only as a dependency of helper; declare it",
        "src/svc/extra.py:4: missing: notinstalled: "
        "notinstalled is imported but no dependency provides it",
        "src/svc/extra.py:5: dev-only: pytest: "
        "runtime code imports pytest, which only a dependency group declares",
        "pyproject.toml: unused: unusedlib: unusedlib is declared but never imported",
    ]

    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.tether.deps]\nignore-unused = ["unusedlib"]\nignore-missing = ["notinstalled"]\n'
    )
    quieter = tether(root, tools_index, "deps")
    assert len(quieter.stdout.splitlines()) == 2


def test_lint_and_tool_run_without_declaring_the_tools(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc", dev="")
    (root / "src" / "svc" / "bad.py").write_text("import os\n")

    lint = tether(root, tools_index, "lint")
    typecheck = tether(root, tools_index, "typecheck")
    tested = tether(root, tools_index, "test")
    quiet = tether(root, tools_index, "test", "-q", "-k", "version")  # all of it is pytest's
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    version = tether(elsewhere, tools_index, "tool", "run", f"ruff@{RUFF_VERSION}", "--version")
    again = tether(elsewhere, tools_index, "tool", "run", f"ruff@{RUFF_VERSION}", "--version")
    missing = tether(elsewhere, tools_index, "tool", "run", "--from", "ruff", "nosuch")

    assert lint.exit_code == 1
    assert "F401" in lint.stdout
    assert typecheck.exit_code == 0, typecheck.stdout + typecheck.stderr
    assert tested.exit_code == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout
    assert quiet.exit_code == 0, quiet.stdout + quiet.stderr
    assert "test session starts" not in quiet.stdout
    assert "1 passed" in quiet.stdout
    assert version.stdout == again.stdout == f"ruff {RUFF_VERSION}\n"
    assert missing.exit_code == 2
    assert "ruff provides no command named 'nosuch' (it has: ruff)" in missing.stderr
    assert not (root / ".venv" / "bin" / "ruff").exists()  # the project was left alone


def test_options_after_double_dash_and_typecheck_targets(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc")
    statistics = tether(root, tools_index, "lint", "--", "--statistics")
    assert statistics.exit_code == 0, statistics.stderr
    assert "unrecognized arguments" not in statistics.stderr
    diff = tether(root, tools_index, "fmt", "--", "--diff")
    assert diff.exit_code == 0, diff.stderr
    # No `files` in [tool.mypy]: the package and the tests, not mypy's usage error.
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('files = ["src", "tests"]\n', ""))
    (root / "tests" / "test_types.py").write_text("x: int = 'not an int'\n")
    typed = tether(root, tools_index, "typecheck", "--", "--strict")
    assert typed.exit_code == 1
    assert "Missing target" not in typed.stdout + typed.stderr
    assert "tests/test_types.py:1: error: Incompatible types" in typed.stdout


def test_deps_leaves_type_checking_and_the_projects_own_test_modules_alone(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc")
    (root / "src" / "svc" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import onlyfortypes\n"
    )
    (root / "conftest.py").write_text("import tests.helpers\n")
    (root / "tests" / "helpers.py").write_text("VALUE = 1\n")
    (root / "tests" / "test_more.py").write_text(
        "import conftest\nimport helpers\nfrom tests import helpers as again\n"
    )
    result = tether(root, tools_index, "deps")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_lint_reports_ml_security_findings_beside_ruff(
    tmp_path: Path, tools_index: IndexServer
) -> None:
    root = service(tmp_path / "svc")
    (root / "src" / "svc" / "model.py").write_text(
        "import torch\n\n\ndef load(path: str) -> object:\n"
        "    return torch.load(path)\n\n\n"
        "def fine(path: str) -> object:\n"
        "    return torch.load(path, weights_only=True)\n\n\n"
        "def accepted(path: str) -> object:\n"
        "    return torch.load(path)  # tether: ignore[ML001]\n"
    )
    linted = tether(root, tools_index, "lint")
    assert linted.exit_code == 1
    assert linted.stdout.splitlines()[-2:] == [
        "src/svc/model.py:5:12: ML001 torch.load without weights_only=True unpickles (runs) "
        "the file",
        "  hint: pass weights_only=True (the default from torch 2.6), or load safetensors",
    ]
    assert "1 ML security finding(s)" in linted.stderr
