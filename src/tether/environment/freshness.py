"""Is there anything to do? Where a project's lock lives (`pylock.toml` beside
`pyproject.toml`, or for a PEP 723 script the file its caller chose), whether the lock
was made from `pyproject.toml` as it is now, and whether the environment was synced from
that lock with the groups, extras, members, torch backend and project build a command
needs: what `run`, `sync` and `env` ask before locking or syncing again."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tether.errors import LockError
from tether.install.state import sync_state, synced_from
from tether.lock import LOCK_NAME
from tether.lock.freshness import check_inputs, resolver_options
from tether.project import Project, Selection
from tether.project.fingerprint import inputs


def lock_location(project: Project) -> Path:
    return project.lock_file if project.lock_file is not None else project.root / LOCK_NAME


def lock_is_fresh(project: Project) -> bool:
    """The lock exists and was made from pyproject.toml as it is now."""
    settings = project.settings
    fingerprints = inputs(
        project,
        resolver_options(
            resolution=settings.resolution.value,
            prerelease=settings.prerelease.value,
            exclude_newer=settings.exclude_newer_input(),
            exclude_newer_package=settings.exclude_newer_package_inputs,
        ),
    )
    try:
        check_inputs(lock_location(project), fingerprints)
    except LockError:
        return False
    return True


def string_items(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def in_sync(
    project: Project,
    environment: Path,
    environ: Mapping[str, str],
    selection: Selection | None = None,
) -> bool:
    """The lock matches pyproject.toml and the environment was synced from this lock
    with at least the groups and extras wanted (the default ones, plus `selection`):
    nothing to do."""
    if not lock_is_fresh(project):
        return False
    state = sync_state(environment)
    wanted = selection or Selection()
    groups = set(project.selected_groups(wanted))
    extras = set(project.selected_extras(wanted))
    return (
        synced_from(state, lock_location(project))
        and not state.get("only-groups")
        and groups <= set(string_items(state.get("groups")))
        and (expected := _expected_extras(project, state, environ)) is not None
        and {*expected, *extras} <= set(string_items(state.get("extras")))
        and (environment / "bin" / "python").exists()
        and _same_build(project, state)
        and _has_members(project, state, wanted)
    )


def _has_members(project: Project, state: Mapping[str, Any], wanted: Selection) -> bool:
    """In a workspace: the last sync installed (at least) the members this run needs."""
    if project.workspace is None:
        return True
    needed = {str(n) for n in project.workspace.chosen(all_packages=wanted.all_packages)}
    return needed <= set(string_items(state.get("members")))


def _same_build(project: Project, state: Mapping[str, Any]) -> bool:
    """The project (when it is installed) was built from its metadata as it is now: a
    console script added to [project.scripts] since needs a rebuild."""
    if project.build_system is None:
        return True
    from tether.project.dynamic import build_fingerprint  # noqa: PLC0415

    return bool(state.get("project-build") == build_fingerprint(project.root))


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
