"""Terminal output: the one place tether writes to stdout and stderr.

Plain ANSI styling, no rich: start-up stays lean, and rich is imported only by the
progress displays that need it. Colour follows `--color`, then `NO_COLOR` /
`FORCE_COLOR` (https://no-color.org), then whether the stream is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TextIO, TypeAlias

from tether.errors import BuildError, ProjectError, ResolutionError, TetherError
from tether.urls import redact_text

StyleFn: TypeAlias = Callable[[str, str], str]

_STYLES = {
    "error": "1;31",
    "warning": "1;33",
    "hint": "1;36",
    "note": "1",
    "bold": "1",
    "dim": "2",
    "green": "32",
    "cyan": "36",
}


class ColorChoice(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(choice: ColorChoice, environ: Mapping[str, str], stream: TextIO) -> bool:
    """Whether to style output written to `stream`."""
    if choice is ColorChoice.ALWAYS:
        return True
    if choice is ColorChoice.NEVER:
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(slots=True)
class Console:
    """Where and how output goes: verbosity (-v/-q) and colour, decided once."""

    verbosity: int = 0
    color: bool = False
    err_color: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def style(self, text: str, style: str, *, stderr: bool = False) -> str:
        enabled = self.err_color if stderr else self.color
        if not enabled:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    def print(self, text: str = "") -> None:
        """Normal output (results), on stdout; silenced by -q."""
        if self.verbosity >= 0:
            self.out.write(redact_text(text) + "\n")

    def data(self, text: str) -> None:
        """Output a script asked for (JSON, a version); printed even with -q."""
        self.out.write(redact_text(text) + "\n")

    def info(self, text: str) -> None:
        """Progress and status, on stderr so stdout stays parseable; silenced by -q."""
        if self.verbosity >= 0:
            self.err.write(redact_text(text) + "\n")

    def debug(self, text: str) -> None:
        """Detail shown with -v."""
        if self.verbosity > 0:
            self.err.write(self.style(redact_text(text), "dim", stderr=True) + "\n")

    def status(self, text: str) -> None:
        """A transient one-line status on a terminal (overwritten in place, erased by
        `clear_status`); nothing when stderr is not a terminal or with -q."""
        if self.verbosity < 0 or not _isatty(self.err):
            return
        self.err.write("\r\x1b[2K" + redact_text(text)[:120])
        self.err.flush()

    def clear_status(self) -> None:
        if self.verbosity >= 0 and _isatty(self.err):
            self.err.write("\r\x1b[2K")
            self.err.flush()

    def warn(self, text: str) -> None:
        if self.verbosity >= -1:
            self.err.write(
                f"{self.style('warning', 'warning', stderr=True)}: {redact_text(text)}\n"
            )

    def error(self, error: TetherError) -> None:
        """Render a `TetherError` once: what and where, the notes, then what to do."""
        self.err.write(render_error(error, lambda t, s: self.style(t, s, stderr=True)))


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render_error(error: TetherError, style: StyleFn | None = None) -> str:
    """`error: [where: ]message`, then `note:` lines, then `hint:`."""
    paint: StyleFn = style or (lambda text, _style: text)
    where = error.location if isinstance(error, ProjectError) else None
    head = f"{where}: {error.message}" if where else error.message
    lines = [f"{paint('error', 'error')}: {head}"]
    if isinstance(error, ResolutionError):
        lines[0] += ":"
        lines.extend(f"  {line}" if line else "" for line in error.explanation.splitlines())
    if isinstance(error, BuildError) and error.output:
        lines.extend(f"  | {line}" for line in error.output.splitlines())
    lines.extend(f"  {paint('note', 'note')}: {note}" for note in getattr(error, "__notes__", ()))
    if error.hint:
        lines.append(f"{paint('hint', 'hint')}: {error.hint}")
    # Credentials never reach the terminal, however a URL was mistyped.
    return redact_text("\n".join(lines)) + "\n"
