"""`tether migrate`: rewrite a Poetry project's `pyproject.toml` as PEP 621 `[project]`,
PEP 735 `[dependency-groups]` and `[tool.tether]`, then lock it keeping the versions
`poetry.lock` pinned wherever the new constraints allow.

Tables tether does not translate (other tools' settings, `[build-system]`, Poetry's own
`packages`/`include`/`exclude`, which poetry-core still reads) are kept with their
comments; the translated Poetry tables are removed. `[build-system]` moves to
poetry-core 2, the first that reads `[project]`. All or nothing: when the new manifest
is invalid or the lock fails, `pyproject.toml` is put back as it was.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tether.commands.lock import LockOptions, LockResult, lock
from tether.commands.services import IndexOptions
from tether.errors import ProjectError, TetherError
from tether.fs import atomic_write
from tether.lock import LOCK_NAME, locked_versions
from tether.lock.foreign import lock_pins
from tether.project import find_pyproject
from tether.project.poetry import (
    PoetryError,
    convert,
    convert_poetry2,
    is_poetry2_project,
    is_poetry_project,
)
from tether.project.poetry_rewrite import rewrite, rewrite_poetry2
from tether.project.pyproject import parse_project
from tether.project.task_import import imported_tasks, with_tasks
from tether.project.toml_source import TomlDocument, read_toml
from tether.project.uv_rewrite import has_uv_settings, rewrite_uv
from tether.project.workspace import workspace_table


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrateOptions:
    start: Path
    environ: Mapping[str, str]
    index: IndexOptions = field(default_factory=IndexOptions)
    dry_run: bool = False
    lock: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrateResult:
    path: Path
    text: str
    warnings: tuple[str, ...]
    lock: LockResult | None = None
    poetry_pins: int = 0  # versions poetry.lock (or uv.lock) held
    pins_from: str = "poetry.lock"
    moved: tuple[tuple[str, str, str], ...] = ()  # (name, poetry.lock's, pylock's)


def migrate(options: MigrateOptions) -> MigrateResult:
    path = find_pyproject(options.start)
    doc = read_toml(path)
    poetry = is_poetry_project(doc.data)
    poetry2 = not poetry and is_poetry2_project(doc.data)
    uv = has_uv_settings(doc.data)
    imported = imported_tasks(doc.data)
    if not poetry and not poetry2 and not uv and imported is None:
        raise ProjectError(
            "is not a Poetry project ([tool.poetry] with dependencies, and no [project]), "
            "has no uv settings to move ([tool.uv]) and no [tool.pdm.scripts] or "
            "[tool.taskipy.tasks]",
            path=path,
            hint="nothing to migrate: tether reads this file as it is",
        )
    text, warnings = doc.text, []
    if uv:
        text, notes = rewrite_uv(text)
        warnings += notes
    if poetry or poetry2:  # Poetry 1 (no [project]) or Poetry 2 ([project] beside)
        try:
            converted = convert(doc.data) if poetry else convert_poetry2(doc.data)
        except PoetryError as err:
            raise ProjectError(f"cannot migrate: {err}", path=path) from None
        text = rewrite(text, converted) if poetry else rewrite_poetry2(text, converted)
        warnings += converted.warnings
        poetry = True  # from here on, as any Poetry project: locked with poetry.lock's pins
    if imported is not None:
        text = with_tasks(text, imported)
        warnings += imported.warnings
    # The new manifest must read back as a valid project before anything is written.
    data = tomllib.loads(text)
    if "project" in data or workspace_table(data) is None:  # (a virtual workspace root has none)
        parse_project(TomlDocument(path=path, text=text, data=data))
    if options.dry_run or not (poetry or uv):  # tasks alone change nothing the lock holds
        if not options.dry_run:
            atomic_write(path, text)
        return MigrateResult(path=path, text=text, warnings=tuple(warnings))
    pins = lock_pins(path.parent / ("poetry.lock" if poetry else "uv.lock"))
    original = path.read_bytes()
    atomic_write(path, text)
    if not options.lock:
        return MigrateResult(path=path, text=text, warnings=tuple(warnings))
    try:
        result = lock(
            LockOptions(
                start=path.parent,
                index=options.index,
                environ=options.environ,
                seed_preferences=pins,
            )
        )
    except (TetherError, KeyboardInterrupt) as err:
        atomic_write(path, original)
        if isinstance(err, TetherError):
            err.add_note(f"{path.name} was left as it was")
        raise
    locked = locked_versions(path.parent / LOCK_NAME)
    moved = tuple(
        (name, ", ".join(versions), ", ".join(locked[name]))
        for name, versions in sorted(pins.items())
        if name in locked and not set(versions) & set(locked[name])
    )
    return MigrateResult(
        path=path,
        text=text,
        warnings=tuple(warnings),
        lock=result,
        poetry_pins=len(pins),
        pins_from="poetry.lock" if poetry else "uv.lock",
        moved=moved,
    )
