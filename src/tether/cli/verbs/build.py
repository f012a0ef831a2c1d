"""`tether build [--sdist] [--wheel] [--out-dir DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tether.cli.context import Context
from tether.cli.options import add_index_options, add_package_options, package_start


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sdist", action="store_true", help="build the sdist")
    parser.add_argument(
        "--wheel",
        action="store_true",
        help="build the wheel (from the source tree; with neither flag, both are built "
        "and the wheel comes from the sdist)",
    )
    parser.add_argument(
        "-o", "--out-dir", type=Path, metavar="DIR", help="where to write them (default: dist/)"
    )
    parser.add_argument(
        "-p",
        "--python",
        metavar="REQUEST",
        help="the interpreter to build with (default: the first that satisfies requires-python)",
    )
    add_package_options(parser, "build", all_packages=False)
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether import api

    result = api.build(
        package_start(args, ctx.project_start),
        sdist=args.sdist,
        wheel=args.wheel,
        out_dir=args.out_dir,
        python=args.python,
        index_url=args.index_url,
        extra_index_urls=args.extra_index_url,
        offline=args.offline,
        refresh=args.refresh,
        exclude_newer=args.exclude_newer,
        environ=ctx.environ,
    )
    for path in result.artifacts:
        ctx.console.info(f"Built {ctx.shown(path)}")
    return 0
