"""`tether run CMD ARGS…`."""

from __future__ import annotations

import argparse

from tether.cli.become import become
from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--with",
        dest="with_requirements",
        action="append",
        default=[],
        metavar="REQUIREMENT",
        help="also make REQUIREMENT available to this command only (repeatable)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.run import RunOptions, prepare

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    prepared = prepare(
        RunOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            command=command,
            with_requirements=tuple(args.with_requirements),
        )
    )
    become(ctx, prepared.program, prepared.argv, prepared.environ)
    return 0
