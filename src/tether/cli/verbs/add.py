"""`tether add PKG…` and `tether remove PKG…` (one module: the same options)."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import add_index_options, add_package_options, index_options, package_start


def configure(parser: argparse.ArgumentParser, *, removing: bool = False) -> None:
    parser.add_argument(
        "packages",
        nargs="*" if not removing else "+",
        metavar="PACKAGE",
        help="requirements or names",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--group", metavar="G", help="the dependency group G (PEP 735)")
    where.add_argument("--dev", action="store_true", help="the dev group (--group dev)")
    where.add_argument("--optional", metavar="EXTRA", help="the extra EXTRA")
    parser.add_argument(
        "--bounds",
        choices=["lower", "exact", "compatible", "major"],
        default="lower",
        help="for a package added without a version: >=X (default), ==X, ~=X.Y or <next major",
    )
    if not removing:
        parser.add_argument(
            "--index",
            metavar="NAME",
            dest="pin_index",
            help="take the packages only from the [[tool.tether.index]] named NAME "
            "(written to [tool.tether.sources])",
        )
        revision = parser.add_mutually_exclusive_group()
        for flag, what in (("tag", "a tag"), ("branch", "a branch"), ("rev", "a commit or ref")):
            revision.add_argument(
                f"--{flag}", metavar=flag.upper(), help=f"for a git URL: {what} of the repository"
            )
        parser.add_argument(
            "-e",
            "--editable",
            action="append",
            default=[],
            metavar="PATH",
            help="a local project directory, installed editable (a path source)",
        )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="edit the `# /// script` block of FILE (PEP 723) instead of pyproject.toml",
    )
    parser.add_argument("--frozen", action="store_true", help="edit pyproject.toml only")
    parser.add_argument("--no-sync", action="store_true", help="lock but do not sync")
    add_package_options(parser, "edit", all_packages=False)
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context, *, removing: bool = False) -> int:
    from tether.commands.add import EditOptions, add, remove
    from tether.commands.git_add import GitRevision

    options = EditOptions(
        start=package_start(args, ctx.project_start),
        environ=ctx.environ,
        names=tuple(args.packages),
        index=index_options(args),  # type: ignore[arg-type]
        group="dev" if args.dev else args.group,
        optional=args.optional,
        bounds=args.bounds,
        pin_index=getattr(args, "pin_index", None),
        editables=tuple(getattr(args, "editable", ())),
        frozen=args.frozen,
        no_sync=args.no_sync,
        script=None if args.script is None else ctx.cwd / args.script,
        git=GitRevision(
            tag=getattr(args, "tag", None),
            branch=getattr(args, "branch", None),
            rev=getattr(args, "rev", None),
        ),
    )
    result = remove(options) if removing else add(options)
    if removing:
        ctx.console.info(f"Removed {', '.join(args.packages)} from {result.pyproject}")
    else:
        ctx.console.info(f"Added {', '.join(result.written)} to {result.pyproject}")
    return 0
