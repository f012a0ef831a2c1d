"""`tether run CMD ARGS…`: lock if stale, sync if stale, then become CMD inside the
project's environment.

The in-sync path is the common one and must be fast: it reads pyproject.toml, the lock's
recorded inputs and the environment's state file, and imports no resolver, index or
HTTP code; only a stale lock or environment loads the `sync` machinery.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tether.environment.freshness import in_sync, lock_location, string_items
from tether.errors import UsageError
from tether.install.state import sync_state
from tether.project import Project, Selection, find_pyproject
from tether.project.workspace import open_project


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    start: Path
    environ: Mapping[str, str]
    command: Sequence[str]
    with_requirements: tuple[str, ...] = ()
    selection: Selection | None = None  # groups and extras the command needs, besides


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """What to execute: the program's path, its argv and its environment."""

    program: str
    argv: list[str]
    environ: dict[str, str]
    synced: bool


def prepare(options: RunOptions) -> Prepared:
    if not options.command:
        raise UsageError("no command to run", hint="e.g. tether run pytest -q")
    project = open_project(find_pyproject(options.start))
    environment = project.environment(options.environ)
    synced = ensure_synced(project, options.environ, options.selection)
    bins = [environment / "bin"]
    active = environment
    if options.with_requirements:
        from tether.commands.overlay import overlay  # noqa: PLC0415 - only with --with

        active = overlay(project, environment, options.with_requirements, options.environ)
        bins.insert(0, active / "bin")
    environ = dict(options.environ)
    environ["PATH"] = os.pathsep.join([*(str(b) for b in bins), environ.get("PATH", "")])
    environ["VIRTUAL_ENV"] = str(active)
    environ.pop("PYTHONHOME", None)
    argv = list(options.command)
    if is_python_file(argv[0]):  # `tether run script.py`: the environment's Python runs it
        argv = ["python", *argv]
    program = shutil.which(argv[0], path=environ["PATH"])
    if program is None:
        raise UsageError(
            f"command not found: {options.command[0]}",
            hint="is it a dependency of the project? add it with the right group, then sync",
        )
    if Path(program).parent not in {b.absolute() for b in bins}:
        _refuse_outside(project, argv[0], program)
    return Prepared(program=program, argv=argv, environ=environ, synced=synced)


def is_python_file(command: str) -> bool:
    """A `.py` file given where a command goes (run with Python, as `uv run` does)."""
    return command.endswith((".py", ".pyw")) and Path(command).is_file()


def _refuse_outside(project: Project, command: str, program: str) -> None:
    """A command found only outside the environment although the lock has a package of
    that name (in a group or extra this environment was not synced with): running the
    PATH's copy instead would be a silent surprise."""
    from packaging.utils import canonicalize_name  # noqa: PLC0415 - a rare path

    from tether.lock import locked_versions  # noqa: PLC0415

    name = canonicalize_name(Path(command).name)
    if name not in locked_versions(lock_location(project)):
        return  # a system command (`ls`, `git`): PATH is where it lives
    raise UsageError(
        f"{command} is locked but not installed in the project's environment, and the "
        f"one on PATH ({program}) is not the project's",
        hint=f"install its group or extra: `tether run --group GROUP {command} …` (or "
        "`--all-groups`), or run the PATH's copy by its full path",
    )


def ensure_synced(
    project: Project, environ: Mapping[str, str], selection: Selection | None = None
) -> bool:
    """Lock and sync the project's environment unless it holds what the command needs
    (the default groups and the extras, plus `selection`); True when a sync ran. Like
    `uv run`, the sync is inexact and keeps the groups and extras the environment was
    last synced with: running a command never removes what a `sync --group` added."""
    environment = project.environment(environ)
    if in_sync(project, environment, environ, selection):
        return False
    from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415 - the slow path

    state = sync_state(environment)
    wanted = selection or Selection()
    # What the last sync had and the project still declares (a group since removed
    # from pyproject.toml is not asked for again).
    had_groups = {g for g in string_items(state.get("groups")) if g in project.dependency_groups}
    had_extras = {
        e
        for e in string_items(state.get("extras"))
        if e in project.optional_dependencies and e not in project.settings.torch_backends
    }
    kept = Selection(
        groups=tuple(sorted({*wanted.groups, *had_groups})),
        only_groups=wanted.only_groups,
        no_default_groups=wanted.no_default_groups,
        all_groups=wanted.all_groups,
        extras=tuple(sorted({*wanted.extras, *had_extras})),
        all_extras=wanted.all_extras,
    )
    if project.workspace is not None:
        kept = replace(kept, all_packages=wanted.all_packages)
    sync(
        SyncOptions(
            start=project.root,
            environ=environ,
            selection=kept,
            exact=False,
            project=project if project.workspace is not None else None,
        )
    )
    return True
