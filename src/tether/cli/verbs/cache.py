"""`tether cache`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("dir", help="print the cache's directory")
    actions.add_parser("size", help="print how much the cache holds")
    clean = actions.add_parser("clean", help="remove the whole cache, or the named packages")
    clean.add_argument("packages", nargs="*", metavar="PACKAGE")
    actions.add_parser(
        "prune", help="remove old-format buckets, `run --with` overlays and stale temp files"
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands import cache
    from tether.commands.services import cache_dir

    if args.action == "dir":
        ctx.console.data(str(cache_dir(ctx.environ)))
        return 0
    if args.action == "size":
        files, total = cache.size(ctx.environ)
        ctx.console.data(f"{_megabytes(total)} in {files} files")
        return 0
    if args.action == "clean":
        removed = cache.clean(ctx.environ, args.packages, on_wait=ctx.console.info)
        what = ", ".join(args.packages) if args.packages else "the cache"
    else:
        removed = cache.prune(ctx.environ, on_wait=ctx.console.info)
        what = "unused cache entries"
    if not removed.entries:
        ctx.console.info(f"Nothing to remove ({what})")
    else:
        ctx.console.info(
            f"Removed {what}: {removed.entries} entries, {removed.files} files, "
            f"{_megabytes(removed.bytes)}"
        )
    return 0


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
