"""`tether check-all [--skip CHECK]`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.table import format_table


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="CHECK",
        help="leave out a check: fmt, lint, typecheck, deps, audit, test (repeatable)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.check_all import check_all

    ctx.console.out.flush()
    ctx.console.err.flush()
    results = check_all(ctx.project_start, ctx.environ, skip=args.skip)
    rows = [("Check", "Result", "Time", "Command")] + [
        (
            r.name,
            "pass" if r.passed else f"FAIL ({r.exit_code})",
            f"{r.seconds:.1f}s",
            r.command,
        )
        for r in results
    ]
    ctx.console.print("")
    for line in format_table(rows):
        ctx.console.print(line)
    failed = [r.name for r in results if not r.passed]
    if failed:
        ctx.console.info(f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}")
        return 1
    ctx.console.info(f"All {len(results)} checks passed")
    return 0
