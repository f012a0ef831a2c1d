"""`tether add` / `tether remove`: edit pyproject.toml, lock, sync; a failed resolution
leaves pyproject.toml exactly as it was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement

from tether.commands.git_add import GitRevision, git_additions
from tether.commands.lock import LockOptions, lock
from tether.commands.project_lock import editing
from tether.commands.services import IndexOptions
from tether.environment.freshness import lock_location
from tether.errors import TetherError, UsageError
from tether.fs import atomic_write
from tether.lock import LOCK_NAME
from tether.project import find_pyproject
from tether.project.additions import editable_paths, parse_requirements, with_lower_bound
from tether.project.edit import (
    Section,
    add_requirements,
    drop_unused_sources,
    pin_to_index,
    remove_requirements,
    set_sources,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EditOptions:
    start: Path
    environ: Mapping[str, str]
    names: tuple[str, ...]
    index: IndexOptions = field(default_factory=IndexOptions)
    group: str | None = None
    optional: str | None = None
    bounds: str = "lower"  # lower (>=X), exact (==X), compatible (~=X.Y), major (<next major)
    pin_index: str | None = None  # `--index NAME`: pin the packages to that index
    editables: tuple[str, ...] = ()  # `--editable PATH`: project directories, as path sources
    frozen: bool = False  # edit only: no lock, no sync
    no_sync: bool = False
    script: Path | None = None  # `--script FILE`: edit a PEP 723 script's block instead
    git: GitRevision = field(default_factory=GitRevision)  # --tag/--branch/--rev for git URLs


@dataclass(frozen=True, slots=True, kw_only=True)
class EditResult:
    pyproject: Path
    written: tuple[str, ...]
    synced: bool


def add(options: EditOptions) -> EditResult:
    if options.script is not None:
        return _edit_script(options, removing=False)
    section, name = _section(options)
    path = find_pyproject(options.start)
    with editing(path.parent, options.environ):
        return _add(path, section, name, options)


def _add(path: Path, section: Section, name: str | None, options: EditOptions) -> EditResult:
    local = editable_paths(options.editables, path.parent)
    plain, from_git = git_additions(options.names, options.git, options.environ)
    given = parse_requirements(plain, allow_empty=bool(local) or bool(from_git))
    requirements = [*given, *local.keys(), *from_git.keys()]
    original = path.read_text(encoding="utf-8")
    edited = add_requirements(original, requirements, section=section, name=name)
    if options.pin_index is not None:
        edited = pin_to_index(edited, [r.name for r in requirements], options.pin_index)
    if local:
        edited = set_sources(
            edited, {r.name: {"path": where, "editable": True} for r, where in local.items()}
        )
    if from_git:
        edited = set_sources(edited, {r.name: source for r, source in from_git.items()})
    lock_path = _lock_file(path)
    atomic_write(path, edited)
    if options.frozen:
        return EditResult(pyproject=path, written=tuple(map(str, requirements)), synced=False)
    lock_before = _read_bytes(lock_path)
    try:
        _lock(path, options)
        bounded = [
            r if r in local or r in from_git else with_lower_bound(r, lock_path, options.bounds)
            for r in requirements
        ]
        if bounded != requirements:
            text = add_requirements(edited, bounded, section=section, name=name)
            atomic_write(path, text)
            _lock(path, options)
    except (TetherError, KeyboardInterrupt):
        atomic_write(path, original)  # nothing lost: both files exactly as they were
        _restore(lock_path, lock_before)
        raise
    synced = _sync(path, options)
    return EditResult(pyproject=path, written=tuple(map(str, bounded)), synced=synced)


def remove(options: EditOptions) -> EditResult:
    if options.script is not None:
        return _edit_script(options, removing=True)
    section, name = _section(options)
    path = find_pyproject(options.start)
    with editing(path.parent, options.environ):
        return _remove(path, section, name, options)


def _remove(path: Path, section: Section, name: str | None, options: EditOptions) -> EditResult:
    original = path.read_text(encoding="utf-8")
    text, missing = remove_requirements(original, list(options.names), section=section, name=name)
    if missing:
        where = f"{section.value} '{name}'" if name else "the project's dependencies"
        raise UsageError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in {where}",
            hint="check the name, or pass --group / --optional for where it is",
        )
    lock_path = _lock_file(path)
    atomic_write(path, drop_unused_sources(text, list(options.names)))
    if options.frozen:
        return EditResult(pyproject=path, written=(), synced=False)
    lock_before = _read_bytes(lock_path)
    try:
        _lock(path, options)
    except (TetherError, KeyboardInterrupt):
        atomic_write(path, original)
        _restore(lock_path, lock_before)
        raise
    return EditResult(pyproject=path, written=(), synced=_sync(path, options))


def _edit_script(options: EditOptions, *, removing: bool) -> EditResult:
    """`--script FILE`: edit the block's dependencies (comments kept), then lock the
    script (beside it when it has a lock there, else in the cache) and bound what was
    added from that lock, as for a project. Nothing is synced: a run does that."""
    from tether.commands.script import load_script  # noqa: PLC0415
    from tether.project.script import add_to_script, read_script, remove_from_script  # noqa: PLC0415

    if options.group or options.optional or options.editables or options.pin_index:
        raise UsageError(
            "a script has only `dependencies`: --group, --optional, --editable and --index "
            "do not apply with --script"
        )
    path = (options.script or Path()).absolute()
    with editing(path, options.environ):
        original = read_script(path)
        if removing:
            text, missing = remove_from_script(original, path, list(options.names))
            if missing:
                raise UsageError(
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in "
                    f"the dependencies of {path.name}",
                    hint="check the name (`tether run` lists nothing; read the script block)",
                )
            requirements: list[Requirement] = []
        else:
            requirements = parse_requirements(options.names)
            text = add_to_script(original, path, requirements)
        atomic_write(path, text)
        if options.frozen:
            return EditResult(pyproject=path, written=tuple(map(str, requirements)), synced=False)
        lock_path = lock_location(load_script(path, options.environ))
        lock_before = _read_bytes(lock_path)
        try:
            _lock_script(path, options)
            bounded = [with_lower_bound(r, lock_path, options.bounds) for r in requirements]
            if bounded != requirements:
                atomic_write(path, add_to_script(text, path, bounded))
                _lock_script(path, options)
        except (TetherError, KeyboardInterrupt):
            atomic_write(path, original)
            _restore(lock_path, lock_before)
            raise
    return EditResult(pyproject=path, written=tuple(map(str, bounded)), synced=False)


def _lock_script(path: Path, options: EditOptions) -> None:
    from tether.commands.script import load_script  # noqa: PLC0415

    project = load_script(path, options.environ)
    lock(
        LockOptions(
            start=path.parent, index=options.index, environ=options.environ, project=project
        )
    )


def _section(options: EditOptions) -> tuple[Section, str | None]:
    if options.group and options.optional:
        raise UsageError("--group and --optional exclude each other")
    if options.group:
        return Section.GROUP, options.group
    if options.optional:
        return Section.OPTIONAL, options.optional
    return Section.DEPENDENCIES, None


def _lock_file(path: Path) -> Path:
    """The lock `path`'s project uses: beside it, or its workspace's at the root."""
    from tether.project.workspace import workspace_root  # noqa: PLC0415

    root = workspace_root(path)
    return (root or path.parent) / LOCK_NAME


def _lock(path: Path, options: EditOptions) -> None:
    lock(LockOptions(start=path.parent, index=options.index, environ=options.environ))


def _sync(path: Path, options: EditOptions) -> bool:
    if options.no_sync:
        return False
    from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415 - only when syncing

    sync(SyncOptions(start=path.parent, environ=options.environ, index=options.index))
    return True


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _restore(path: Path, data: bytes | None) -> None:
    """Put the lock back as it was before a failed edit (or remove one the edit made)."""
    if data is None:
        path.unlink(missing_ok=True)
    elif _read_bytes(path) != data:
        atomic_write(path, data)
