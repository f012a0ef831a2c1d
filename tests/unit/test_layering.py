"""Rules of DESIGN.md §2 that import-linter cannot see."""

from __future__ import annotations

import ast
from pathlib import Path

import tether

SRC = Path(tether.__file__).parent


def test_only_cli_and_commands_read_the_environment() -> None:
    """`os.environ`, `os.getenv` and `sys.argv` in code (not in strings: the installer
    writes launcher scripts that use sys.argv). `tether.api` is an entry point like the
    CLI: it defaults `environ` to the process's."""
    watched = {("os", "environ"), ("os", "getenv"), ("sys", "argv")}
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(("cli/", "commands/")) or relative == "api.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [
            f"{relative}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in watched
        ]
    assert offenders == []


def test_no_grab_bag_modules() -> None:
    banned = {"utils", "helpers", "common", "misc", "models"}
    names = {p.stem for p in SRC.rglob("*.py")} | {p.name for p in SRC.rglob("*") if p.is_dir()}
    assert names & banned == set()


def test_commands_only_wire() -> None:
    """`commands/` opens resources and calls the stages (DESIGN.md §2): at most 15 % of
    the source lines, and no function there longer than 60 lines."""
    lines = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in SRC.rglob("*.py")}
    commands = sum(n for p, n in lines.items() if p.parent.name == "commands")
    assert commands / sum(lines.values()) <= 0.15
    long = [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted((SRC / "commands").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []
