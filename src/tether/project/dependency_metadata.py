"""`[[tool.tether.dependency-metadata]]` (uv's `[[tool.uv.dependency-metadata]]`, read
the same): a package's requirements as the project declares them, so that an sdist
whose build cannot run at lock time (flash-attn imports torch in its setup.py) is
locked without building it.

    [[tool.tether.dependency-metadata]]
    name = "flash-attn"
    version = "2.8.3"            # optional: without it, every version
    requires-dist = ["torch", "einops"]
    requires-python = ">=3.9"    # optional
    provides-extra = []          # optional
"""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from tether.index.declared import DeclaredMetadata
from tether.project.fields import (
    check_keys,
    expect_list,
    expect_str_list,
    expect_table,
    parse_name,
    parse_requirements,
    parse_string,
)
from tether.project.toml_source import TomlDocument

KEY = "dependency-metadata"
_KEYS = frozenset({"name", "version", "requires-dist", "requires-python", "provides-extra"})


def parse_dependency_metadata(
    doc: TomlDocument, value: object, where: str
) -> tuple[DeclaredMetadata, ...]:
    entries = []
    for position, item in enumerate(expect_list(doc, value, where)):
        here = f"{where}[{position}]"
        table = expect_table(doc, item, here)
        check_keys(doc, table, _KEYS, here)
        if "name" not in table:
            raise doc.error(
                f"`{here}` has no name",
                at=doc.locate_key(KEY),
                hint='each entry names its package: name = "flash-attn"',
            )
        version = None
        if "version" in table:
            version = parse_string(
                doc, table["version"], f"{here}.version", Version,
                what="version", hint='a PEP 440 version, e.g. "2.8.3"', errors=InvalidVersion,
            )  # fmt: skip
        requires_python = None
        if "requires-python" in table:
            requires_python = parse_string(
                doc, table["requires-python"], f"{here}.requires-python", SpecifierSet,
                what="requires-python", hint='a version specifier, e.g. ">=3.9"',
                errors=InvalidSpecifier,
            )  # fmt: skip
        extras = expect_str_list(doc, table.get("provides-extra", []), f"{here}.provides-extra")
        entries.append(
            DeclaredMetadata(
                name=parse_name(doc, table["name"], f"{here}.name"),
                version=version,
                requires_dist=parse_requirements(
                    doc, table.get("requires-dist", []), f"{here}.requires-dist"
                ),
                requires_python=requires_python,
                provides_extra=tuple(
                    parse_name(doc, extra, f"{here}.provides-extra") for extra in extras
                ),
            )
        )
    return tuple(entries)


def describe(entries: tuple[DeclaredMetadata, ...]) -> list[list[str]]:
    """The entries as plain data, for the lock's input fingerprint."""
    return [
        [
            str(e.name),
            str(e.version or ""),
            *sorted(str(r) for r in e.requires_dist),
            f"python:{e.requires_python or ''}",
            *(f"extra:{x}" for x in e.provides_extra),
        ]
        for e in entries
    ]
