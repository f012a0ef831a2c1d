"""Rules of DESIGN.md §2 that import-linter cannot see."""

from __future__ import annotations

import re
from pathlib import Path

import tether

SRC = Path(tether.__file__).parent


def test_only_cli_and_commands_read_the_environment() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(("cli/", "commands/")):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bos\.environ\b|\bgetenv\(|\bsys\.argv\b", text):
            offenders.append(relative)
    assert offenders == []


def test_no_grab_bag_modules() -> None:
    banned = {"utils", "helpers", "common", "misc", "models"}
    names = {p.stem for p in SRC.rglob("*.py")} | {p.name for p in SRC.rglob("*") if p.is_dir()}
    assert names & banned == set()
