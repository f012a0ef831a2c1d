"""`tether version`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("value", nargs="?", metavar="VERSION", help="set this version")
    parser.add_argument(
        "--bump", choices=["major", "minor", "patch", "pre"], help="bump this part instead"
    )
    parser.add_argument("--short", action="store_true", help="print only the version")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.version import version
    from tether.errors import UsageError

    if args.value is not None and args.bump is not None:
        raise UsageError("give a version or --bump, not both")
    result = version(
        ctx.project_start,
        value=args.value,
        bump=args.bump,
        dry_run=args.dry_run,
        environ=ctx.environ,
    )
    if result.new is None:
        shown = result.old if result.old is not None else f"dynamic ({result.dynamic_from})"
        ctx.console.data(shown if args.short else f"{result.name} {shown}")
        return 0
    ctx.console.data(result.new if args.short else f"{result.name} {result.old} -> {result.new}")
    if args.dry_run:
        ctx.console.info("Dry run: pyproject.toml not changed")
    elif result.lock_updated:
        ctx.console.info("Updated the project's version in pylock.toml")
    return 0
