"""`tether python list` and `tether python find [REQUEST]`."""

from __future__ import annotations

import argparse
import json

from tether.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list the Python interpreters tether finds")
    listing.add_argument("--json", action="store_true", help="print JSON")
    find = sub.add_parser("find", help="show the interpreter a request would use")
    find.add_argument(
        "request",
        nargs="?",
        help="3.12, >=3.11, cpython@3.11, pypy3.10 or a path (default: TETHER_PYTHON, "
        "else the first found)",
    )
    find.add_argument("--json", action="store_true", help="print JSON")


def handle(args: argparse.Namespace, ctx: Context) -> int:
    from tether.commands.python import find_python, list_pythons

    if args.action == "list":
        found = list_pythons(ctx.environ)
        if args.json:
            ctx.console.data(json.dumps([_json(i) for i in found], indent=2))
        for interpreter in [] if args.json else found:
            ctx.console.print(
                f"{interpreter.implementation}-{interpreter.version}  {interpreter.path}"
            )
        return 0
    interpreter = find_python(args.request, ctx.environ)
    if args.json:
        ctx.console.data(json.dumps(_json(interpreter), indent=2))
    else:
        ctx.console.print(str(interpreter.path))
    return 0


def _json(interpreter: object) -> dict[str, object]:
    from tether.python.interpreter import Interpreter

    assert isinstance(interpreter, Interpreter)  # noqa: S101
    return {
        "path": str(interpreter.path),
        "implementation": interpreter.implementation,
        "version": str(interpreter.version),
        "markers": dict(interpreter.markers),
        "paths": dict(interpreter.paths),
        "tags": [str(t) for t in interpreter.tags()[:5]],
    }
