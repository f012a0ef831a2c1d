"""`tether upgrade`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import add_index_options, index_options
from tether.cli.table import format_table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "packages", nargs="*", metavar="PACKAGE", help="upgrade only these (default: everything)"
    )
    parser.add_argument("--no-sync", action="store_true", help="re-lock but do not sync")
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.upgrade import UpgradeOptions, upgrade

    console = ctx.console
    try:
        result = upgrade(
            UpgradeOptions(
                start=ctx.project_start,
                environ=ctx.environ,
                index=index_options(args),  # type: ignore[arg-type]
                packages=tuple(args.packages),
                no_sync=args.no_sync,
                on_package=lambda name: console.status(f"Resolving: {name}"),
            )
        )
    finally:
        console.clear_status()
    if not result.changes:
        console.info("Nothing to upgrade: every package is at the newest version allowed")
        return 0
    rows = [("Package", "Before", "After")] + [
        (c.name, " | ".join(c.before) or "(new)", " | ".join(c.after) or "(removed)")
        for c in result.changes
    ]
    for line in format_table(rows):
        console.print(line)
    count = len(result.changes)
    console.info(
        f"Upgraded {count} package{'s' if count != 1 else ''} in {result.lock.path}"
        + (" and synced the environment" if result.synced else "")
    )
    return 0
