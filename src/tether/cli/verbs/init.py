"""`tether init [PATH]`."""

from __future__ import annotations

import argparse
import sys

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", help="directory of the new project (default: .)"
    )
    parser.add_argument("--name", help="project name (default: the directory's name)")
    parser.add_argument(
        "--python",
        metavar="VERSION",
        help="lowest supported Python, e.g. 3.12, or a specifier such as '>=3.11,<3.14' "
        "(default: the running Python's version)",
    )
    parser.add_argument("--description", help="one-line description for pyproject.toml")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--app",
        dest="kind",
        action="store_const",
        const="app",
        help="an application with a console script (the default)",
    )
    kind.add_argument("--lib", dest="kind", action="store_const", const="lib", help="a library")
    parser.add_argument(
        "--ci", action="store_true", help="also write a GitHub Actions workflow (tether ci init)"
    )
    parser.add_argument(
        "--ci-install",
        metavar="SPEC",
        help="with --ci: where CI installs tether from (see `tether ci init --install`)",
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="write a new PEP 723 script FILE instead (run it with `tether run FILE`)",
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    if args.script is not None:
        from tether.commands.init import init_script

        written = init_script(
            ctx.cwd / args.script,
            python=args.python or f"{sys.version_info.major}.{sys.version_info.minor}",
        )
        ctx.console.print(f"Initialized script {ctx.shown(written)}")
        ctx.console.info(f"run it with `tether run {ctx.shown(written)}`")
        return 0
    from tether.commands.init import InitOptions, init
    from tether.project.scaffold import ProjectKind

    result = init(
        InitOptions(
            path=ctx.cwd / args.path,
            name=args.name,
            python=args.python,
            kind=ProjectKind(args.kind or "app"),
            description=args.description,
            default_python=f"{sys.version_info.major}.{sys.version_info.minor}",
        )
    )
    console = ctx.console
    shown = ctx.shown(result.root)
    console.print(f"Initialized {result.kind.value} `{result.name}` at {shown}")
    for path in result.created:
        console.debug(f"  created {ctx.shown(path)}")
    for path in result.kept:
        console.info(f"  kept existing {ctx.shown(path)}")
    if result.workspace is not None:
        console.info(f"  a member of the workspace at {ctx.shown(result.workspace)}")
    if args.ci:
        from tether.commands.ci import ci_init
        from tether.errors import UsageError

        try:
            console.info(f"Wrote {ctx.shown(ci_init(result.root, install=args.ci_install))}")
        except UsageError as err:  # the project stands; say why the workflow does not
            console.warn(f"no CI workflow written: {err.message}")
            if err.hint:
                console.info(f"hint: {err.hint}")
            return 1
    return 0
