"""`tether venv [PATH] [--python REQUEST]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", type=Path, help="where (default: the project's .venv, or ./.venv)"
    )
    parser.add_argument(
        "-p",
        "--python",
        metavar="REQUEST",
        help="3.12, >=3.11, cpython@3.11, pypy3.10 or a path (default: TETHER_PYTHON, "
        "else the first interpreter that satisfies the project's requires-python)",
    )
    parser.add_argument("--prompt", help="the name shown by the activation scripts")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.venv import VenvOptions, make_venv

    result = make_venv(
        VenvOptions(
            start=ctx.project_start,
            environ=ctx.environ,
            path=args.path,
            python=args.python,
            prompt=args.prompt,
        )
    )
    interpreter = result.interpreter
    root = result.environment.root
    ctx.console.info(
        f"Created {root} with {interpreter.implementation} {interpreter.version} "
        f"({interpreter.path})"
    )
    ctx.console.info(f"Activate with: source {root / 'bin' / 'activate'}")
    return 0
