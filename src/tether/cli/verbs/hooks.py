"""`tether hooks install | uninstall | run | baseline`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="write the pre-commit and commit-msg hooks")
    install.add_argument(
        "--force", action="store_true", help="replace hooks tether did not write (kept as .legacy)"
    )
    actions.add_parser("uninstall", help="remove tether's hooks (restoring .legacy ones)")
    run = actions.add_parser("run", help="run the checks on the staged files (or all)")
    run.add_argument("--all-files", action="store_true", help="check every tracked file")
    run.add_argument("--fix", action="store_true", help="repair what can be repaired")
    run.add_argument("--hook", choices=["pre-commit", "commit-msg"], default="pre-commit",
                     help=argparse.SUPPRESS)  # fmt: skip
    run.add_argument("files", nargs="*", help="check these files (or, for commit-msg, the message)")
    actions.add_parser(
        "baseline", help="accept the secrets found now (written hashed to .secrets.baseline)"
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands import hooks

    console = ctx.console
    start = ctx.project_start
    if args.action == "install":
        for path in hooks.install(start, force=args.force):
            console.info(f"Installed {path}")
        return 0
    if args.action == "uninstall":
        removed = hooks.uninstall(start)
        console.info("\n".join(f"Removed {p}" for p in removed) or "No tether hooks to remove")
        return 0
    if args.action == "baseline":
        path, count = hooks.write_baseline(start)
        console.info(f"Wrote {count} accepted secret finding(s) to {path}")
        return 0
    if args.hook == "commit-msg":
        problem = hooks.commit_message(
            start, Path(args.files[0] if args.files else ".git/COMMIT_EDITMSG"), ctx.environ
        )
        if problem is None:
            return 0
        console.print(f"commit-msg: {problem}")
        return 1
    report = hooks.run_hooks(
        start, ctx.environ, all_files=args.all_files, fix_files=args.fix, files=args.files
    )
    for finding in report.findings:
        console.print(f"{finding.where()}: {finding.check}: {finding.message}")
    for tool in report.tools:
        if tool.exit_code != 0:
            console.print(f"--- {tool.name} ({tool.command}) failed:")
            console.print(tool.output.rstrip())
    for name in report.unsupported:
        console.warn(f"pre-commit hook {name} is not one tether can run: skipped")
    for note in report.notes:
        console.warn(note)
    for fixed in report.fixed:
        console.info(f"Fixed {fixed}: review the change and `git add` it")
    for skipped in report.not_fixed:
        console.warn(f"{skipped} has unstaged changes: not fixed")
    if report.baselined:
        console.info(f"{report.baselined} known secret finding(s) accepted by the baseline")
    if report.passed:
        console.info(f"Hooks passed on {report.files} file(s)")
        return 0
    problems = len(report.findings) + sum(1 for t in report.tools if t.exit_code != 0)
    console.info(f"Hooks failed on {report.files} file(s): {problems} problem(s)"
                 + (", files fixed" if report.fixed else ""))  # fmt: skip
    return 1
