"""`tether migrate`: rewrite a Poetry project's `pyproject.toml` as PEP 621 `[project]`,
PEP 735 `[dependency-groups]` and `[tool.tether]`, then lock it keeping the versions
`poetry.lock` pinned wherever the new constraints allow.

Tables tether does not translate (other tools' settings, `[build-system]`, Poetry's own
`packages`/`include`/`exclude`, which poetry-core still reads) are kept with their
comments; the translated Poetry tables are removed. `[build-system]` moves to
poetry-core 2, the first that reads `[project]`. All or nothing: when the new manifest
is invalid or the lock fails, `pyproject.toml` is put back as it was.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from tether.commands.lock import LockOptions, LockResult, lock
from tether.commands.services import IndexOptions
from tether.errors import ProjectError, TetherError
from tether.fs import atomic_write
from tether.lock import LOCK_NAME, locked_versions
from tether.lock.foreign import lock_pins
from tether.project import find_pyproject
from tether.project.poetry import (
    Converted,
    PoetryError,
    convert,
    convert_poetry2,
    is_poetry2_project,
    is_poetry_project,
)
from tether.project.pyproject import parse_project
from tether.project.task_import import Imported, from_pdm, from_taskipy
from tether.project.toml_sections import Section, split_sections
from tether.project.toml_source import TomlDocument, read_toml
from tether.project.uv import RENAMED
from tether.project.uv_rewrite import rewrite_uv
from tether.project.workspace import workspace_table

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


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrateOptions:
    start: Path
    environ: Mapping[str, str]
    index: IndexOptions = field(default_factory=IndexOptions)
    dry_run: bool = False
    lock: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrateResult:
    path: Path
    text: str
    warnings: tuple[str, ...]
    lock: LockResult | None = None
    poetry_pins: int = 0  # versions poetry.lock (or uv.lock) held
    pins_from: str = "poetry.lock"
    moved: tuple[tuple[str, str, str], ...] = ()  # (name, poetry.lock's, pylock's)


def migrate(options: MigrateOptions) -> MigrateResult:
    path = find_pyproject(options.start)
    doc = read_toml(path)
    poetry = is_poetry_project(doc.data)
    poetry2 = not poetry and is_poetry2_project(doc.data)
    uv = _has_uv_settings(doc.data)
    imported = imported_tasks(doc.data)
    if not poetry and not poetry2 and not uv and imported is None:
        raise ProjectError(
            "is not a Poetry project ([tool.poetry] with dependencies, and no [project]), "
            "has no uv settings to move ([tool.uv]) and no [tool.pdm.scripts] or "
            "[tool.taskipy.tasks]",
            path=path,
            hint="nothing to migrate: tether reads this file as it is",
        )
    text, warnings = doc.text, []
    if uv:
        text, notes = rewrite_uv(text)
        warnings += notes
    if poetry or poetry2:  # Poetry 1 (no [project]) or Poetry 2 ([project] beside)
        try:
            converted = convert(doc.data) if poetry else convert_poetry2(doc.data)
        except PoetryError as err:
            raise ProjectError(f"cannot migrate: {err}", path=path) from None
        text = rewrite(text, converted) if poetry else rewrite_poetry2(text, converted)
        warnings += converted.warnings
        poetry = True  # from here on, as any Poetry project: locked with poetry.lock's pins
    if imported is not None:
        text = with_tasks(text, imported)
        warnings += imported.warnings
    # The new manifest must read back as a valid project before anything is written.
    data = tomllib.loads(text)
    if "project" in data or workspace_table(data) is None:  # (a virtual workspace root has none)
        parse_project(TomlDocument(path=path, text=text, data=data))
    if options.dry_run or not (poetry or uv):  # tasks alone change nothing the lock holds
        if not options.dry_run:
            atomic_write(path, text)
        return MigrateResult(path=path, text=text, warnings=tuple(warnings))
    pins = lock_pins(path.parent / ("poetry.lock" if poetry else "uv.lock"))
    original = path.read_bytes()
    atomic_write(path, text)
    if not options.lock:
        return MigrateResult(path=path, text=text, warnings=tuple(warnings))
    try:
        result = lock(
            LockOptions(
                start=path.parent,
                index=options.index,
                environ=options.environ,
                seed_preferences=pins,
            )
        )
    except (TetherError, KeyboardInterrupt) as err:
        atomic_write(path, original)
        if isinstance(err, TetherError):
            err.add_note(f"{path.name} was left as it was")
        raise
    locked = locked_versions(path.parent / LOCK_NAME)
    moved = tuple(
        (name, ", ".join(versions), ", ".join(locked[name]))
        for name, versions in sorted(pins.items())
        if name in locked and not set(versions) & set(locked[name])
    )
    return MigrateResult(
        path=path,
        text=text,
        warnings=tuple(warnings),
        lock=result,
        poetry_pins=len(pins),
        pins_from="poetry.lock" if poetry else "uv.lock",
        moved=moved,
    )


def _has_uv_settings(data: Mapping[str, Any]) -> bool:
    """`[tool.uv]` with something `rewrite_uv` moves (a table of only `package = false`
    or `dev-dependencies`, which tether reads in place, is nothing to migrate)."""
    uv = data.get("tool", {}).get("uv")
    return isinstance(uv, Mapping) and any(
        key in RENAMED or key in ("sources", "index", "workspace") for key in uv
    )


def imported_tasks(data: Mapping[str, Any]) -> Imported | None:
    """PDM's scripts and taskipy's tasks as tether tasks; None when there are neither."""
    tool = data.get("tool", {})
    pdm = tool.get("pdm", {}).get("scripts")
    taskipy = tool.get("taskipy", {})
    if not isinstance(pdm, Mapping) and not isinstance(taskipy.get("tasks"), Mapping):
        return None
    found = Imported()
    for part in (
        from_pdm(pdm) if isinstance(pdm, Mapping) else None,
        from_taskipy(taskipy["tasks"], taskipy.get("settings", {}))
        if isinstance(taskipy.get("tasks"), Mapping)
        else None,
    ):
        if part is None:
            continue
        for name, task in part.tasks.items():
            if name in found.tasks:
                found.warnings.append(f"task {name!r} is defined twice; the first is kept")
                continue
            found.tasks[name] = task
        found.warnings += part.warnings
    return found


def with_tasks(text: str, imported: Imported) -> str:
    """`text` with the imported tasks under `[tool.tether.tasks]` (one already there
    wins) and the tables they came from removed; comments elsewhere kept."""
    import tomlkit  # noqa: PLC0415 - only for this verb

    document = tomlkit.parse(text)
    tool = document["tool"]
    pdm = tool.get("pdm")
    if pdm is not None and "scripts" in pdm:
        del pdm["scripts"]
        if not pdm:
            del tool["pdm"]
    if "taskipy" in tool:
        for key in ("tasks", "settings"):
            if key in tool["taskipy"]:
                del tool["taskipy"][key]
        if not tool["taskipy"]:
            del tool["taskipy"]
    if "tether" not in tool:
        tool.add("tether", tomlkit.table())
    if "tasks" not in tool["tether"]:
        tool["tether"].add("tasks", tomlkit.table())
    tasks = tool["tether"]["tasks"]
    for name, task in imported.tasks.items():
        if name in tasks:
            imported.warnings.append(f"task {name!r} is already in [tool.tether.tasks]; kept")
            continue
        if set(task) == {"cmd"} and isinstance(task["cmd"], str):
            tasks.add(name, task["cmd"])
            continue
        inline = tomlkit.inline_table()
        inline.update(task)
        tasks.add(name, inline)
    return tomlkit.dumps(document)


def poetry_lock_pins(path: Path) -> dict[str, tuple[str, ...]]:
    """name -> versions from a `poetry.lock` (empty when there is none or unreadable)."""
    return lock_pins(path)


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
