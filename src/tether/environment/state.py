"""The state file a sync leaves in the environment: the lock it installed from, the
groups, extras, members and torch backend, the selection memo, and for a default sync
from a fresh lock the pyproject's hash, so that `tether run` on an in-sync project reads
two hashes and parses nothing (tether.cli.fastrun)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tether.environment.freshness import lock_is_fresh
from tether.project import Project


def _default_selection(
    project: Project,
    environment: Path,
    extras: list[str],
    groups: list[str],
    torch_backend: str | None,
) -> bool:
    """At least what a plain `tether sync` into the project's own `.venv` installs: what
    a later `tether run` without options needs."""
    return (
        set(project.default_groups()) <= set(groups)
        and (torch_backend is None or torch_backend in extras)
        and project.environment({}) == environment
    )


def environment_state(
    project: Project,
    environment: Path,
    *,
    lock_sha256: str,
    fresh: bool | None,
    extras: list[str],
    groups: list[str],
    torch_backend: str | None,
    memo: dict[str, object],
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> dict[str, object]:
    """What this sync installed from, so an in-sync `run` can skip all of this. For a
    default sync from a lock fresh for this pyproject.toml (`fresh`; None: not known
    yet, and then asked only for a default sync), also the pyproject's hash: `run`
    then needs two hashes and no parsing (tether.cli.fastrun)."""
    state: dict[str, object] = {
        "lock-sha256": lock_sha256,
        "extras": extras,
        "groups": groups,
        "torch-backend": torch_backend,
        "selection": memo,
    }
    if project.build_system is not None and project.script is None:
        from tether.project.dynamic import build_fingerprint  # noqa: PLC0415

        state["project-build"] = build_fingerprint(project.root)
    if members is not None:
        state["members"] = list(members)
    if only:
        state["only-groups"] = True  # the project's own dependencies are not there
    elif (
        members is None  # the fast path cannot see the members' pyproject.toml files
        and project.script is None
        and _default_selection(project, environment, extras, groups, torch_backend)
        and (fresh if fresh is not None else lock_is_fresh(project))
    ):
        pyproject = project.root / "pyproject.toml"
        state["pyproject-sha256"] = hashlib.sha256(pyproject.read_bytes()).hexdigest()
        # Exactly the default selection: only then is a plain `tether sync` a no-op.
        state["default-selection"] = groups == sorted(project.default_groups()) and extras == (
            [] if torch_backend is None else [torch_backend]
        )
    return state
