"""`tether migrate` for uv projects: `[tool.uv]` rewritten as `[tool.tether]`, section by
section, comments kept. Keys with a tether meaning move (renamed where tether's name
differs); the rest stay in `[tool.uv]`, which tether still reads (`package = false`,
legacy `dev-dependencies`) or names as ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tether.project.toml_sections import Section, split_sections
from tether.project.uv import INDEX_KEYS, RENAMED, SOURCE_KEYS

# Kept in [tool.uv]: tether reads them there (project/uv.py), with no [tool.tether] twin.
READ_IN_PLACE = frozenset({"package", "dev-dependencies", "index-url", "extra-index-url"})


def rewrite_uv(text: str) -> tuple[str, list[str]]:
    """`text` with `[tool.uv]` settings moved to `[tool.tether]`; and what stayed."""
    import tomlkit  # noqa: PLC0415 - only for this verb

    notes: list[str] = []
    out: list[str] = []
    for section in split_sections(text):
        path = section.path
        if path[:2] != ("tool", "uv"):
            out.append(section.text)
        elif path == ("tool", "uv"):
            out.append(_main_table(section, notes, tomlkit))
        elif path == ("tool", "uv", "sources"):
            out.append(_sources(section, notes))
        elif path == ("tool", "uv", "index") and section.is_array:
            out.append(_index(section, notes, tomlkit))
        elif path == ("tool", "uv", "workspace"):  # the same keys: members, exclude
            renamed = _header(section.text, "tool.uv.workspace", "tool.tether.workspace")
            out.append(renamed + _body(section.text))
        elif path == ("tool", "uv", "dependency-metadata") and section.is_array:
            # The same keys: name, version, requires-dist, requires-python, provides-extra.
            new = "tool.tether.dependency-metadata"
            out.append(_header(section.text, "tool.uv.dependency-metadata", new))
            out.append(_body(section.text))
        else:
            out.append(section.text)
            notes.append(f"[{'.'.join(path)}] has no tether meaning: kept as it is")
    return "".join(out), notes


def _main_table(section: Section, notes: list[str], tomlkit: Any) -> str:
    document = tomlkit.parse(section.text)
    uv = document["tool"]["uv"]
    staying = [key for key in uv if key not in RENAMED]
    notes.extend(
        f"[tool.uv] {key}: no tether meaning; kept in [tool.uv]"
        for key in staying
        if key not in READ_IN_PLACE
    )
    if not staying:  # all of it moves: rename in the text, so every comment stays put
        text = _header(section.text, "tool.uv", "tool.tether") + _body(section.text)
        for old, new in RENAMED.items():
            if old != new:
                text = re.sub(rf"(?m)^([ \t]*){re.escape(old)}([ \t]*=)", rf"\g<1>{new}\2", text)
        return text
    tether = tomlkit.table()
    for key in [k for k in uv if k in RENAMED]:
        tether.add(RENAMED[key], uv[key])  # its own trailing comment comes along
        del uv[key]
    if not len(tether):
        return section.text
    moved = tomlkit.document()
    moved.add("tool", tomlkit.table(is_super_table=True))
    moved["tool"].add("tether", tether)
    return str(tomlkit.dumps(moved)) + "\n" + str(tomlkit.dumps(document))


def _sources(section: Section, notes: list[str]) -> str:
    import tomllib  # noqa: PLC0415

    data = tomllib.loads(section.text)["tool"]["uv"]["sources"]
    for name, spec in data.items():
        entries = spec if isinstance(spec, list) else [spec]
        for entry in entries:
            unsupported = sorted(set(entry) - SOURCE_KEYS) if isinstance(entry, dict) else []
            if unsupported:
                notes.append(
                    f"[tool.uv.sources] {name} is a {', '.join(unsupported)} source, which "
                    "tether does not support yet: [tool.uv.sources] kept as it is"
                )
                return section.text
    return _header(section.text, "tool.uv.sources", "tool.tether.sources") + _body(section.text)


def _index(section: Section, notes: list[str], tomlkit: Any) -> str:
    document = tomlkit.parse(section.text)
    entry = document["tool"]["uv"]["index"][0]
    for key in list(entry.keys()):
        if key not in INDEX_KEYS:
            notes.append(f"[[tool.uv.index]] {entry.get('name', '?')}: `{key}` dropped")
            del entry[key]
    dumped = tomlkit.dumps(document)
    return _header(section.text, "tool.uv.index", "tool.tether.index") + _body(dumped)


def _header(text: str, old: str, new: str) -> str:
    """The section's header line with its table path renamed (comment kept)."""
    first = text.split("\n", 1)[0]
    return first.replace(old, new, 1) + "\n"


def _body(text: str) -> str:
    return text.split("\n", 1)[1] if "\n" in text else ""


def has_uv_settings(data: Mapping[str, Any]) -> bool:
    """`[tool.uv]` with something `rewrite_uv` moves (a table of only `package = false`
    or `dev-dependencies`, which tether reads in place, is nothing to migrate)."""
    uv = data.get("tool", {}).get("uv")
    return isinstance(uv, Mapping) and any(
        key in RENAMED or key in ("sources", "index", "workspace") for key in uv
    )
