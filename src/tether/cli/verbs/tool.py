"""`tether tool run [--from PKG] [--with REQ] NAME[@VERSION] ARGS…` (`uvx`)."""

from __future__ import annotations

import argparse

from tether.cli.become import become
from tether.cli.context import Context
from tether.cli.options import add_index_options, index_options


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run", help="run a tool from a cached, isolated environment (like uvx)"
    )
    run.add_argument(
        "--from", dest="from_package", metavar="PKG", help="the package providing NAME"
    )
    run.add_argument(
        "--with",
        dest="with_requirements",
        action="append",
        default=[],
        metavar="REQUIREMENT",
        help="also install REQUIREMENT in the tool's environment (repeatable)",
    )
    run.add_argument("-p", "--python", metavar="REQUEST", help="the interpreter for the tool")
    add_index_options(run)
    run.add_argument("spec", metavar="NAME[@VERSION]", help="ruff, ruff@0.6.9, ruff@latest")
    run.add_argument("arguments", nargs=argparse.REMAINDER, help="passed to the tool")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.tool import ToolOptions, prepare_tool

    index = index_options(args)
    prepared = prepare_tool(
        ToolOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            spec=args.spec,
            command=args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments,
            from_package=args.from_package,
            with_requirements=tuple(args.with_requirements),
            python=args.python,
            refresh=args.refresh,
            index=index,  # type: ignore[arg-type]
        )
    )
    become(ctx, prepared.program, prepared.argv, prepared.environ)
    return 0
