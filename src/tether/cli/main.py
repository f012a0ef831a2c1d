"""`tether` and `python -m tether`: parse, dispatch, render errors, pick the exit code.

Parsing is two-staged so that start-up imports only what the chosen verb needs: the
first stage reads the global options and the verb's name; the second imports that verb's
module and parses its arguments. Exit codes: 0 success, 1 a `TetherError`, 2 a usage
error, 130 interrupted (Ctrl-C). Anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, Protocol

from tether import __version__
from tether.cli.console import ColorChoice, Console, use_color
from tether.cli.context import Context
from tether.cli.verbs import VERBS, Verb
from tether.errors import DiskError, TetherError, UsageError

_GLOBAL_KEYS = ("verbose", "quiet", "color", "directory", "project")


class _Handler(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...
    def handle(self, args: argparse.Namespace, ctx: Context) -> int: ...


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are ours: rendered like every other error, exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"run `{self.prog} --help` to see the usage")


INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if environ is None else environ
    console = Console(err_color=use_color(ColorChoice.AUTO, env, sys.stderr))
    try:
        return _run(args, env, console)
    except TetherError as error:
        console.error(error)
        return error.exit_code
    except KeyboardInterrupt:
        console.err.write("\ninterrupted\n")
        return INTERRUPTED
    except BrokenPipeError:
        # `tether ... | head`: the reader left; that is not an error of ours.
        _silence_stdout()
        return 0
    except OSError as error:  # a full disk, a read-only directory: one paragraph
        disk = DiskError.of(error)
        console.error(disk)
        return disk.exit_code


def _run(argv: list[str], environ: Mapping[str, str], console: Console) -> int:
    top = _top_parser()
    first = top.parse_args(argv)
    if first.version:
        console.data(f"tether {__version__}")
        return 0
    if first.help:
        console.data(top.format_help().rstrip())
        return 0
    if first.command is None:
        console.err.write(top.format_help())
        return 2
    verb = _find_verb(first.command)
    handler: _Handler = importlib.import_module(f"tether.cli.verbs.{verb.module}")
    sub = _Parser(prog=f"tether {verb.name}", description=verb.summary)
    handler.configure(sub)
    sub.set_defaults(verb=verb.name)  # for modules that serve several verbs
    if verb.passthrough:  # every word after the verb is the tool's, --help included
        second = sub.parse_args([])
        second.arguments = list(first.args)
    else:
        _add_global_options(sub.add_argument_group("global options"), suppress=True)
        second = sub.parse_args(_after_verb(argv, first.args))
    for key in _GLOBAL_KEYS:
        if hasattr(second, key):
            setattr(first, key, getattr(second, key))
    ctx = _context(first, environ, console)
    return handler.handle(second, ctx)


def _context(args: argparse.Namespace, environ: Mapping[str, str], console: Console) -> Context:
    if args.directory is not None:
        try:
            os.chdir(args.directory)
        except OSError as err:
            raise UsageError(
                f"cannot change to directory {args.directory}: {err.strerror}",
                hint="check the path given to --directory",
            ) from None
    choice = ColorChoice(args.color)
    console.verbosity = args.verbose - args.quiet
    console.color = use_color(choice, environ, console.out)
    console.err_color = use_color(choice, environ, console.err)
    cwd = Path.cwd()
    project = None if args.project is None else (cwd / args.project)
    return Context(console=console, cwd=cwd, environ=environ, project=project)


def _find_verb(name: str) -> Verb:
    for verb in VERBS:
        if verb.name == name:
            return verb
    names = [verb.name for verb in VERBS]
    close = difflib.get_close_matches(name, names, n=1)
    suggestion = f"did you mean `tether {close[0]}`? " if close else ""
    raise UsageError(
        f"unknown command '{name}'",
        hint=f"{suggestion}run `tether --help` to list the commands",
    )


def _after_verb(argv: list[str], rest: list[str]) -> list[str]:
    """The words after the verb, with the `--` the first parser swallowed put back
    (`tether lint -- --statistics`: what follows `--` is the tool's, not ours)."""
    start = len(argv) - len(rest)
    if start >= 1 and argv[start - 1] == "--" and list(argv[start:]) == list(rest):
        return ["--", *rest]
    return list(rest)


def _top_parser() -> _Parser:
    width = max(len(verb.name) for verb in VERBS) + 2
    commands = "\n".join(f"  {verb.name:<{width}}{verb.summary}" for verb in VERBS)
    parser = _Parser(
        prog="tether",
        usage="tether [OPTIONS] COMMAND [ARGS]...",
        description=f"tether {__version__}: a Python project and package manager for AI/ML "
        "engineers.",
        epilog=f"commands:\n{commands}\n\nRun `tether COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    group = parser.add_argument_group("global options")
    _add_global_options(group, suppress=False)
    group.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    group.add_argument(
        "-V", "--version", action="store_true", help="print tether's version and exit"
    )
    return parser


def _add_global_options(group: argparse._ArgumentGroup, *, suppress: bool) -> None:
    """Global options work before or after the verb (`tether -q init`, `tether init -q`).

    On the verb's parser their defaults are suppressed, so an option given before the
    verb is not reset by the second stage.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group.add_argument(
        "-v", "--verbose", action="count", default=default(0), help="show more detail"
    )
    group.add_argument("-q", "--quiet", action="count", default=default(0), help="show only errors")
    group.add_argument(
        "--color",
        choices=[choice.value for choice in ColorChoice],
        default=default(ColorChoice.AUTO.value),
        help="when to use colour (default: auto; NO_COLOR is honoured)",
    )
    group.add_argument(
        "--directory",
        metavar="DIR",
        default=default(None),
        help="change to DIR before doing anything",
    )
    group.add_argument(
        "--project",
        metavar="PATH",
        default=default(None),
        help="use the project at PATH (found by walking up from it) instead of the "
        "working directory's",
    )


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so the interpreter's final flush
    does not raise again (the recipe from Python's signal documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
