"""A manifest migrated to tether's form, as text: Poetry 1 or 2 tables rewritten as
PEP 621 / PEP 735 / `[tool.tether]`, `[tool.uv]` moved to `[tool.tether]`, PDM and
taskipy tasks imported; checked to read back as a valid project before anything is
written."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from tether.errors import ProjectError
from tether.project.poetry import (
    PoetryError,
    convert,
    convert_poetry2,
    is_poetry2_project,
    is_poetry_project,
)
from tether.project.poetry_rewrite import rewrite, rewrite_poetry2
from tether.project.pyproject import parse_project
from tether.project.task_import import imported_tasks, with_tasks
from tether.project.toml_source import TomlDocument
from tether.project.uv_rewrite import has_uv_settings, rewrite_uv
from tether.project.workspace import workspace_table


@dataclass(frozen=True, slots=True)
class Migrated:
    text: str
    warnings: tuple[str, ...]
    from_poetry: bool  # locked keeping poetry.lock's versions
    from_uv: bool  # ... uv.lock's

    @property
    def pins_from(self) -> str:
        return "poetry.lock" if self.from_poetry else "uv.lock"


def migrated_manifest(doc: TomlDocument) -> Migrated:
    path = doc.path
    poetry = is_poetry_project(doc.data)
    poetry2 = not poetry and is_poetry2_project(doc.data)
    uv = has_uv_settings(doc.data)
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
    if imported is not None:
        text = with_tasks(text, imported)
        warnings += imported.warnings
    # The new manifest must read back as a valid project before anything is written.
    data = tomllib.loads(text)
    if "project" in data or workspace_table(data) is None:  # (a virtual workspace root has none)
        parse_project(TomlDocument(path=path, text=text, data=data))
    return Migrated(text, tuple(warnings), from_poetry=poetry or poetry2, from_uv=uv)
