"""Which files tether's ML security checks read (what `tether lint` lints: the paths
given, else the project, skipping virtual environments, build output, hidden directories
and ruff's excludes), and their findings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tether.quality.ml_checks import MlFinding

SKIPPED_DIRS = frozenset(
    {".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox", ".nox"}
)


def ml_findings(start: Path, arguments: Sequence[str], pyproject: Path | None) -> list[MlFinding]:
    """tether's ML security checks (quality/ml_checks.py) on what `tether lint` lints:
    the paths given, else the project (or the working directory), skipping virtual
    environments, build output, hidden directories and ruff's `exclude`s."""
    from fnmatch import fnmatch  # noqa: PLC0415

    from tether.quality.ml_checks import check_source  # noqa: PLC0415

    root = pyproject.parent if pyproject is not None else start
    given = [
        start / a for a in arguments if not a.startswith("-")
    ]  # fmt: skip
    targets = [p for p in given if p.exists()] or [root]
    excluded = _ruff_excludes(pyproject)
    findings: list[MlFinding] = []
    for path in _python_files(targets):
        shown = os.path.relpath(path, start)
        relative = os.path.relpath(path, root)
        if any(fnmatch(relative, pattern) or fnmatch(shown, pattern) for pattern in excluded):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        findings += check_source(shown, text)
    return findings


def _ruff_excludes(pyproject: Path | None) -> list[str]:
    import tomllib  # noqa: PLC0415

    if pyproject is None:
        return []
    try:
        ruff = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("ruff", {})
    except (OSError, tomllib.TOMLDecodeError):
        return []
    patterns = [*ruff.get("exclude", []), *ruff.get("extend-exclude", [])]
    return [p.rstrip("/") + suffix for p in patterns if isinstance(p, str) for suffix in ("", "/*")]


def _python_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_file():
            found.append(target)
            continue
        for directory, dirs, files in os.walk(target):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
            found += [Path(directory, f) for f in sorted(files) if f.endswith((".py", ".pyi"))]
    return found
