"""`tether run CMD ARGS…`, and `tether run script.py` / `--script FILE` / `-` for PEP 723
scripts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tether.cli.become import become
from tether.cli.context import Context
from tether.cli.options import (
    add_index_options,
    add_package_options,
    add_selection_options,
    index_options,
    package_start,
    selection,
)
from tether.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--with",
        dest="with_requirements",
        action="append",
        default=[],
        metavar="REQUIREMENT",
        help="also make REQUIREMENT available to this command only (repeatable)",
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        help="run FILE as a PEP 723 script whatever its name (`-`: read it from stdin); "
        "for shebangs: #!/usr/bin/env -S tether run --script",
    )
    parser.add_argument(
        "-p", "--python", metavar="REQUEST", help="the interpreter for a script's environment"
    )
    parser.add_argument(
        "--locked",
        action="store_true",
        help="a script's lock must match its block (fail instead of re-locking)",
    )
    add_selection_options(parser, "install")
    add_package_options(parser, "install")
    add_index_options(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    script = _script(args.script, command, ctx)
    if script is not None:
        arguments = command if args.script is not None else command[1:]
        return _run_script(script, arguments, args, ctx)
    if args.python is not None:
        raise UsageError(
            "--python chooses a script's interpreter; a project's is its environment's",
            hint="re-create the project's environment with `tether env use REQUEST`",
        )
    from tether.commands.run import RunOptions, prepare

    prepared = prepare(
        RunOptions(
            start=package_start(args, ctx.project_start),
            environ=ctx.environ,
            command=command,
            with_requirements=tuple(args.with_requirements),
            selection=selection(args),
        )
    )
    become(ctx, prepared.program, prepared.argv, prepared.environ)
    return 0


def _script(given: str | None, command: list[str], ctx: Context) -> Path | None:
    """The script to run: `--script FILE`, `-` (stdin), or a `.py` file with a
    `# /// script` block (or any `.py` file outside a project); None: a command."""
    from tether.commands.script import saved_stdin
    from tether.project import try_find_pyproject
    from tether.project.script import find_block, read_script

    if given == "-" or (given is None and command[:1] == ["-"]):
        return saved_stdin(sys.stdin.buffer.read(), ctx.environ)
    if given is not None:
        path = ctx.cwd / given
        read_script(path)  # a clear error when it is not there
        return path
    if not command or not command[0].endswith((".py", ".pyw")):
        return None
    path = ctx.cwd / command[0]
    if not path.is_file():
        return None
    if find_block(read_script(path), path) is not None:
        return path
    return path if try_find_pyproject(ctx.project_start) is None else None


def _run_script(script: Path, arguments: list[str], args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.script import ScriptOptions, prepare_script

    prepared = prepare_script(
        ScriptOptions(
            script=script,
            environ=ctx.environ,
            arguments=arguments,
            python=args.python,
            with_requirements=tuple(args.with_requirements),
            index=index_options(args),  # type: ignore[arg-type]
            locked=args.locked,
        )
    )
    become(ctx, prepared.program, prepared.argv, prepared.environ)
    return 0
