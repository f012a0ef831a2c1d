"""`tether run CMD ARGS…`: lock if stale, sync if stale, then become CMD inside the
project's environment.

The in-sync path is the common one and must be fast: it reads pyproject.toml, the lock's
recorded inputs and the environment's state file, and imports no resolver, index or
HTTP code; only a stale lock or environment loads the `sync` machinery.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tether.commands.locations import lock_location
from tether.errors import LockError, UsageError
from tether.lock.freshness import check_inputs, resolver_options
from tether.project import Project, find_pyproject, load_project
from tether.project.fingerprint import inputs

STATE = ".tether-state.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    start: Path
    environ: Mapping[str, str]
    command: Sequence[str]
    with_requirements: tuple[str, ...] = ()


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
    project = load_project(find_pyproject(options.start))
    environment = project.environment(options.environ)
    synced = ensure_synced(project, options.environ)
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
    return Prepared(program=program, argv=argv, environ=environ, synced=synced)


def is_python_file(command: str) -> bool:
    """A `.py` file given where a command goes (run with Python, as `uv run` does)."""
    return command.endswith((".py", ".pyw")) and Path(command).is_file()


def ensure_synced(project: Project, environ: Mapping[str, str]) -> bool:
    """Lock and sync the project's environment unless it is in sync already; True when
    a sync ran."""
    if in_sync(project, project.environment(environ), environ):
        return False
    from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415 - the slow path

    sync(SyncOptions(start=project.root, environ=environ))
    return True


def lock_is_fresh(project: Project) -> bool:
    """The lock exists and was made from pyproject.toml as it is now."""
    settings = project.settings
    fingerprints = inputs(
        project,
        resolver_options(
            resolution=settings.resolution.value,
            prerelease=settings.prerelease.value,
            exclude_newer=settings.exclude_newer,
        ),
    )
    try:
        check_inputs(lock_location(project), fingerprints)
    except LockError:
        return False
    return True


def in_sync(project: Project, environment: Path, environ: Mapping[str, str]) -> bool:
    """The lock matches pyproject.toml and the environment was synced from this lock
    with the default selection: nothing to do."""
    if not lock_is_fresh(project):
        return False
    state = sync_state(environment)
    return (
        synced_from(state, lock_location(project))
        and state.get("groups") == sorted(project.default_groups())
        and (expected := _expected_extras(project, state, environ)) is not None
        and expected == state.get("extras")
        and (environment / "bin" / "python").exists()
    )


def _expected_extras(
    project: Project, state: Mapping[str, Any], environ: Mapping[str, str]
) -> list[str] | None:
    """No extras, but the torch backend: the one asked for in TETHER_TORCH_BACKEND, else
    the one the last sync detected (detection is the slow path's job). None: no
    declared backend is known, so the environment cannot be in sync."""
    backends = project.settings.torch_backends
    if not backends:
        return []
    asked = environ.get("TETHER_TORCH_BACKEND", "auto").strip() or "auto"
    backend = state.get("torch-backend") if asked == "auto" else asked
    return [backend] if isinstance(backend, str) and backend in backends else None


def sync_state(environment: Path) -> dict[str, Any]:
    """What the environment's last sync recorded (empty when none, or unreadable)."""
    try:
        state = json.loads((environment / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def synced_from(state: Mapping[str, Any], lock_path: Path) -> bool:
    """Whether that sync installed from this very lock (same bytes)."""
    try:
        return bool(state.get("lock-sha256") == hashlib.sha256(lock_path.read_bytes()).hexdigest())
    except OSError:
        return False
