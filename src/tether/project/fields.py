"""Typed reads of TOML values, each failure a `ProjectError` that names the key and line.

`where` is always the dotted TOML path of the value (`project.dependencies`,
`tool.tether.index[2].url`), so a message says which table the bad value is in.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from tether.errors import ProjectError
from tether.project.toml_source import TomlDocument

T = TypeVar("T")

REQUIREMENT_HINT = (
    'requirements follow PEP 508, e.g. "numpy>=1.26", "uvicorn[standard]>=0.27" or '
    "\"pywin32>=306; sys_platform == 'win32'\""
)

# The `[project]` fields a backend may compute that change what the lock holds.
RESOLVED_FIELDS = frozenset({"dependencies", "optional-dependencies", "requires-python"})


def toml_type(value: object) -> str:
    """How TOML calls the type of a parsed value, with its article."""
    match value:
        case bool():
            return "a boolean"
        case int():
            return "an integer"
        case float():
            return "a float"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "a table"
        case datetime() | date():
            return "a date-time"
        case _:
            return type(value).__name__


def expect_table(doc: TomlDocument, value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(doc, where, "a table", value)
    return value


def expect_str(doc: TomlDocument, value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type(doc, where, "a string", value)
    return value


def expect_bool(doc: TomlDocument, value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(doc, where, "a boolean (true or false)", value)
    return value


def expect_list(doc: TomlDocument, value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _wrong_type(doc, where, "an array", value)
    return value


def expect_str_list(doc: TomlDocument, value: object, where: str) -> tuple[str, ...]:
    items = expect_list(doc, value, where)
    for position, item in enumerate(items):
        if not isinstance(item, str):
            raise _wrong_type(doc, f"{where}[{position}]", "a string", item)
    return tuple(items)


def check_keys(
    doc: TomlDocument, table: Mapping[str, object], allowed: Collection[str], where: str
) -> None:
    """Refuse keys we do not know, suggesting the closest one we do (a typo, usually)."""
    for key in table:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
        suggestion = f'did you mean "{close[0]}"? ' if close else ""
        valid = ", ".join(sorted(allowed))
        raise doc.error(
            f'unknown key "{key}" in [{where}]',
            at=doc.locate_key(key),
            hint=f"{suggestion}valid keys are: {valid}",
        )


def parse_string(
    doc: TomlDocument,
    value: object,
    where: str,
    parse: Callable[[str], T],
    *,
    what: str,
    hint: str,
    errors: type[Exception] | tuple[type[Exception], ...] = ValueError,
    explain: bool = False,
) -> T:
    """`parse(value)` for a string value; on `errors`, a located `invalid WHAT` error.

    `explain` adds the parser's own message, for grammars (PEP 508) whose parser
    points at the offending character.
    """
    text = expect_str(doc, value, where)
    try:
        return parse(text)
    except errors as err:
        message = f'invalid {what} "{text}" in `{where}`'
        if explain:
            message += ":\n  " + str(err).replace("\n", "\n  ")
        raise doc.error(message, at=doc.locate_string(text), hint=hint) from None


def parse_name(doc: TomlDocument, value: object, where: str) -> NormalizedName:
    """A distribution, extra or group name (PEP 503/685 normalised)."""
    return parse_string(
        doc,
        value,
        where,
        lambda text: canonicalize_name(text, validate=True),
        what="name",
        hint="names use letters, digits, '-', '_' and '.', and start and end with a "
        "letter or digit",
        errors=InvalidName,
    )


def parse_requirement(doc: TomlDocument, value: object, where: str) -> Requirement:
    """One PEP 508 requirement string."""
    return parse_string(
        doc,
        value,
        where,
        Requirement,
        what="requirement",
        hint=REQUIREMENT_HINT,
        errors=InvalidRequirement,
        explain=True,
    )


def parse_marker(doc: TomlDocument, value: object, where: str, *, hint: str) -> Marker:
    """One PEP 508 environment marker."""
    return parse_string(
        doc, value, where, Marker, what="marker", hint=hint, errors=InvalidMarker, explain=True
    )


def parse_requirements(doc: TomlDocument, value: object, where: str) -> tuple[Requirement, ...]:
    items = expect_list(doc, value, where)
    return tuple(
        parse_requirement(doc, item, f"{where}[{position}]") for position, item in enumerate(items)
    )


def _wrong_type(doc: TomlDocument, where: str, wanted: str, value: object) -> ProjectError:
    leaf = where.rsplit(".", 1)[-1].split("[", 1)[0]
    at = doc.locate_string(value) if isinstance(value, str) else doc.locate_key(leaf)
    return doc.error(f"`{where}` must be {wanted}, not {toml_type(value)}", at=at)
