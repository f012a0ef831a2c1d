"""`tether migrate`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import add_index_options, index_options


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="print the new pyproject.toml, write nothing"
    )
    parser.add_argument(
        "--no-lock", action="store_true", help="rewrite pyproject.toml only, do not lock"
    )
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.migrate import MigrateOptions, migrate

    result = migrate(
        MigrateOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            index=index_options(args),  # type: ignore[arg-type]
            dry_run=args.dry_run,
            lock=not args.no_lock,
        )
    )
    for warning in result.warnings:
        ctx.console.warn(warning)
    if args.dry_run:
        ctx.console.data(result.text.removesuffix("\n"))
        return 0
    ctx.console.info(f"Rewrote {result.path} as PEP 621 [project], PEP 735 groups, [tool.tether]")
    if result.lock is not None:
        ctx.console.info(f"Locked {result.lock.packages} packages into {result.lock.path.name}")
        if result.poetry_pins:
            kept = result.poetry_pins - len(result.moved)
            ctx.console.info(
                f"Kept {kept} of {result.poetry_pins} versions from {result.pins_from}"
            )
            for name, old, new in result.moved:
                ctx.console.info(f" ~ {name} {old} -> {new}")
            ctx.console.info(f"{result.pins_from} is no longer read: delete it once you are happy")
    return 0
