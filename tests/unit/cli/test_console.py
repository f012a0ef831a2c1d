"""Colour decisions and the one way errors are rendered."""

from __future__ import annotations

import io
from pathlib import Path

from tether.cli.console import ColorChoice, Console, render_error, use_color
from tether.errors import ProjectError, TetherError


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color() -> None:
    assert use_color(ColorChoice.AUTO, {}, Tty())
    assert not use_color(ColorChoice.AUTO, {}, io.StringIO())
    assert not use_color(ColorChoice.AUTO, {"NO_COLOR": "1"}, Tty())
    assert use_color(ColorChoice.AUTO, {"FORCE_COLOR": "1"}, io.StringIO())
    assert not use_color(ColorChoice.AUTO, {"TERM": "dumb"}, Tty())
    assert use_color(ColorChoice.ALWAYS, {"NO_COLOR": "1"}, io.StringIO())
    assert not use_color(ColorChoice.NEVER, {"FORCE_COLOR": "1"}, Tty())


def test_render_error_with_location_notes_and_hint() -> None:
    error = ProjectError(
        "bad value", path=Path("/p/pyproject.toml"), line=3, column=7, hint="fix it"
    )
    error.add_note("while reading the project")
    assert render_error(error) == (
        "error: /p/pyproject.toml:3:7: bad value\n  note: while reading the project\nhint: fix it\n"
    )


def test_render_plain_error() -> None:
    assert render_error(TetherError("boom")) == "error: boom\n"


def test_verbosity_levels() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(verbosity=-1, out=out, err=err)
    console.print("result")
    console.info("status")
    console.debug("detail")
    console.warn("careful")
    console.data("{}")
    assert out.getvalue() == "{}\n"
    assert err.getvalue() == "warning: careful\n"
    console.verbosity = 1
    console.debug("detail")
    assert err.getvalue().endswith("detail\n")


def test_status_line_only_on_a_terminal() -> None:
    tty, pipe = Tty(), io.StringIO()
    Console(err=tty).status("Resolving... 3 packages")
    Console(err=pipe).status("Resolving... 3 packages")
    Console(err=Tty(), verbosity=-1).status("quiet")
    assert tty.getvalue() == "\r\x1b[2KResolving... 3 packages"
    assert pipe.getvalue() == ""
    console = Console(err=tty)
    console.clear_status()
    assert tty.getvalue().endswith("\r\x1b[2K")
