"""`tether check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--environment",
        type=Path,
        metavar="PATH",
        help="check this virtual environment's requirements instead of the project's",
    )
    parser.add_argument(
        "--no-lock", action="store_true", help="check requirements only, not the lock"
    )
    parser.add_argument(
        "--verify-files",
        action="store_true",
        help="also check every installed file against its RECORD hash (slower)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.check import CheckOptions, check

    report = check(
        CheckOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            environment=args.environment,
            lock=not args.no_lock,
            verify_files=args.verify_files,
        )
    )
    for problem in report.problems:
        ctx.console.print(problem)
    against = " and the lock" if report.against_lock else ""
    if report.problems:
        count = len(report.problems)
        ctx.console.info(
            f"{count} problem{'s' if count != 1 else ''} in {report.environment}: "
            "run `tether sync` to make it match the lock"
        )
        return 1
    files = ", their files" if args.verify_files else ""
    ctx.console.info(
        f"Checked {report.checked} packages in {report.environment}: "
        f"their requirements{against}{files} are satisfied"
    )
    return 0
