"""`tether run CMD ARGS…`."""

from __future__ import annotations

import argparse
import os

from tether.cli.context import Context
from tether.errors import TetherError


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
    ctx.console.out.flush()
    ctx.console.err.flush()
    # Become the command: its exit status and signals are the caller's to see.
    try:
        os.execve(prepared.program, prepared.argv, prepared.environ)  # noqa: S606
    except OSError as err:
        raise TetherError(
            f"cannot run {prepared.program}: {err.strerror or err}",
            hint="check that it is an executable program",
        ) from None
