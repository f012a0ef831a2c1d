"""`tether tree`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import (
    add_index_options,
    add_package_options,
    add_selection_options,
    index_options,
    package_start,
    selection,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", type=int, metavar="N", help="show N levels")
    parser.add_argument(
        "--invert", "--why", dest="invert", metavar="NAME", help="show what needs NAME, and why"
    )
    parser.add_argument(
        "--outdated", action="store_true", help="show the latest version where it is newer"
    )
    add_selection_options(parser, "show")
    add_package_options(parser, "show", all_packages=False)
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.tree import TreeOptions, tree

    lines = tree(
        TreeOptions(
            start=package_start(args, ctx.project_start),
            environ=ctx.environ,
            depth=args.depth,
            invert=args.invert,
            outdated=args.outdated,
            selection=selection(args),
            index=index_options(args),  # type: ignore[arg-type]
        )
    )
    for line in lines:
        ctx.console.print(line)
    return 0
