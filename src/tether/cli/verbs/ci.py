"""`tether ci init [--force] [--install SPEC]`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write .github/workflows/ci.yml")
    init.add_argument("--force", action="store_true", help="replace an existing workflow")
    init.add_argument(
        "--install",
        default="tether",
        metavar="SPEC",
        help="what `pip install` installs tether from in CI (default: tether)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.ci import ci_init

    path = ci_init(ctx.project_start, install=args.install, force=args.force)
    ctx.console.info(f"Wrote {path}")
    return 0
