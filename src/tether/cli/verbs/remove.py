"""`tether remove PKG…`: the options of `add`."""

from __future__ import annotations

import argparse

from tether.cli.context import Context
from tether.cli.verbs import add


def configure(parser: argparse.ArgumentParser) -> None:
    add.configure(parser, removing=True)


def handle(args: argparse.Namespace, ctx: Context) -> int:
    return add.handle(args, ctx, removing=True)
