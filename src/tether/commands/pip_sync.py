"""`tether pip sync`: pip-tools' `pip-sync` (and `uv pip sync`): make a virtual
environment hold exactly the distributions a pinned requirements file lists, no more
(pip, setuptools and wheel are kept), no fewer, at exactly those versions.

Each line must pin one version (`name==1.2`) or point at an archive (`name @ url`);
dependencies are not resolved (the file is the whole environment, as `pip compile`
writes it). Markers are decided for the target interpreter. Lines with `--hash` restrict
which files may be installed; as in pip, once one line has hashes every line needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from packaging.utils import (
    canonicalize_name,
)

from tether.commands.build_env import installer
from tether.commands.pip_compile import with_file_indexes
from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.commands.sync import apply_plan
from tether.environment.directories import install_directory, read_build_system
from tether.environment.requirements_pins import check_entries, directory_of, pinned_file
from tether.errors import PythonNotFound, UsageError
from tether.install.apply import ApplyResult
from tether.install.plan import Directory, InstallPlan, plan
from tether.install.wheel import LinkMode, Target, installed, settled
from tether.project.requirements_txt import read_requirements
from tether.python.interpreter import Interpreter, describe


@dataclass(frozen=True, slots=True, kw_only=True)
class PipSyncOptions:
    sources: tuple[Path, ...]
    environ: Mapping[str, str]
    python: str | None = None  # a venv directory or its interpreter
    index: IndexOptions = field(default_factory=IndexOptions)
    dry_run: bool = False
    link_mode: LinkMode = LinkMode.HARDLINK
    cwd: Path = field(default_factory=Path.cwd)
    on_progress: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PipSyncResult:
    environment: Path
    interpreter: Interpreter
    plan: InstallPlan
    applied: ApplyResult | None
    directories: tuple[str, ...] = ()  # project directories (re)built and installed


def pip_sync(options: PipSyncOptions) -> PipSyncResult:
    if not options.sources:
        raise UsageError(
            "no requirements file to sync from",
            hint="name one: `tether pip sync requirements.txt`",
        )
    read = read_requirements(list(options.sources), options.environ)
    environment = _environment(options)
    python = environment / "bin" / "python"
    interpreter = describe(python)
    markers = dict(interpreter.markers)
    entries = [
        e
        for e in read.requirements
        if e.requirement.marker is None or e.requirement.marker.evaluate(markers)
    ]
    check_entries(entries)
    index = with_file_indexes(options.index, read)
    client = index_client(resolve_indexes((), index, options.environ), index, options.environ)
    directories = [d for e in entries if (d := directory_of(e)) is not None]
    wanted = [
        pinned_file(entry, client.find, interpreter)
        for entry in entries
        if directory_of(entry) is None
    ]
    target = Target.from_paths(interpreter.paths, python)
    with FileLock(str(environment / ".tether.lock")):
        present = installed(target.purelib)
        for directory in directories:  # built below, never removed as "not listed"
            present.pop(canonicalize_name(directory.name), None)
        install_plan = plan(wanted, present, exact=True)
        applied: ApplyResult | None = None
        built: list[str] = []
        if not options.dry_run:
            applied, built = _apply(
                install_plan,
                directories,
                interpreter=interpreter,
                target=target,
                index=index,
                options=options,
            )
    return PipSyncResult(
        environment=environment,
        interpreter=interpreter,
        plan=install_plan,
        applied=applied,
        directories=tuple(built),
    )


def _apply(
    install_plan: InstallPlan,
    directories: list[Directory],
    *,
    interpreter: Interpreter,
    target: Target,
    index: IndexOptions,
    options: PipSyncOptions,
) -> tuple[ApplyResult | None, list[str]]:
    """Carry out the plan, then build and install the project directories; what applying
    did, and which directories were (re)installed."""
    indexes = resolve_indexes((), index, options.environ)
    applied = None
    if install_plan.empty:
        settled(target.purelib)
    else:
        applied = apply_plan(
            install_plan,
            target=target,
            indexes=indexes,
            index=index,
            environ=options.environ,
            link_mode=options.link_mode,
            on_progress=options.on_progress,
        )
    build = installer(indexes, index, options.environ)
    built = [
        d.name
        for d in directories
        if install_directory(
            d,
            read_build_system(d.source),
            interpreter,
            target,
            installer=build,
            environ=options.environ,
        )
    ]
    return applied, built


def _environment(options: PipSyncOptions) -> Path:
    """`--python` (a venv or its interpreter), else the active venv, else `.venv` here."""
    if options.python is not None:
        given = Path(options.python)
        root = given.parent.parent if given.is_file() else given
        where = "--python"
    elif active := options.environ.get("VIRTUAL_ENV"):
        root, where = Path(active), "VIRTUAL_ENV"
    else:
        root, where = options.cwd / ".venv", "the current directory"
    if not (root / "pyvenv.cfg").is_file() or not (root / "bin" / "python").exists():
        raise PythonNotFound(
            f"{root} (from {where}) is not a virtual environment",
            hint="create one with `tether venv`, activate it, or pass --python PATH",
        )
    return root
