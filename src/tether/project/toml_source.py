"""Reading TOML so that every later error can point at a line and column.

`tomllib` gives us plain data, which loses positions. Errors about a value (a bad
requirement string, an unknown key) are rarer than successful reads, so instead of a
position-tracking parser we keep the text and find the offending token when we need it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tether.errors import ProjectError

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class TomlDocument:
    """A parsed TOML file with its source text, for pointing errors at positions."""

    path: Path
    text: str
    data: dict[str, Any]
    translated_from: str | None = None  # e.g. "[tool.poetry]": positions are not the file's

    def locate(self, needle: str) -> tuple[int, int] | None:
        """Line and column (1-based) of the first occurrence of `needle`, if present."""
        index = self.text.find(needle)
        if index < 0:
            return None
        return _position(self.text, index)

    def locate_string(self, value: str) -> tuple[int, int] | None:
        """Where the TOML string literal holding `value` starts (any quote style)."""
        for quote in ('"', "'", '"""', "'''"):
            found = self.locate(f"{quote}{value}{quote}")
            if found is not None:
                return found
        return self.locate(value)

    def locate_key(self, key: str) -> tuple[int, int] | None:
        """Where `key` is first defined as `key =` or a table header `[..key]`."""
        escaped = re.escape(key)
        pattern = re.compile(
            rf"^[ \t]*(?:{escaped}|\"{escaped}\"|'{escaped}')[ \t]*=|\.{escaped}[ \t]*\]",
            re.MULTILINE,
        )
        match = pattern.search(self.text)
        if match is None:
            return None
        offset = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        return _position(self.text, offset)

    def error(
        self, message: str, *, at: tuple[int, int] | None = None, hint: str | None = None
    ) -> ProjectError:
        """A `ProjectError` about this file, at `at` when known."""
        if self.translated_from is not None:
            message = f"{message} (in tether's reading of {self.translated_from})"
            at = None
        line, column = at if at is not None else (None, None)
        return ProjectError(message, path=self.path, line=line, column=column, hint=hint)


def read_toml(path: Path) -> TomlDocument:
    """Parse `path`, turning every way it can fail into a `ProjectError`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProjectError("file does not exist", path=path) from None
    except IsADirectoryError:
        raise ProjectError("is a directory, not a TOML file", path=path) from None
    except OSError as err:
        raise ProjectError(
            f"cannot read the file: {err.strerror or err}",
            path=path,
            hint="check the file's permissions",
        ) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _position_bytes(raw, err.start)
        raise ProjectError(
            "the file is not valid UTF-8, which TOML requires",
            path=path,
            line=line,
            column=column,
            hint="re-save the file with UTF-8 encoding",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _decode_error(path, text, err) from None
    return TomlDocument(path=path, text=text, data=data)


def _decode_error(path: Path, text: str, err: tomllib.TOMLDecodeError) -> ProjectError:
    message = str(err)
    line: int | None = None
    column: int | None = None
    if match := _TOML_POSITION.search(message):
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    elif match := _TOML_END.search(message):
        line = text.count("\n") + 1
        message = message[: match.start()] + " at end of file"
    detail = message[:1].lower() + message[1:]
    return ProjectError(
        f"invalid TOML: {detail}",
        path=path,
        line=line,
        column=column,
        hint="fix the syntax at that position (https://toml.io describes the format); "
        "nothing was changed",
    )


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _position_bytes(raw: bytes, index: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, index) + 1
    column = index - (raw.rfind(b"\n", 0, index) + 1) + 1
    return line, column
