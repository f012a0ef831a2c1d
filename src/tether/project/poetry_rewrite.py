"""A Poetry manifest's text rewritten as PEP 621 `[project]`, PEP 735
`[dependency-groups]` and `[tool.tether]`, section by section: tables tether does not
translate keep their bytes and comments, comments on dependencies move with them, and
`[build-system]` moves to poetry-core 2 (the first that reads `[project]`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from tether.project.poetry import Converted
from tether.project.toml_sections import Section, split_sections

TRANSLATED = (
    "name",
    "version",
    "description",
    "readme",
    "keywords",
    "classifiers",
    "license",
    "authors",
    "maintainers",
    "urls",
    "homepage",
    "repository",
    "documentation",
    "scripts",
    "plugins",
    "dependencies",
    "dev-dependencies",
    "group",
    "extras",
    "source",
)


PROJECT_ORDER = (
    "name",
    "version",
    "description",
    "readme",
    "requires-python",
    "license",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "dependencies",
    "optional-dependencies",
    "urls",
    "scripts",
    "entry-points",
)


def rewrite(text: str, converted: Converted) -> str:
    """`text` with the Poetry tables replaced by what they mean. Section by section
    (project/toml_sections.py): other tables, wherever they sit between Poetry's, are
    kept byte for byte, and comments on dependencies move with them."""
    import tomlkit  # noqa: PLC0415 - only for this verb

    sections = _comments_with_their_table(split_sections(text))
    comments = _dependency_comments(sections)
    notes = _group_notes(sections)
    head = tomlkit.document()
    project = tomlkit.table()
    for key in PROJECT_ORDER:
        if key in converted.project:
            value = converted.project[key]
            if key == "dependencies":
                project.add(key, _array(value, comments.get("", {})))
            elif key == "optional-dependencies":  # optional dependencies' comments too
                extras = tomlkit.table()
                for extra, requirements in value.items():
                    extras.add(extra, _array(requirements, comments.get("", {})))
                project.add(key, extras)
            else:
                project.add(key, _item(key, value))
    head.add("project", project)
    if converted.dependency_groups:
        groups = tomlkit.table()
        for name, requirements in converted.dependency_groups.items():
            for note in notes.get(name, ()):
                groups.add(tomlkit.comment(note))
            groups.add(name, _array(requirements, comments.get(name, {})))
        head.add("dependency-groups", groups)
    out: list[str] = []
    for section in sections:
        path = section.path
        if not path:
            out.append(section.text)  # comments before the first table stay on top
            out.append(tomlkit.dumps(head) + "\n")
            continue
        if path[0] in ("project", "dependency-groups"):
            continue
        if path[:2] == ("tool", "poetry"):
            if len(path) == 2:
                out.append(_without_translated(section.text))
            elif path[2] not in TRANSLATED:
                out.append(section.text)
            elif path[2] != "group":
                out.append(_leading(section.text)[0])  # comments above it stay
            continue
        out.append(_build_system(section.text) if path == ("build-system",) else section.text)
    if not sections or sections[0].path:
        out.insert(0, tomlkit.dumps(head) + "\n")
    if converted.tether:
        out.append(_tether_tables(converted))
    return "".join(out).rstrip("\n") + "\n"


Notes = tuple[list[str], str | None]  # comment lines above an entry, and its own


# What a Poetry 2 manifest keeps in [tool.poetry] that tether holds elsewhere.
POETRY2_MOVED = ("group", "dev-dependencies", "source", "dependencies")


def rewrite_poetry2(text: str, converted: Converted) -> str:
    """A Poetry 2 manifest (`[project]` already PEP 621): its `[tool.poetry]` groups
    become `[dependency-groups]` (after `[project]`'s tables), its sources and source
    pins `[tool.tether]`; `[project]` and every other table stay as written."""
    import tomlkit  # noqa: PLC0415

    sections = _comments_with_their_table(split_sections(text))
    comments = _dependency_comments(sections)
    out: list[str] = []
    groups_written = False
    groups = tomlkit.table()
    notes = _group_notes(sections)
    for name, requirements in converted.dependency_groups.items():
        for note in notes.get(name, ()):
            groups.add(tomlkit.comment(note))
        groups.add(name, _array(requirements, comments.get(name, {})))
    for position, section in enumerate(sections):
        path = section.path
        if path[:2] == ("tool", "poetry") and len(path) > 2 and path[2] in POETRY2_MOVED:
            if path[2] != "group":
                out.append(_leading(section.text)[0])  # comments above it stay
            continue
        if path == ("tool", "poetry"):
            out.append(_without_keys(section.text, POETRY2_MOVED))
            continue
        if path == ("dependency-groups",) and len(groups):
            out.append(_merged_groups(section.text, groups))
            groups_written = True
            continue
        out.append(section.text)
        following = sections[position + 1].path if position + 1 < len(sections) else ()
        if (
            path[:1] == ("project",)
            and following[:1] != ("project",)
            and not groups_written
            and len(groups)
            and not any(s.path == ("dependency-groups",) for s in sections)
        ):
            document = tomlkit.document()
            document.add("dependency-groups", groups)
            out.append("\n" + tomlkit.dumps(document) + "\n")
            groups_written = True
    if converted.tether:
        out.append(_tether_tables(converted))
    return "".join(out).rstrip("\n") + "\n"


def _comments_with_their_table(sections: list[Section]) -> list[Section]:
    """The comment lines just above a table header moved from the end of the section
    before it into that table's section (joined, the text is the same), so that a
    comment travels with the table it describes."""
    moved: list[Section] = []
    for section in sections:
        current = section
        if moved and moved[-1].path and section.path:  # the file's preamble stays on top
            body, tail = _trailing_comments(moved[-1].text)
            if tail:
                previous = moved[-1]
                moved[-1] = Section(previous.path, previous.is_array, body)
                current = Section(section.path, section.is_array, tail + section.text)
        moved.append(current)
    return moved


def _trailing_comments(text: str) -> tuple[str, str]:
    """`text` split before its last block of comment lines (blank lines around them
    included); ("", "") tail when it does not end in a comment."""
    lines = text.splitlines(keepends=True)
    cut = len(lines)
    while cut and (not lines[cut - 1].strip() or lines[cut - 1].lstrip().startswith("#")):
        cut -= 1
    while cut < len(lines) and not lines[cut].strip():
        cut += 1  # blank lines after the body stay with it
    tail = "".join(lines[cut:])
    if not any(line.lstrip().startswith("#") for line in lines[cut:]):
        return text, ""
    return "".join(lines[:cut]), tail


def _leading(text: str) -> tuple[str, str]:
    """A section's comment lines above its header, and the rest."""
    lines = text.splitlines(keepends=True)
    cut = 0
    while cut < len(lines) and (not lines[cut].strip() or lines[cut].lstrip().startswith("#")):
        cut += 1
    return "".join(lines[:cut]), "".join(lines[cut:])


def _group_notes(sections: list[Section]) -> dict[str, list[str]]:
    """Comments above a Poetry group's tables, by group: they go above the group in
    `[dependency-groups]`."""
    notes: dict[str, list[str]] = {}
    for section in sections:
        path = section.path
        if len(path) >= 4 and path[:3] == ("tool", "poetry", "group"):
            above = _leading(section.text)[0]
            lines = [ln.strip().lstrip("#").strip() for ln in above.splitlines() if ln.strip()]
            notes.setdefault(path[3], []).extend(line for line in lines if line)
    return notes


def _merged_groups(text: str, groups: Any) -> str:
    """An existing `[dependency-groups]` with Poetry's groups it lacks added."""
    import tomlkit  # noqa: PLC0415

    document = tomlkit.parse(text)
    table: Any = document["dependency-groups"]
    for name, value in groups.items():
        if name not in table:
            table.add(name, value)
    return str(tomlkit.dumps(document))


def _dependency_comments(sections: list[Section]) -> dict[str, dict[str, Notes]]:
    """Comments in Poetry's dependency tables, by group ("" for the project's own) and
    package name: the comment lines above an entry and the one after it."""
    import tomlkit  # noqa: PLC0415
    from tomlkit.exceptions import TOMLKitError  # noqa: PLC0415
    from tomlkit.items import Comment, Table  # noqa: PLC0415

    found: dict[str, dict[str, Notes]] = {}
    for section in sections:
        path = section.path
        if path == ("tool", "poetry", "dependencies"):
            group = ""
        elif path == ("tool", "poetry", "dev-dependencies"):
            group = "dev"
        elif (
            len(path) == 5
            and path[:3] == ("tool", "poetry", "group")
            and path[4] == ("dependencies")
        ):
            group = path[3]
        else:
            continue
        try:
            table: Any = tomlkit.parse(section.text)
            for part in path:
                table = table[part]
        except (TOMLKitError, KeyError, TypeError):
            continue  # a comment lost is no reason to fail the migration
        if not isinstance(table, Table):
            continue
        pending: list[str] = []
        for key, item in table.value.body:
            if key is None:
                if isinstance(item, Comment):
                    pending.append(item.as_string().strip().lstrip("#").strip())
                continue
            trailing = item.trivia.comment.lstrip("#").strip() or None
            if pending or trailing:
                found.setdefault(group, {})[str(canonicalize_name(key.key))] = (pending, trailing)
            pending = []
    return found


def _without_translated(text: str) -> str:
    """The `[tool.poetry]` section without the keys migrated to `[project]` (what stays:
    `packages`, `include`, `exclude`, ... which poetry-core still reads); nothing when
    nothing stays."""
    return _without_keys(text, TRANSLATED)


def _without_keys(text: str, keys: tuple[str, ...]) -> str:
    import tomlkit  # noqa: PLC0415

    document = tomlkit.parse(text)
    poetry: Any = document["tool"]["poetry"]
    for key in keys:
        if key in poetry:
            del poetry[key]
    if not poetry:
        return ""
    return tomlkit.dumps(document)


def _build_system(text: str) -> str:
    """poetry-core 2 is the first that reads [project]."""
    import tomlkit  # noqa: PLC0415

    document = tomlkit.parse(text)
    value: Any = document["build-system"]
    backend = value.get("build-backend", "")
    if backend in ("poetry.core.masonry.api", "poetry.masonry.api"):
        value["requires"] = ["poetry-core>=2.0.0,<3.0.0"]
        value["build-backend"] = "poetry.core.masonry.api"
    return tomlkit.dumps(document)


def _tether_tables(converted: Converted) -> str:
    import tomlkit  # noqa: PLC0415

    tether = tomlkit.table()
    for key, value in converted.tether.items():
        if key == "index":
            tables = tomlkit.aot()
            for index in value:
                table = tomlkit.table()
                for name, item in index.items():
                    table.add(name, item)
                tables.append(table)
            tether.add(key, tables)
        elif key == "sources":
            sources = tomlkit.table()
            for name, entry in value.items():
                inline = tomlkit.inline_table()
                inline.update(entry)
                sources.add(name, inline)
            tether.add(key, sources)
        else:
            tether.add(key, value)
    tool = tomlkit.table(is_super_table=True)
    tool.add("tether", tether)
    document = tomlkit.document()
    document.add("tool", tool)
    return "\n" + tomlkit.dumps(document)


def _item(key: str, value: Any) -> Any:
    import tomlkit  # noqa: PLC0415

    if key in ("dependencies", "classifiers", "keywords") and isinstance(value, list):
        return _array(value)
    if key == "optional-dependencies":
        table = tomlkit.table()
        for extra, requirements in value.items():
            table.add(extra, _array(requirements))
        return table
    if key in ("urls", "scripts"):
        table = tomlkit.table()
        table.update(value)
        return table
    if key in ("authors", "maintainers"):
        people = tomlkit.array()
        for person in value:
            inline = tomlkit.inline_table()
            inline.update(person)
            people.append(inline)
        return people
    if key == "license":
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def _array(items: list[str], comments: Mapping[str, Notes] | None = None) -> Any:
    import tomlkit  # noqa: PLC0415

    array = tomlkit.array()
    if not comments:
        array.extend(items)
        if len(items) > 1:
            array.multiline(multiline=True)
        return array
    for item in items:
        above, own = comments.get(_requirement_name(item), ([], None))
        for note in above:
            array.add_line(comment=note)
        array.add_line(item, comment=own)
    array.add_line(indent="")
    return array


def _requirement_name(text: str) -> str:
    try:
        return str(canonicalize_name(Requirement(text).name))
    except InvalidRequirement:
        return ""
