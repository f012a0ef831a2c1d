"""`tether export`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import (
    add_index_options,
    add_lock_mode_options,
    add_package_options,
    add_selection_options,
    add_torch_backend_option,
    arguments_after,
    index_options,
    package_start,
    selection,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["requirements", "pylock", "dockerfile"],
        default="requirements",
        help="a hashed requirements file, a PEP 751 lock of the selection, or a multi-stage "
        "Dockerfile (runtime groups only)",
    )
    parser.add_argument("-o", "--output-file", metavar="PATH", help="write here, not to stdout")
    parser.add_argument("--no-hashes", action="store_true", help="leave out --hash options")
    add_selection_options(parser, "export")
    add_lock_mode_options(parser)
    add_torch_backend_option(parser)
    add_package_options(parser, "export")
    add_index_options(parser)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from tether.commands.export import ExportOptions, export
    from tether.fs import atomic_write

    text = export(
        ExportOptions(
            start=package_start(args, ctx.project_start),
            environ=ctx.environ,
            index=index_options(args),  # type: ignore[arg-type]
            hashes=not args.no_hashes,
            selection=selection(args),
            frozen=args.frozen,
            locked=args.locked,
            command=arguments_after("export"),
            format=args.format,
            torch_backend=args.torch_backend,
        )
    )
    if args.output_file is None:
        ctx.console.data(text.removesuffix("\n"))
        return 0
    path = Path(args.output_file)
    atomic_write(path, text)
    ctx.console.info(f"Wrote {path}")
    return 0
