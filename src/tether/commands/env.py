"""`tether env info` and `tether env use REQUEST`: the project's environment, described
and switched to another interpreter."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tether.accel import Accelerator, detect
from tether.commands.services import IndexOptions, cache_dir
from tether.commands.torch_backend import pick_backend
from tether.environment.freshness import in_sync, lock_is_fresh, lock_location
from tether.errors import PythonNotFound, TetherError
from tether.install.state import sync_state, synced_from
from tether.lock import locked_versions
from tether.project import Project, find_pyproject, load_project
from tether.python.interpreter import describe


def info(start: Path, environ: Mapping[str, str]) -> dict[str, object]:
    """What a user debugging "why does it not import" wants first, as plain data."""
    from tether.commands.cache import size  # noqa: PLC0415

    project = load_project(find_pyproject(start))
    environment = project.environment(environ)
    lock_path = lock_location(project)
    python = environment / "bin" / "python"
    interpreter = _interpreter(python)
    files, total = size(environ)
    backends = project.settings.torch_backends
    accelerator = detect(environ, rocm=any(b.startswith("rocm") for b in backends))
    torch = _torch(project, environ, accelerator, environment)
    return {
        "project": project.display_name,
        "root": str(project.root),
        "requires-python": str(project.requires_python) or None,
        "environment": str(environment),
        "interpreter": interpreter,
        "lock": str(lock_path) if lock_path.exists() else None,
        "lock-packages": len(locked_versions(lock_path)),
        "lock-fresh": lock_is_fresh(project),
        "synced-from-lock": synced_from(sync_state(environment), lock_path),
        "in-sync": in_sync(project, environment, environ) if lock_path.exists() else False,
        "accelerator": accelerator.as_dict(),
        "torch-backend": torch,
        "cache": str(cache_dir(environ)),
        "cache-bytes": total,
        "cache-files": files,
    }


def _interpreter(python: Path) -> dict[str, object] | None:
    if not python.exists():
        return None
    try:
        found = describe(python)
    except PythonNotFound:
        return None
    return {
        "version": str(found.version),
        "implementation": found.implementation,
        "executable": found.executable,
        "base-prefix": found.base_prefix,
    }


def _torch(
    project: Project, environ: Mapping[str, str], accelerator: Accelerator, environment: Path
) -> dict[str, object] | None:
    """The declared torch backends, the one this machine gets and why, and the one the
    environment was synced with."""
    backends = project.settings.torch_backends
    if not backends:
        return None
    try:
        pick = pick_backend(project, None, environ, accelerator)
    except TetherError as err:
        return {"declared": list(backends), "selected": None, "reason": err.message}
    assert pick is not None  # noqa: S101 - backends are declared
    return {
        "declared": list(backends),
        "selected": pick.backend,
        "reason": pick.reason,
        "installed": sync_state(environment).get("torch-backend"),
    }


def use(start: Path, environ: Mapping[str, str], request: str, index: IndexOptions) -> str:
    """Re-create the environment with the interpreter `request` names, then sync it.
    Later syncs keep it while it satisfies requires-python."""
    from tether.commands.sync import SyncOptions, sync  # noqa: PLC0415

    result = sync(SyncOptions(start=start, environ=environ, index=index, python=request))
    return f"{result.interpreter.implementation} {result.interpreter.version}"
