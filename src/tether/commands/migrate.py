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

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tether.commands.lock import LockOptions, LockResult, lock
from tether.commands.services import IndexOptions
from tether.errors import TetherError
from tether.fs import atomic_write
from tether.lock import LOCK_NAME, locked_versions
from tether.lock.foreign import lock_pins
from tether.project import find_pyproject
from tether.project.migration import migrated_manifest
from tether.project.toml_source import read_toml


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
    migrated = migrated_manifest(read_toml(path))
    text, warnings = migrated.text, migrated.warnings
    locks = migrated.from_poetry or migrated.from_uv  # tasks alone change nothing locked
    if options.dry_run or not locks:
        if not options.dry_run:
            atomic_write(path, text)
        return MigrateResult(path=path, text=text, warnings=warnings)
    pins = lock_pins(path.parent / migrated.pins_from)
    original = path.read_bytes()
    atomic_write(path, text)
    if not options.lock:
        return MigrateResult(path=path, text=text, warnings=warnings)
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
        warnings=warnings,
        lock=result,
        poetry_pins=len(pins),
        pins_from=migrated.pins_from,
        moved=moved,
    )
