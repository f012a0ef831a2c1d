"""`tether sync`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from tether.cli.context import Context
from tether.cli.options import (
    add_index_options,
    add_lock_mode_options,
    add_package_options,
    add_selection_options,
    add_torch_backend_option,
    index_options,
    package_start,
    selection,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tether.cli.console import Console
    from tether.commands.sync import SyncResult
    from tether.install.apply import ApplyResult
    from tether.install.plan import InstallPlan
    from tether.install.progress import InstallProgress


def configure(parser: argparse.ArgumentParser) -> None:
    add_selection_options(parser, "install")
    add_lock_mode_options(parser)
    parser.add_argument(
        "-p", "--python", metavar="REQUEST", help="the interpreter for a new environment"
    )
    parser.add_argument("--reinstall", action="store_true", help="reinstall every package")
    parser.add_argument(
        "--reinstall-package", action="append", default=[], metavar="NAME", help="reinstall NAME"
    )
    parser.add_argument(
        "--inexact", action="store_true", help="keep packages the lock does not select"
    )
    parser.add_argument(
        "--link-mode",
        choices=["hardlink", "copy", "symlink"],
        default="hardlink",
        help="how files get from the cache into the environment",
    )
    parser.add_argument(
        "--compile-bytecode", action="store_true", help="byte-compile what was installed"
    )
    add_torch_backend_option(parser)
    add_package_options(parser, "install")
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.cli.progress import terminal_progress

    console = ctx.console
    bars = terminal_progress(console.err, quiet=console.verbosity < 0)
    try:
        result = _sync(args, ctx, console.status, bars)
    finally:
        if bars is not None:
            bars.close()
        console.clear_status()
    return _report(result, ctx)


def _sync(
    args: argparse.Namespace,
    ctx: Context,
    status: Callable[[str], None],
    bars: InstallProgress | None = None,
) -> SyncResult:
    from tether.commands.sync import SyncOptions, sync
    from tether.install.wheel import LinkMode

    return sync(
        SyncOptions(
            start=package_start(args, ctx.project_start),
            environ=ctx.environ,
            index=index_options(args),  # type: ignore[arg-type]
            selection=selection(args),
            frozen=args.frozen,
            locked=args.locked,
            python=args.python,
            reinstall=args.reinstall,
            reinstall_packages=tuple(args.reinstall_package),
            exact=not args.inexact,
            link_mode=LinkMode(args.link_mode),
            compile_bytecode=args.compile_bytecode,
            torch_backend=args.torch_backend,
            on_progress=None if bars is not None else status,
            progress=bars,
        )
    )


def _report(result: SyncResult, ctx: Context) -> int:
    console = ctx.console
    if result.torch is not None:
        (console.warn if result.torch.fallback else console.info)(result.torch.notice())
    report_plan(result.plan, result.environment, result.applied, console)
    for name in result.directories:
        commit = result.git_commits.get(name)
        how = f"git commit {commit[:12]}" if commit else "its directory"
        console.info(f" + {name} (built from {how})")
    for warning in result.warnings:
        console.warn(warning)
    if result.skipped_project:
        console.warn("the project itself was not installed (it has no build system)")
    return 0


def report_plan(
    steps: InstallPlan, environment: Path, applied: ApplyResult | None, console: Console
) -> None:
    """What a sync did, a line per package, then a summary."""
    if steps.empty:
        console.info(f"{environment} is in sync ({len(steps.keep)} packages)")
    else:
        for want in steps.install:
            console.info(f" + {want.name}=={want.version}")
        for have, want in steps.replace:
            console.info(f" ~ {want.name} {have.version} -> {want.version}")
        for have in steps.remove:
            console.info(f" - {have.name}=={have.version}")
        downloaded = applied.downloaded if applied else 0
        console.info(
            f"Synced {environment}: {len(steps.install)} installed, "
            f"{len(steps.replace)} replaced, {len(steps.remove)} removed "
            f"({downloaded} downloaded)"
        )
