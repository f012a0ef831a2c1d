"""Replacing tether's process with a command (`run`, `tool run`, `fmt`, ...): its exit
status and signals are then the caller's to see, with no tether process in between."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tether.cli.context import Context
from tether.errors import TetherError


def become(
    ctx: Context,
    program: str,
    argv: Sequence[str],
    environ: Mapping[str, str],
    cwd: Path | None = None,
) -> None:
    ctx.console.out.flush()
    ctx.console.err.flush()
    if cwd is not None:
        os.chdir(cwd)
    try:
        os.execve(program, list(argv), dict(environ))  # noqa: S606
    except OSError as err:
        raise TetherError(
            f"cannot run {program}: {err.strerror or err}",
            hint="check that it is an executable program",
        ) from None
