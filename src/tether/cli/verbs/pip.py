"""`tether pip compile` and `tether pip sync`: the pip-tools workflow on tether's engine."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.options import add_index_options, arguments_after, index_options


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    compile_ = actions.add_parser(
        "compile",
        help="pin requirements files (requirements.in) into a requirements.txt",
        description="Resolve requirements files into pinned versions, with '# via' "
        "annotations, like pip-compile.",
    )
    compile_.add_argument("sources", nargs="*", metavar="SRC", help="requirements files (.in)")
    compile_.add_argument("-o", "--output-file", metavar="PATH", help="write here, not to stdout")
    compile_.add_argument(
        "-c",
        "--constraint",
        action="append",
        default=[],
        metavar="PATH",
        help="a constraints file (repeatable)",
    )
    compile_.add_argument(
        "--generate-hashes", action="store_true", help="write every file's sha256 (--hash)"
    )
    compile_.add_argument(
        "-U", "--upgrade", action="store_true", help="ignore the output file's pins"
    )
    compile_.add_argument(
        "-P",
        "--upgrade-package",
        action="append",
        default=[],
        metavar="NAME",
        help="ignore the output file's pin of NAME (repeatable)",
    )
    compile_.add_argument(
        "--python-version", metavar="X.Y", help="resolve for this Python (default: the found one)"
    )
    compile_.add_argument(
        "--universal",
        action="store_true",
        help="one file for every platform (markers kept), like a universal lock",
    )
    compile_.add_argument("--no-annotate", action="store_true", help="leave out '# via' lines")
    compile_.add_argument("--no-header", action="store_true", help="leave out the header")
    add_index_options(compile_)
    sync = actions.add_parser(
        "sync",
        help="make a virtual environment hold exactly a requirements file's pins",
        description="Install, replace and remove packages so that the environment holds "
        "exactly the listed pins (pip, setuptools and wheel are kept), like pip-sync.",
    )
    sync.add_argument("sources", nargs="*", metavar="SRC", help="requirements files (.txt)")
    sync.add_argument(
        "-p",
        "--python",
        metavar="PATH",
        help="the virtual environment (or its python); default: the active one, else ./.venv",
    )
    sync.add_argument("--dry-run", action="store_true", help="show the changes, make none")
    add_index_options(sync)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    if args.action == "compile":
        return _compile(args, ctx)
    return _sync(args, ctx)


def _compile(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from tether.commands.pip_compile import CompileOptions, compile_requirements

    result = compile_requirements(
        CompileOptions(
            sources=tuple(Path(s) for s in args.sources),
            environ=ctx.environ,
            output=None if args.output_file is None else Path(args.output_file),
            constraints=tuple(Path(c) for c in args.constraint),
            index=index_options(args),  # type: ignore[arg-type]
            generate_hashes=args.generate_hashes,
            upgrade=args.upgrade,
            upgrade_packages=tuple(args.upgrade_package),
            python_version=args.python_version,
            universal=args.universal,
            annotate=not args.no_annotate,
            header=not args.no_header,
            command=["tether", "pip", "compile", *arguments_after("compile")],
        )
    )
    if result.output is None:
        ctx.console.data(result.text.removesuffix("\n"))
    else:
        ctx.console.info(f"Wrote {result.output} ({result.packages} packages)")
    return 0


def _sync(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from tether.cli.verbs.sync import report_plan
    from tether.commands.pip_sync import PipSyncOptions, pip_sync

    result = pip_sync(
        PipSyncOptions(
            sources=tuple(Path(s) for s in args.sources),
            environ=ctx.environ,
            python=args.python,
            index=index_options(args),  # type: ignore[arg-type]
            dry_run=args.dry_run,
            on_progress=ctx.console.status,
        )
    )
    ctx.console.clear_status()
    if args.dry_run and not result.plan.empty:
        ctx.console.info("Would change (dry run):")
    report_plan(result.plan, result.environment, result.applied, ctx.console)
    for name in result.directories:
        ctx.console.info(f" + {name} (built from its directory)")
    return 0
