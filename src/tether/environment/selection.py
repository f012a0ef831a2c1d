"""The selection a sync installs: the groups and extras it asks for (those the lock
declares), the workspace members, and what the lock selects for them on this
interpreter, taken from the memo when the lock, the request and the interpreter are the
ones it was made for, else from the lock (and remembered in the cache)."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tether.cache import Bucket, Cache
from tether.environment.lock_selection import declared_in_lock, members_of, select
from tether.environment.memo import (
    cached_memo,
    from_memo,
    remembered,
    selection_key,
    selection_memo,
)
from tether.install.plan import Directory, Wanted
from tether.project import Project, Selection
from tether.python.interpreter import Interpreter


@dataclass(frozen=True, slots=True, kw_only=True)
class Picked:
    extras: list[str]
    groups: list[str]
    only: bool  # `--only-group`: the groups' own closure, not the project's dependencies
    members: tuple[str, ...] | None  # the workspace members (None: not a workspace)
    lock_sha256: str
    wanted: list[Wanted]
    directories: list[Directory]  # path and git dependencies to build
    has_project: bool  # the project itself is among what the lock selects
    memo: dict[str, object]
    warnings: tuple[str, ...] = ()


def pick(
    project: Project,
    lock_path: Path,
    interpreter: Interpreter,
    chosen: Selection,
    *,
    environment: Path,
    cache: Cache,
) -> Picked:
    extras = project.selected_extras(chosen)
    groups = project.selected_groups(chosen)
    # PEP 751 selects only what the lock declares (one another tool exported may lack
    # a group the project has).
    lock_bytes = lock_path.read_bytes()  # read once: hashed, and its header parsed
    groups, extras, warnings = declared_in_lock(
        chosen, groups, extras, lock_path, lock_bytes.decode("utf-8")
    )
    # `--only-group`: the groups' own closure, not the project's dependencies (as uv and
    # `poetry install --only` do).
    only = bool(chosen.only_groups) and not chosen.all_groups
    # In a workspace: the members this sync is for (the one it started in, `--package`,
    # `--all-packages`), and what they reach in the lock.
    members = members_of(project, chosen)
    lock_sha256 = hashlib.sha256(lock_bytes).hexdigest()
    key = selection_key(lock_sha256, extras, groups, interpreter, only=only, members=members)
    found = remembered(environment, key) or from_memo(cached_memo(cache, key), key)
    if found is not None:
        wanted, directories, has_project = found
    else:
        wanted, directories, has_project = select(
            project, lock_path, interpreter, extras, groups, only=only, members=members
        )
    memo = selection_memo(key, wanted, directories, has_project)
    if found is None:
        with contextlib.suppress(OSError):  # a read-only cache only costs the next sync
            cache.write(Bucket.SELECTIONS, f"{key}.json", data=json.dumps(memo).encode())
    return Picked(
        extras=extras,
        groups=groups,
        only=only,
        members=members,
        lock_sha256=lock_sha256,
        wanted=wanted,
        directories=directories,
        has_project=has_project,
        memo=memo,
        warnings=tuple(warnings),
    )
