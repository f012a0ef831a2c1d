"""A TOML file as its sections: the text before the first table header, then each
`[table]` / `[[array]]` header with the lines up to the next one.

`tether migrate` edits Poetry manifests section by section: tomlkit's view of a file
whose `[tool.*]` tables are interleaved with other tools' (`[tool.poetry]`,
`[tool.mypy]`, `[tool.poetry.group.dev.dependencies]`) is a proxy that breaks on
deletion, while a section parsed on its own is a plain table. Comments and blank lines
stay with the section they are in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*(?P<path>[^\[\]#]+?)[ \t]*\]\]?[ \t]*(#.*)?$")
_KEY = re.compile(r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'""")


@dataclass(frozen=True, slots=True)
class Section:
    path: tuple[str, ...]  # () for the text before the first header
    is_array: bool
    text: str  # the header line (if any) and everything up to the next header


def split_sections(text: str) -> list[Section]:
    """`text` cut at its table headers; joining the sections' text gives it back."""
    sections: list[Section] = []
    current: list[str] = []
    path: tuple[str, ...] = ()
    is_array = False
    quote: str | None = None  # inside a multi-line string opened with this
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line.rstrip("\r\n")) if quote is None else None
        if match is not None and (parsed := _path(match.group("path"))) is not None:
            sections.append(Section(path, is_array, "".join(current)))
            current, path, is_array = [], parsed, match.group(1) == "[["
        current.append(line)
        quote = _quote_after(line, quote)
    sections.append(Section(path, is_array, "".join(current)))
    return [s for s in sections if s.text or s.path]


def _path(text: str) -> tuple[str, ...] | None:
    parts: list[str] = []
    rest = text.strip()
    while rest:
        match = _KEY.match(rest)
        if match is None:
            return None
        key = match.group(0)
        parts.append(key[1:-1] if key[0] in "\"'" else key)
        rest = rest[match.end() :].lstrip()
        if rest.startswith("."):
            rest = rest[1:].lstrip()
        elif rest:
            return None
    return tuple(parts) or None


def _quote_after(line: str, quote: str | None) -> str | None:
    """Whether a multi-line string is still open after `line` (and with which quote)."""
    position = 0
    while True:
        if quote is not None:
            end = line.find(quote, position)
            if end < 0:
                return quote
            position, quote = end + 3, None
            continue
        starts = [(line.find(q, position), q) for q in ('"""', "'''")]
        found = [(i, q) for i, q in starts if i >= 0]
        if not found:
            return None
        index, quote = min(found)
        if "#" in line[position:index]:
            return None  # the quotes are in a comment
        position = index + 3
