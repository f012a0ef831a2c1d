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
    options = QualityOptions(
        start=ctx.project_start,
        environ=ctx.environ,
        check=args.verb,
        arguments=arguments,
        fix=getattr(args, "fix", False),
        check_only=getattr(args, "check", False),
    )
    prepared = prepare_check(options)
    if args.verb != "lint":
        become(ctx, prepared.program, prepared.argv, prepared.environ, cwd=prepared.cwd)
        return 0
    # lint: ruff, then tether's ML security checks (which ruff has no rules for).
    import subprocess

    from tether.commands.quality import ml_findings

    ctx.console.out.flush()
    ruff = subprocess.run(
        prepared.argv, executable=prepared.program, env=prepared.environ, cwd=prepared.cwd,
        check=False,
    )  # fmt: skip
    findings = ml_findings(options)
    for finding in findings:
        ctx.console.print(f"{finding}\n  hint: {finding.hint}")
    if findings:
        ctx.console.info(
            f"{len(findings)} ML security finding(s); silence one on its line with "
            "`# tether: ignore[CODE]`"
        )
    return 1 if ruff.returncode or findings else 0
