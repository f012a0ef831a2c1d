"""`tether deps`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: the rules are configured in [tool.tether.deps]


def handle(args: argparse.Namespace, ctx: Context) -> int:
    del args
    from tether.commands.deps import deps

    report = deps(ctx.project_start, ctx.environ)
    for finding in report.findings:
        ctx.console.print(f"{finding.where}: {finding.rule}: {finding.package}: {finding.detail}")
    if report.findings:
        ctx.console.info(
            f"{len(report.findings)} dependency problem(s) in {report.files} files; "
            'silence one with [tool.tether.deps] ignore-<rule> = ["name"]'
        )
        return 1
    ctx.console.info(f"Dependencies match the imports of {report.files} files")
    return 0
