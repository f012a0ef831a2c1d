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
        metavar="SPEC",
        help="where CI installs tether from, pinned: a git URL at a commit, an archive URL "
        "with #sha256=, or a committed wheel (default: where this tether came from, when "
        "pinned)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.ci import ci_init

    path = ci_init(ctx.project_start, install=args.install, force=args.force)
    ctx.console.info(f"Wrote {path}")
    return 0
