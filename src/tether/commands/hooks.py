"""`tether hooks install / uninstall / run / baseline`: git hooks that run tether's
checks on what is about to be committed (the runner is `tether.quality.hook_runner`).
This module finds the repository and its project, and prepares ruff and mypy (from the
project's environment or a cached tool environment) for the runner."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tether.commands.quality import QualityOptions, prepare_check
from tether.project import load_project, try_find_pyproject
from tether.quality import hook_runner
from tether.quality.git_hooks import install, uninstall
from tether.quality.git_repo import git_root
from tether.quality.hook_runner import HookReport
from tether.quality.hook_settings import HookSettings, hook_settings
from tether.quality.tool_command import QualityCommand

__all__ = ["HookReport", "commit_message", "install", "run_hooks", "uninstall", "write_baseline"]

_CHECKS = {"ruff": "lint", "ruff-format": "fmt", "mypy": "typecheck"}


def run_hooks(
    start: Path,
    environ: Mapping[str, str],
    *,
    all_files: bool = False,
    fix_files: bool = False,
    files: Sequence[str] = (),
) -> HookReport:
    root = git_root(start)

    def prepare(name: str, arguments: list[str], fix: bool) -> QualityCommand:
        options = QualityOptions(
            start=root,
            environ=environ,
            check=_CHECKS[name],
            arguments=arguments,
            fix=fix,
            check_only=not fix,
        )
        return prepare_check(options)

    return hook_runner.run_hooks(
        root,
        settings(root, environ),
        environ or os.environ,  # what local hooks run with
        prepare,
        all_files=all_files,
        fix_files=fix_files,
        files=files,
    )


def commit_message(
    start: Path, message_file: Path, environ: Mapping[str, str] | None = None
) -> str | None:
    root = git_root(start)
    path = message_file if message_file.is_absolute() else root / message_file
    hooks = settings(root, environ or {})
    return hook_runner.commit_message(root, hooks, path, environ or os.environ)


def write_baseline(start: Path) -> tuple[Path, int]:
    root = git_root(start)
    return hook_runner.write_baseline(root, settings(root, {}))


def settings(root: Path, environ: Mapping[str, str]) -> HookSettings:
    """The hook settings of the repository at `root`: its project's `[tool.tether.hooks]`
    (when it has a pyproject.toml) and its pre-commit config."""
    pyproject = try_find_pyproject(root)
    project = load_project(pyproject) if pyproject is not None else None
    if project is None:
        return hook_settings(root, {}, None, None)
    return hook_settings(
        root,
        project.settings.quality.get("hooks", {}),
        project.pyproject_path,
        project.environment(environ) / "bin",
    )
