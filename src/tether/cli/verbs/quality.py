"""`tether fmt`, `lint`, `typecheck` and `test`: one module, four verbs (the check is the
verb's name)."""

from __future__ import annotations

import argparse

from tether.cli.become import become
from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    verb = parser.prog.split()[-1]
    if verb == "fmt":
        parser.add_argument(
            "--check", action="store_true", help="change nothing; exit 1 if unformatted"
        )
    if verb == "lint":
        parser.add_argument("--fix", action="store_true", help="apply ruff's safe fixes")
    parser.add_argument(
        "arguments",
        nargs=argparse.REMAINDER,
        help="passed to the tool (after --, if they look like options)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.quality import QualityOptions, prepare_check

    arguments = args.arguments[1:] if args.arguments[:1] == ["--"] else args.arguments
    prepared = prepare_check(
        QualityOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            check=args.verb,
            arguments=arguments,
            fix=getattr(args, "fix", False),
            check_only=getattr(args, "check", False),
        )
    )
    become(ctx, prepared.program, prepared.argv, prepared.environ, cwd=prepared.cwd)
    return 0
