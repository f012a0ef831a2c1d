"""`tether sync`: make the project's environment hold exactly what the lock selects for
this machine (creating the environment and the lock when needed)."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock
from packaging.utils import canonicalize_name

from tether.commands.basics import (
    IndexOptions,
    is_offline,
    keep_wheel_archives,
    open_cache,
    resolve_indexes,
)
from tether.commands.torch_backend import BackendPick, pick_backend
from tether.environment.freshness import lock_is_fresh, lock_location
from tether.environment.notices import copy_warning, environment_warning
from tether.environment.selection import Picked, pick
from tether.environment.state import environment_state
from tether.errors import LockError, PythonNotFound
from tether.fs import atomic_write
from tether.install.bytecode import compile_site
from tether.install.plan import Directory, InstallPlan, plan
from tether.install.script_runs import STATE
from tether.install.site_listing import site_listing
from tether.install.wheel import LinkMode, Target, installed, settled
from tether.project import Project, Selection, find_pyproject
from tether.project.workspace import open_project
from tether.python.interpreter import Interpreter, describe

if TYPE_CHECKING:
    from tether.index.client import IndexClient
    from tether.index.config import Index
    from tether.index.http import HttpClient
    from tether.install.apply import ApplyResult
    from tether.install.progress import InstallProgress

# Installing, building and locking load on demand: a no-op sync needs none of them.


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncOptions:
    start: Path
    environ: Mapping[str, str]
    index: IndexOptions = field(default_factory=IndexOptions)
    selection: Selection = field(default_factory=Selection)
    frozen: bool = False
    locked: bool = False
    python: str | None = None
    reinstall: bool = False
    reinstall_packages: tuple[str, ...] = ()
    exact: bool = True
    link_mode: LinkMode = LinkMode.HARDLINK
    compile_bytecode: bool = False
    torch_backend: str | None = None  # a declared backend, or "auto" (the default)
    on_progress: Callable[[str], None] | None = None  # a status line for a terminal
    progress: InstallProgress | None = None  # bars for a terminal (tether.cli.progress)
    project: Project | None = None  # already read (a PEP 723 script); else found from start


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    environment: Path
    interpreter: Interpreter
    plan: InstallPlan
    applied: ApplyResult | None
    skipped_project: bool
    warnings: tuple[str, ...] = ()
    torch: BackendPick | None = None
    directories: tuple[str, ...] = ()  # path dependencies (re)built and installed
    git_commits: Mapping[str, str] = field(default_factory=dict)  # ... of those, git ones


def sync(options: SyncOptions) -> SyncResult:
    project = options.project or open_project(find_pyproject(options.start))
    lock_path = lock_location(project)
    fresh, lock_warnings = _ensure_lock(project, lock_path, options)
    environment = _environment(project, options)
    cache = open_cache(options.environ)
    interpreter = describe(environment / "bin" / "python", cache)
    torch = pick_backend(project, options.torch_backend, options.environ)
    chosen = options.selection
    if torch is not None:
        chosen = replace(chosen, torch_backend=torch.backend)
    picked = pick(project, lock_path, interpreter, chosen, environment=environment, cache=cache)
    target = Target.from_paths(interpreter.paths, environment / "bin" / "python")
    # One sync at a time per environment; the plan is made under the lock, so a sync
    # that waited sees what the one before it did.
    with FileLock(str(environment / ".tether.lock")):
        install_plan, applied, built = _install(
            project,
            picked,
            interpreter=interpreter,
            target=target,
            environment=environment,
            options=options,
        )
        state = environment_state(
            project,
            environment,
            lock_sha256=picked.lock_sha256,
            fresh=fresh,
            extras=picked.extras,
            groups=picked.groups,
            torch_backend=None if torch is None else torch.backend,
            memo=picked.memo,
            only=picked.only,
            members=picked.members,
        )
        if state.get("pyproject-sha256") and torch is None and not picked.directories:
            listing, _count = site_listing(str(environment))
            state["site"] = {"listing": listing, "packages": len(picked.wanted)}
        # Not fsynced: a state file lost to a crash only makes the next sync do the full
        # check, and an fsync right after thousands of links waits for the journal.
        atomic_write(environment / STATE, json.dumps(state, sort_keys=True), durable=False)
    warnings = [*lock_warnings, *picked.warnings, environment_warning(project, options.environ)]
    if applied is not None and applied.installed and options.link_mode is LinkMode.HARDLINK:
        warnings.append(copy_warning(cache.root, environment))
    return SyncResult(
        environment=environment,
        interpreter=interpreter,
        plan=install_plan,
        applied=applied,
        skipped_project=picked.has_project and project.build_system is None,
        warnings=tuple(w for w in warnings if w),
        torch=torch,
        directories=tuple(built),
        git_commits={d.name: d.vcs.commit for d in picked.directories if d.vcs and d.name in built},
    )


def _install(
    project: Project,
    picked: Picked,
    *,
    interpreter: Interpreter,
    target: Target,
    environment: Path,
    options: SyncOptions,
) -> tuple[InstallPlan, ApplyResult | None, list[str]]:
    """Make the environment hold the selection: the plan from what is installed, applied;
    then the path and git dependencies, then the project itself (editable), which the
    plan leaves alone. Returns the plan, what applying did, and the directories built."""
    present = installed(target.purelib)
    if project.build_system is not None and (project.workspace is None or picked.has_project):
        present.pop(project.name, None)  # the project itself is handled below
    for directory in picked.directories:  # so are path dependencies
        present.pop(canonicalize_name(directory.name), None)
    install_plan = plan(
        picked.wanted,
        present,
        exact=options.exact,
        reinstall=options.reinstall_packages,
        reinstall_all=options.reinstall,
    )
    applied = _apply(project, install_plan, target, environment, options)
    if options.compile_bytecode and applied is not None:
        compile_site(target)
    built = _install_directories(project, picked.directories, interpreter, target, options)
    if picked.has_project and project.build_system is not None:
        # Every time: the check is cheap, and a project whose metadata changed (a new
        # console script) is rebuilt.
        _install_project(project, interpreter, target, options)
    return install_plan, applied, built


def _ensure_lock(
    project: Project, lock_path: Path, options: SyncOptions
) -> tuple[bool | None, tuple[str, ...]]:
    """Lock first when the lock is stale (unless --frozen); True when the lock is known
    to match pyproject.toml, None when --frozen left that unchecked; and what the lock
    warned of."""
    if options.frozen:
        if not lock_path.exists():
            raise LockError(
                f"{lock_path} does not exist, and --frozen uses the lock as it is",
                hint="run `tether lock` first, or drop --frozen",
            )
        return None, ()
    if options.locked or options.index.refresh or not lock_is_fresh(project):
        from tether.commands.lock import LockOptions, lock  # noqa: PLC0415 - when stale

        result = lock(
            LockOptions(
                start=project.root,
                index=options.index,
                environ=options.environ,
                check=options.locked,
                project=options.project,
            )
        )
        return True, result.warnings
    return True, ()


def _install_directories(
    project: Project,
    directories: list[Directory],
    interpreter: Interpreter,
    target: Target,
    options: SyncOptions,
) -> list[str]:
    if not directories:
        return []
    from tether.commands.build_env import installer  # noqa: PLC0415
    from tether.environment.directories import (  # noqa: PLC0415
        install_directory,
        install_git,
        read_build_system,
    )

    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    build_installer = installer(indexes, options.index, options.environ)
    cache = open_cache(options.environ)
    done = []
    for directory in directories:
        if directory.vcs is not None:
            changed = install_git(
                directory,
                interpreter,
                target,
                cache=cache,
                installer=build_installer,
                environ=options.environ,
                reinstall=options.reinstall or directory.name in options.reinstall_packages,
            )
        else:
            changed = install_directory(
                directory,
                read_build_system(directory.source),
                interpreter,
                target,
                installer=build_installer,
                environ=options.environ,
                reinstall=options.reinstall,
            )
        if changed:
            done.append(directory.name)
    return done


def apply_plan(
    install_plan: InstallPlan,
    *,
    target: Target,
    indexes: tuple[Index, ...],
    index: IndexOptions,
    environ: Mapping[str, str],
    link_mode: LinkMode = LinkMode.HARDLINK,
    on_progress: Callable[[str], None] | None = None,
    progress: InstallProgress | None = None,
) -> ApplyResult:
    """Carry out `install_plan` in `target`: download (or take from the cache), build
    sdists into wheels with the environment's interpreter, link, remove."""
    from tether.install.apply import apply  # noqa: PLC0415

    # The index client (HTTP, urllib3) and the PEP 517 machinery are loaded only when a
    # file must be downloaded or an sdist built: a warm-cache install needs neither.
    clients: list[IndexClient] = []
    guard = threading.Lock()

    def http() -> HttpClient:
        with guard:
            if not clients:
                from tether.commands.services import index_client  # noqa: PLC0415

                clients.append(index_client(indexes, index, environ))
            return clients[0].http

    def build(sdist: Path) -> Path:
        from tether.build.sdist import build_wheel_from_sdist  # noqa: PLC0415
        from tether.commands.build_env import installer  # noqa: PLC0415

        return build_wheel_from_sdist(
            sdist,
            out_dir=build_into,
            python=target.python,
            install_requirements=installer(indexes, index, environ),
            environ=environ,
        )

    build_into = Path(tempfile.mkdtemp(prefix="tether-built-"))
    try:
        return apply(
            install_plan,
            target=target,
            cache=open_cache(environ),
            http=http,
            link_mode=link_mode,
            on_progress=on_progress,
            build=build,
            offline=is_offline(index, environ),
            progress=progress,
            keep_archives=keep_wheel_archives(environ),
        )
    finally:
        shutil.rmtree(build_into, ignore_errors=True)


def _install_project(
    project: Project, interpreter: Interpreter, target: Target, options: SyncOptions
) -> None:
    """The project itself, editable (PEP 660)."""
    from tether.commands.build_env import installer  # noqa: PLC0415
    from tether.environment.directories import install_directory  # noqa: PLC0415

    build_system = project.build_system
    assert build_system is not None  # noqa: S101 - checked by the caller
    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    version = None if project.version is None else str(project.version)
    install_directory(
        Directory(project.name, version, project.root, editable=True),
        build_system,
        interpreter,
        target,
        installer=installer(indexes, options.index, options.environ),
        environ=options.environ,
        reinstall=options.reinstall,
    )


def _environment(project: Project, options: SyncOptions) -> Path:
    """The project's environment, created (or re-created for another interpreter) when it
    does not fit."""
    root = project.environment(options.environ)
    python = root / "bin" / "python"
    if python.exists() and options.python is None:
        try:
            current = describe(python, open_cache(options.environ))
        except PythonNotFound:
            current = None
        if current is not None and project.requires_python.contains(
            current.version, prereleases=True
        ):
            return root
    from tether.commands.python import find_python  # noqa: PLC0415 - only to create one
    from tether.python.venv import create  # noqa: PLC0415

    interpreter = find_python(options.python, options.environ, str(project.requires_python))
    create(root, interpreter, prompt=project.display_name)
    return root


def _apply(
    project: Project,
    install_plan: InstallPlan,
    target: Target,
    environment: Path,
    options: SyncOptions,
) -> ApplyResult | None:
    if install_plan.empty:
        settled(target.purelib)  # an interrupted change found whole: nothing to redo
        return None
    # A sync interrupted from here on must not leave a state that reads as in sync:
    # the next one checks the environment in full.
    (environment / STATE).unlink(missing_ok=True)
    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    return apply_plan(
        install_plan,
        target=target,
        indexes=indexes,
        index=options.index,
        environ=options.environ,
        link_mode=options.link_mode,
        on_progress=options.on_progress,
        progress=options.progress,
    )
