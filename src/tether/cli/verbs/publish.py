"""`tether publish [FILES...] [--index NAME | --publish-url URL] [--check-url URL]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="what to upload (default: dist/*)"
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--index",
        metavar="NAME",
        help="pypi (the default), testpypi, or a [[tool.tether.index]] with a publish-url",
    )
    target.add_argument("--publish-url", metavar="URL", help="the upload API's URL")
    parser.add_argument(
        "--check-url",
        metavar="URL",
        help="a simple index to look for files already uploaded, which are skipped "
        "(default with --index: that index)",
    )
    parser.add_argument(
        "-u",
        "--username",
        help="upload as this user (the password from TETHER_PUBLISH_PASSWORD, the "
        "index's credential-command or keyring; a token needs none: TETHER_PUBLISH_TOKEN)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check the files and the index, upload nothing"
    )


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether import api

    result = api.publish(
        ctx.project_start,
        files=args.files,
        index=args.index,
        publish_url=args.publish_url,
        check_url=args.check_url,
        username=args.username,
        dry_run=args.dry_run,
        environ=ctx.environ,
    )
    for warning in result.warnings:
        ctx.console.warn(warning)
    for name in result.skipped:
        ctx.console.info(f"Skipped {name}: already on the index")
    verb = "Would upload" if args.dry_run else "Uploaded"
    for name in result.uploaded:
        ctx.console.info(f"{verb} {name} to {result.url}")
    return 0
