"""`tether run script.py` for PEP 723 scripts: read the `# /// script` block, lock it,
fill an environment for the resolved set, and run the script with that environment's
Python.

The lock is `pylock.<name>.toml` beside the script when `tether lock --script` wrote
one, else a lock kept in the cache per script path: either way a re-run with the same
block resolves nothing (and works offline), and a changed block re-locks, keeping the
versions it can. Environments live in the cache keyed by the resolved set, so scripts
that resolve the same share one. A full run leaves a memo (tether/install/script_runs.py)
that lets the next one start in milliseconds (tether.cli.fastrun).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tether.cache import Bucket
from tether.commands.basics import IndexOptions, cache_dir
from tether.commands.run import Prepared
from tether.environment.freshness import lock_is_fresh, lock_location
from tether.errors import LockError
from tether.fs import atomic_write
from tether.install.script_runs import MEMO, STATE, block_digest, memo, script_key
from tether.project import Project
from tether.project.script import lock_name, read_script, script_project


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptOptions:
    script: Path
    environ: Mapping[str, str]
    arguments: Sequence[str] = ()
    python: str | None = None
    with_requirements: tuple[str, ...] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    locked: bool = False  # the lock must match the block (else an error, as `sync --locked`)


def load_script(path: Path, environ: Mapping[str, str]) -> Project:
    """The script as a project, with its lock: the one beside it if there is one, else
    its lock in the cache."""
    path = path.absolute()
    project = script_project(path, read_script(path))
    beside = path.parent / lock_name(path)
    lock_file = beside if beside.exists() else cached_lock(path, environ)
    return replace(project, lock_file=lock_file)


def beside_lock_project(
    path: Path, environ: Mapping[str, str]
) -> tuple[Project, dict[str, tuple[str, ...]]]:
    """For `tether lock --script`: the script with its lock beside it, and the versions
    its cached lock holds (so a first lock beside it keeps what runs already used)."""
    from tether.lock import locked_versions  # noqa: PLC0415

    path = path.absolute()
    project = script_project(path, read_script(path))
    beside = path.parent / lock_name(path)
    seeds = {} if beside.exists() else locked_versions(cached_lock(path, environ))
    return replace(project, lock_file=beside), seeds


def cached_lock(path: Path, environ: Mapping[str, str]) -> Path:
    return cache_dir(environ) / Bucket.SCRIPTS.value / script_key(str(path)) / "pylock.toml"


def prepare_script(options: ScriptOptions) -> Prepared:
    """Lock if the block changed, fill the environment if it lacks the resolved set,
    and say how to run the script."""
    project = load_script(options.script, options.environ)
    synced = False
    if options.locked or not lock_is_fresh(project):
        _lock(project, options)
        synced = True
    environment = environment_for(
        project, options.python or options.environ.get("TETHER_PYTHON"), options.environ
    )
    project = replace(project, environment_path=environment)
    if not _ready(environment):
        from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415 - the slow path

        sync(
            SyncOptions(
                start=project.root,
                environ=options.environ,
                index=options.index,
                python=options.python,
                frozen=True,
                project=project,
            )
        )
        synced = True
    active = environment
    if options.with_requirements:
        from tether.commands.overlay import overlay  # noqa: PLC0415 - only with --with

        active = overlay(project, environment, options.with_requirements, options.environ)
    elif options.python is None and "TETHER_PYTHON" not in options.environ:
        _remember(project, environment, options.environ)
    return _prepared(active, environment, options, synced=synced)


def environment_for(project: Project, python: str | None, environ: Mapping[str, str]) -> Path:
    """Where the environment for the script's resolved set lives: keyed by the locked
    packages (not the lock's bytes, which also hold the block's fingerprint), the
    Python range and the interpreter asked for."""
    lock = lock_location(project)
    try:
        packages = tomllib.loads(lock.read_text(encoding="utf-8")).get("packages", [])
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise LockError(
            f"cannot read the script's lock {lock}: {err}",
            hint=f"re-lock it with `tether lock --script {project.script}`",
        ) from None
    identity = {
        "packages": packages,
        "requires-python": str(project.requires_python),
        "python": python,
    }
    key = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    return cache_dir(environ) / Bucket.ENVIRONMENTS.value / key[:32]


def _lock(project: Project, options: ScriptOptions) -> None:
    from tether.commands.lock import LockOptions, lock  # noqa: PLC0415 - when stale

    lock(
        LockOptions(
            start=project.root,
            index=options.index,
            environ=options.environ,
            check=options.locked,
            project=project,
        )
    )


def _ready(environment: Path) -> bool:
    """The environment finished a sync of this resolved set (its state file is written
    last, and removed before any change)."""
    return (environment / STATE).exists() and (environment / "bin" / "python").exists()


def _remember(project: Project, environment: Path, environ: Mapping[str, str]) -> None:
    script = project.script
    if script is None:
        return
    try:
        text = script.read_text(encoding="utf-8")
        target = cache_dir(environ) / Bucket.SCRIPTS.value / script_key(str(script)) / MEMO
        target.parent.mkdir(parents=True, exist_ok=True)
        record = memo(
            block=block_digest(text),
            lock=str(lock_location(project)),
            beside=str(script.parent / lock_name(script)),
            environment=str(environment),
        )
        atomic_write(target, json.dumps(record, sort_keys=True), durable=False)
    except OSError:
        return  # no memo only costs the next run its full check


def _prepared(active: Path, environment: Path, options: ScriptOptions, *, synced: bool) -> Prepared:
    environ = dict(options.environ)
    bins = [str(active / "bin")]
    if active != environment:
        bins.append(str(environment / "bin"))
    environ["PATH"] = os.pathsep.join([*bins, environ.get("PATH", "")])
    environ["VIRTUAL_ENV"] = str(active)
    environ.pop("PYTHONHOME", None)
    python = active / "bin" / "python"
    return Prepared(
        program=str(python),
        argv=["python", str(options.script), *options.arguments],
        environ=environ,
        synced=synced,
    )


def saved_stdin(data: bytes, environ: Mapping[str, str]) -> Path:
    """A script read from standard input, kept in the cache by its contents (so the
    same script piped twice is the same script)."""
    name = hashlib.sha256(data).hexdigest()[:32]
    path = cache_dir(environ) / Bucket.SCRIPTS.value / "stdin" / f"{name}.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    return path
