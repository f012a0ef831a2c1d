"""tether as a library: the verbs as typed functions that return values and raise
`TetherError`s instead of printing and exiting.

    from tether import api

    result = api.lock("path/to/project")
    print(result.packages, "packages locked in", result.path)

Every function takes the project directory (or any directory inside it) first and
keyword-only options named like the command line's flags. `environ` stands for the
process environment (`TETHER_*` settings, credentials); it defaults to `os.environ`.
Nothing here prints; errors carry `message` and `hint`, as the CLI shows them.
Modules are imported per call, so `import tether.api` costs next to nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tether.errors import TetherError

if TYPE_CHECKING:
    from tether.commands.add import EditOptions, EditResult
    from tether.commands.basics import IndexOptions
    from tether.commands.build import BuildResult
    from tether.commands.lock import LockResult
    from tether.commands.publish import PublishResult
    from tether.commands.sync import SyncResult
    from tether.commands.version import VersionResult
    from tether.locking.bare_requirements import Resolution

__all__ = [
    "TetherError",
    "add",
    "build",
    "export",
    "lock",
    "publish",
    "remove",
    "resolve",
    "script_environment",
    "sync",
    "task",
    "version",
]

Environ = Mapping[str, str] | None


def _environ(environ: Environ) -> Mapping[str, str]:
    return dict(os.environ) if environ is None else environ


def _index(
    index_url: str | None,
    extra_index_urls: Sequence[str],
    *,
    offline: bool,
    refresh: bool = False,
    exclude_newer: datetime | None = None,
) -> IndexOptions:
    from tether.commands.basics import IndexOptions  # noqa: PLC0415

    return IndexOptions(
        index_url=index_url,
        extra_index_urls=tuple(extra_index_urls),
        offline=offline,
        refresh=refresh,
        exclude_newer=exclude_newer,
    )


def lock(
    project_dir: str | Path = ".",
    *,
    upgrade: bool = False,
    upgrade_packages: Sequence[str] = (),
    check: bool = False,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    offline: bool = False,
    environ: Environ = None,
    script: str | Path | None = None,
) -> LockResult:
    """Resolve the project for every environment it supports into `pylock.toml`
    (`check=True`: only say whether the lock is current; raises `LockError` if not).
    `script=FILE`: lock that PEP 723 script into `pylock.<name>.toml` beside it."""
    from tether.commands.lock import LockOptions  # noqa: PLC0415
    from tether.commands.lock import lock as run  # noqa: PLC0415

    project = None
    seeds: dict[str, tuple[str, ...]] = {}
    if script is not None:
        from tether.commands.script import beside_lock_project  # noqa: PLC0415

        project, seeds = beside_lock_project(Path(script), _environ(environ))
    return run(
        LockOptions(
            project=project,
            seed_preferences=seeds,
            start=Path(project_dir),
            index=_index(index_url, extra_index_urls, offline=offline),
            environ=_environ(environ),
            check=check,
            upgrade=upgrade,
            upgrade_packages=tuple(upgrade_packages),
        )
    )


def script_environment(
    script: str | Path,
    *,
    python: str | None = None,
    locked: bool = False,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    offline: bool = False,
    environ: Environ = None,
) -> Path:
    """The environment a PEP 723 script runs in (locked and filled now if needed), as
    `tether run script.py` prepares it; run the script with its `bin/python`."""
    from tether.commands.script import ScriptOptions, prepare_script  # noqa: PLC0415

    prepared = prepare_script(
        ScriptOptions(
            script=Path(script).absolute(),
            environ=_environ(environ),
            python=python,
            locked=locked,
            index=_index(index_url, extra_index_urls, offline=offline),
        )
    )
    return Path(prepared.environ["VIRTUAL_ENV"])


def task(
    project_dir: str | Path = ".",
    name: str = "",
    arguments: Sequence[str] = (),
    *,
    environ: Environ = None,
) -> int:
    """Run the `[tool.tether.tasks]` entry `name` (locking and syncing first); its exit
    status: 0, or that of the first step that failed."""
    from tether.commands.task import TaskOptions, run_task  # noqa: PLC0415

    return run_task(
        TaskOptions(
            start=Path(project_dir), environ=_environ(environ), name=name, arguments=arguments
        )
    )


def sync(
    project_dir: str | Path = ".",
    *,
    groups: Sequence[str] = (),
    extras: Sequence[str] = (),
    all_groups: bool = False,
    all_extras: bool = False,
    no_default_groups: bool = False,
    frozen: bool = False,
    locked: bool = False,
    torch_backend: str | None = None,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    offline: bool = False,
    environ: Environ = None,
) -> SyncResult:
    """Make the project's environment hold exactly what the lock selects for this
    machine (locking first unless `frozen`; `locked` refuses an out-of-date lock)."""
    from tether.commands.sync import SyncOptions  # noqa: PLC0415
    from tether.commands.sync import sync as run  # noqa: PLC0415
    from tether.project import Selection  # noqa: PLC0415

    return run(
        SyncOptions(
            start=Path(project_dir),
            environ=_environ(environ),
            index=_index(index_url, extra_index_urls, offline=offline),
            selection=Selection(
                groups=tuple(groups),
                extras=tuple(extras),
                all_groups=all_groups,
                all_extras=all_extras,
                no_default_groups=no_default_groups,
            ),
            frozen=frozen,
            locked=locked,
            torch_backend=torch_backend,
        )
    )


def resolve(
    requirements: Sequence[str],
    *,
    python: str | None = None,
    environments: Sequence[str] = (),
    constraints: Sequence[str] = (),
    prerelease: str = "if-necessary-or-explicit",
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    offline: bool = False,
    environ: Environ = None,
) -> Resolution:
    """Resolve `requirements` (PEP 508 strings) without a project: for Python `python`
    ("3.12") or, when None, every Python from the running one up; `environments` are
    markers that limit the platforms (universal when empty). Raises `ResolutionError`
    with the resolver's explanation when they cannot all be met."""
    from tether.commands.resolve import ResolveOptions  # noqa: PLC0415
    from tether.commands.resolve import resolve as run  # noqa: PLC0415

    return run(
        ResolveOptions(
            requirements=requirements,
            environ=_environ(environ),
            python=python,
            environments=environments,
            constraints=constraints,
            prerelease=prerelease,
            index=_index(index_url, extra_index_urls, offline=offline),
        )
    )


def export(
    project_dir: str | Path = ".",
    *,
    format: str = "requirements",
    hashes: bool = True,
    groups: Sequence[str] = (),
    extras: Sequence[str] = (),
    all_extras: bool = False,
    frozen: bool = False,
    torch_backend: str | None = None,
    environ: Environ = None,
) -> str:
    """The lock in another format: "requirements" (hashed requirements.txt), "pylock"
    (the selection as a standalone pylock.toml) or "dockerfile"; returned as text."""
    from tether.commands.export import ExportOptions  # noqa: PLC0415
    from tether.commands.export import export as run  # noqa: PLC0415
    from tether.project import Selection  # noqa: PLC0415

    return run(
        ExportOptions(
            start=Path(project_dir),
            environ=_environ(environ),
            hashes=hashes,
            selection=Selection(groups=tuple(groups), extras=tuple(extras), all_extras=all_extras),
            frozen=frozen,
            format=format,
            torch_backend=torch_backend,
        )
    )


def add(
    project_dir: str | Path,
    requirements: Sequence[str],
    *,
    group: str | None = None,
    optional: str | None = None,
    no_sync: bool = False,
    environ: Environ = None,
) -> EditResult:
    """Add `requirements` to pyproject.toml (to `group`, or the extra `optional`), then
    lock and sync; on any failure pyproject.toml and the lock are left as they were."""
    from tether.commands.add import add as run  # noqa: PLC0415

    return run(_edit(project_dir, requirements, group, optional, no_sync=no_sync, environ=environ))


def remove(
    project_dir: str | Path,
    names: Sequence[str],
    *,
    group: str | None = None,
    optional: str | None = None,
    no_sync: bool = False,
    environ: Environ = None,
) -> EditResult:
    """Remove `names` from pyproject.toml, then lock and sync."""
    from tether.commands.add import remove as run  # noqa: PLC0415

    return run(_edit(project_dir, names, group, optional, no_sync=no_sync, environ=environ))


def _edit(
    project_dir: str | Path,
    names: Sequence[str],
    group: str | None,
    optional: str | None,
    *,
    no_sync: bool,
    environ: Environ,
) -> EditOptions:
    """The options `add` and `remove` share."""
    from tether.commands.add import EditOptions  # noqa: PLC0415

    return EditOptions(
        start=Path(project_dir),
        environ=_environ(environ),
        names=tuple(names),
        group=group,
        optional=optional,
        no_sync=no_sync,
    )


def version(
    project_dir: str | Path = ".",
    *,
    value: str | None = None,
    bump: str | None = None,
    dry_run: bool = False,
) -> VersionResult:
    """The project's version; with `value` or `bump` ("major", "minor", "patch",
    "pre"), set it in pyproject.toml (and the lock's entry for the project)."""
    from tether.commands.version import version as run  # noqa: PLC0415

    return run(Path(project_dir), value=value, bump=bump, dry_run=dry_run)


def build(
    project_dir: str | Path = ".",
    *,
    sdist: bool = False,
    wheel: bool = False,
    out_dir: str | Path | None = None,
    python: str | None = None,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    offline: bool = False,
    refresh: bool = False,
    exclude_newer: datetime | None = None,
    environ: Environ = None,
) -> BuildResult:
    """Build the sdist and the wheel (from the sdist) into `out_dir` (default: dist/);
    `sdist`/`wheel` build only that one, from the source tree."""
    from tether.commands.build import BuildOptions  # noqa: PLC0415
    from tether.commands.build import build as run  # noqa: PLC0415

    return run(
        BuildOptions(
            start=Path(project_dir),
            environ=_environ(environ),
            sdist=sdist,
            wheel=wheel,
            out_dir=Path(out_dir) if out_dir is not None else None,
            python=python,
            index=_index(
                index_url,
                extra_index_urls,
                offline=offline,
                refresh=refresh,
                exclude_newer=exclude_newer,
            ),
        )
    )


def publish(
    project_dir: str | Path = ".",
    *,
    files: Sequence[str | Path] = (),
    index: str | None = None,
    publish_url: str | None = None,
    check_url: str | None = None,
    username: str | None = None,
    dry_run: bool = False,
    environ: Environ = None,
) -> PublishResult:
    """Upload `files` (default: the project's dist/*) to PyPI, `index` (a configured
    index with a publish-url, or "testpypi") or `publish_url`, after checking them all.
    The token comes from `environ` (TETHER_PUBLISH_TOKEN), never from an argument."""
    from tether.commands.publish import PublishOptions  # noqa: PLC0415
    from tether.commands.publish import publish as run  # noqa: PLC0415

    return run(
        PublishOptions(
            start=Path(project_dir),
            environ=_environ(environ),
            files=tuple(Path(f) for f in files),
            index=index,
            publish_url=publish_url,
            check_url=check_url,
            username=username,
            dry_run=dry_run,
        )
    )
