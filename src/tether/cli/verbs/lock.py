"""`tether lock`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from tether.cli.context import Context
from tether.cli.options import add_index_options, add_package_options, index_options, package_start

if TYPE_CHECKING:
    from tether.commands.lock import LockResult


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if pylock.toml does not match pyproject.toml (for CI); resolves nothing",
    )
    parser.add_argument(
        "-U",
        "--upgrade",
        action="store_true",
        help="ignore the versions in the current lock (by default they are kept if they fit)",
    )
    parser.add_argument(
        "-P",
        "--upgrade-package",
        metavar="NAME",
        action="append",
        default=[],
        help="let this package move to its newest fitting version (repeatable)",
    )
    parser.add_argument(
        "--resolution",
        choices=["highest", "lowest", "lowest-direct"],
        help="prefer the newest (default) or oldest versions",
    )
    parser.add_argument(
        "--prerelease",
        choices=["disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit"],
        help="when pre-releases are candidates (default: if-necessary-or-explicit)",
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="lock a PEP 723 script into pylock.<name>.toml beside it (later runs use it)",
    )
    add_package_options(parser, "lock", all_packages=False)
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    import itertools

    console = ctx.console
    counted = itertools.count(1)

    def progress(name: str) -> None:
        # Called from every fetch thread: no lock (the fetch threads queued on one
        # for each package they finished); `next` on a count is atomic, and a status
        # line written a moment out of order is overwritten by the next one.
        console.status(f"Resolving... {next(counted)} packages ({name})")

    try:
        result = _lock(args, ctx, progress)
    finally:
        console.clear_status()
    if args.check or result.fresh:
        console.info(f"{result.path.name} is up to date")
        return 0
    transfer = (
        f", {result.requests} requests, {result.bytes_received / 1e6:.1f} MB received"
        if result.requests
        else ""
    )
    console.info(f"Resolved {result.packages} packages in {result.seconds:.2f}s{transfer}")
    if result.seeded_from is not None:
        console.info(
            f"Preferred the versions {result.seeded_from} pins (the first lock moves "
            "only what must move)"
        )
    for warning in result.warnings:
        console.warn(warning)
    if result.merged is not None:
        console.info(f"Merged the git conflict in {result.path.name}, keeping both sides' pins:")
        for line in result.merged or ["(both sides agree on every package)"]:
            console.info(f"  {line}")
    console.info(f"{'Wrote' if result.changed else 'Unchanged'} {result.path}")
    return 0


def _lock(args: argparse.Namespace, ctx: Context, progress: Callable[[str], None]) -> LockResult:
    from tether.commands.lock import LockOptions, lock

    project = None
    seeds: dict[str, tuple[str, ...]] = {}
    if args.script is not None:
        from tether.commands.script import beside_lock_project

        project, seeds = beside_lock_project(ctx.cwd / args.script, ctx.environ)
    return lock(
        LockOptions(
            project=project,
            seed_preferences=seeds,
            start=package_start(args, ctx.project_start),
            index=index_options(args),  # type: ignore[arg-type]
            environ=ctx.environ,
            check=args.check,
            upgrade=args.upgrade,
            upgrade_packages=tuple(args.upgrade_package),
            resolution=args.resolution,
            prerelease=args.prerelease,
            on_package=progress,
        )
    )
