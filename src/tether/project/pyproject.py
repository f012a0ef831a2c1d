"""`pyproject.toml` → `Project`: the typed, immutable roots of everything tether does.

Reads PEP 621 `[project]`, PEP 735 `[dependency-groups]` (includes resolved by
`packaging.dependency_groups`), PEP 518 `[build-system]` and `[tool.tether]`. Every value
is validated here, once, so later stages can trust the types and never re-parse.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from packaging.dependency_groups import (
    CyclicDependencyGroup,
    DependencyGroupResolver,
    DuplicateGroupNames,
)
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.project.fields import (
    check_keys,
    expect_list,
    expect_str,
    expect_str_list,
    expect_table,
    parse_name,
    parse_requirement,
    parse_requirements,
    parse_string,
)
from tether.project.poetry import (
    PoetryError,
    as_pyproject,
    convert,
    convert_poetry2,
    is_poetry2_project,
    is_poetry_project,
)
from tether.project.settings import Settings, parse_settings
from tether.project.toml_source import TomlDocument, read_toml
from tether.project.torch import expand as expand_torch
from tether.project.uv import translate

if TYPE_CHECKING:
    from tether.project.workspace import Workspace

PROJECT_KEYS = frozenset(
    {
        "name",
        "version",
        "description",
        "readme",
        "requires-python",
        "license",
        "license-files",
        "authors",
        "maintainers",
        "keywords",
        "classifiers",
        "urls",
        "scripts",
        "gui-scripts",
        "entry-points",
        "dependencies",
        "optional-dependencies",
        "dynamic",
        "import-names",
        "import-namespaces",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildSystem:
    """PEP 518/517 `[build-system]`: what builds the project into a wheel."""

    requires: tuple[Requirement, ...]
    backend: str | None
    backend_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """A project as tether understands it. `root` holds `pyproject.toml`."""

    root: Path
    name: NormalizedName
    display_name: str
    version: Version | None
    dynamic: frozenset[str] = frozenset()
    requires_python: SpecifierSet = field(default_factory=SpecifierSet)
    dependencies: tuple[Requirement, ...] = ()
    optional_dependencies: Mapping[NormalizedName, tuple[Requirement, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    dependency_groups: Mapping[NormalizedName, tuple[Requirement, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    build_system: BuildSystem | None = None
    settings: Settings = field(default_factory=Settings)
    # A PEP 723 script read as a project (project/script.py): its lock and environment
    # are where the caller puts them, not `pylock.toml` and `.venv` beside it.
    script: Path | None = None
    lock_file: Path | None = None
    notes: tuple[str, ...] = ()  # other tools' settings not carried over (see project/uv.py)
    environment_path: Path | None = None
    # A workspace read as one project (project/workspace.py): its members, and which
    # one the command acts on.
    workspace: Workspace | None = None

    @property
    def pyproject_path(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def is_package(self) -> bool:
        """Whether the project itself is built and installed (it has a build system)."""
        return self.build_system is not None

    def default_groups(self) -> tuple[NormalizedName, ...]:
        """The groups a plain `sync` installs: `default-groups`, else `dev` if defined."""
        chosen = self.settings.default_groups
        if chosen == "all":
            return tuple(self.dependency_groups)
        if chosen is not None:
            return chosen
        dev = canonicalize_name("dev")
        return (dev,) if dev in self.dependency_groups else ()

    def environment(self, environ: Mapping[str, str]) -> Path:
        """The project's virtual environment: `.venv`, or TETHER_PROJECT_ENVIRONMENT
        (relative to the project root); a script's own when it has one."""
        if self.environment_path is not None:
            return self.environment_path
        configured = environ.get("TETHER_PROJECT_ENVIRONMENT")
        path = Path(configured) if configured else Path(".venv")
        return path if path.is_absolute() else self.root / path

    def selected_groups(self, selection: Selection) -> list[str]:
        """The groups a command works on, from uv's flags: `--all-groups` wins, then
        `--only-group`, else the default groups (unless `--no-dev`) plus `--group`."""
        if selection.all_groups:
            return sorted(self.dependency_groups)
        if selection.only_groups:
            return list(selection.only_groups)
        chosen = [] if selection.no_default_groups else list(self.default_groups())
        return sorted({*chosen, *selection.groups})

    def selected_extras(self, selection: Selection) -> list[str]:
        """`--all-extras` (torch backend selectors aside), else the extras named with
        `--extra`; plus the torch backend chosen for this machine, if any."""
        backends = set(self.settings.torch_backends)
        if selection.all_extras:
            chosen: list[str] = [e for e in sorted(self.optional_dependencies) if e not in backends]
        else:
            chosen = list(selection.extras)
        if selection.torch_backend is not None:
            chosen = sorted({*chosen, selection.torch_backend})
        return chosen


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """Which dependency groups and extras a command works on, as uv's flags say."""

    groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    no_default_groups: bool = False
    all_groups: bool = False
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    torch_backend: str | None = None  # chosen for this machine (or asked for)
    all_packages: bool = False  # in a workspace: every member, not just the current one


def load_project(pyproject: Path) -> Project:
    """Read and validate `pyproject`; raise `ProjectError` pointing at what is wrong.
    A Poetry manifest (`[tool.poetry]`, no `[project]`) is read as what it means."""
    doc = read_toml(pyproject)
    if is_poetry_project(doc.data):
        doc = poetry_document(doc)
    return parse_project(doc)


def poetry_document(doc: TomlDocument) -> TomlDocument:
    """`doc` with its `[tool.poetry]` tables translated (see project/poetry.py); later
    errors point into that translation, and say so."""
    import tomlkit  # noqa: PLC0415 - only for Poetry projects

    try:
        converted = convert(doc.data)
    except PoetryError as err:
        raise doc.error(
            f"cannot read the Poetry project: {err}",
            at=doc.locate_key(err.where.rsplit(".", 1)[-1].split("[")[0]),
            hint="fix that entry, or write the project as PEP 621 ([project])",
        ) from None
    data = as_pyproject(doc.data, converted)
    return TomlDocument(
        path=doc.path, text=tomlkit.dumps(data), data=data, translated_from="[tool.poetry]"
    )


def parse_project(doc: TomlDocument) -> Project:
    data = doc.data
    if "project" not in data:
        raise doc.error(
            "no [project] table",
            hint="tether manages PEP 621 projects: add a [project] table with at least a "
            'name, e.g. name = "my-service", or run `tether init` in a new directory',
        )
    table = expect_table(doc, data["project"], "project")
    # A key close to a PEP 621 one is a typo (`dependecies`) and an error; another is a
    # tool's own (`homepage`, which Poetry tolerates): named, not fatal.
    foreign = [
        key
        for key in table
        if key not in PROJECT_KEYS
        and not difflib.get_close_matches(key, sorted(PROJECT_KEYS), n=1, cutoff=0.8)
    ]
    check_keys(doc, {k: v for k, v in table.items() if k not in foreign}, PROJECT_KEYS, "project")
    if "name" not in table:
        raise doc.error(
            "[project] has no `name`",
            at=doc.locate("[project]"),
            hint='add a name, e.g. name = "my-service" (PEP 621 requires one)',
        )
    display_name = expect_str(doc, table["name"], "project.name")
    name = parse_name(doc, display_name, "project.name")
    dynamic = frozenset(expect_str_list(doc, table.get("dynamic", []), "project.dynamic"))
    if "name" in dynamic:
        raise doc.error(
            "`name` cannot be dynamic (PEP 621)",
            at=doc.locate_key("dynamic"),
            hint='remove "name" from `project.dynamic`',
        )
    extras = _parse_extras(doc, table.get("optional-dependencies", {}))
    tool = expect_table(doc, data.get("tool", {}), "tool")
    tether, settings_doc = tool.get("tether", {}), doc
    notes: tuple[str, ...] = tuple(
        f"[project] {key}: not a PEP 621 key; ignored (a URL goes in [project.urls])"
        for key in foreign
    )
    raw_groups = data.get("dependency-groups", {})
    if is_poetry2_project(data):
        # Poetry 2 keeps groups and sources in [tool.poetry]: read them as they are
        # ([dependency-groups] and [tool.tether] win where both say something).
        try:
            poetry = convert_poetry2(data)
        except PoetryError as err:
            raise doc.error(f"cannot read [tool.poetry]: {err}") from None
        raw_groups = {
            **poetry.dependency_groups,
            **expect_table(doc, raw_groups, "dependency-groups"),
        }
        tether = {**poetry.tether, **expect_table(doc, tether, "tool.tether")}
        notes = (*notes, *poetry.warnings)
    groups = _parse_groups(doc, raw_groups)
    build_system = _parse_build_system(doc, data.get("build-system"))
    uv = tool.get("uv")
    if isinstance(uv, dict) and uv:
        # A uv project works as it is: [tool.uv] read as tether settings ([tool.tether]
        # keys win), what has no meaning here named in `notes`.
        reading = translate(uv)
        tether = {**reading.tether, **expect_table(doc, tether, "tool.tether")}
        if not tool.get("tether"):
            settings_doc = replace(doc, translated_from="[tool.uv]")
        notes = (*notes, *reading.notes)
        if reading.package is False:
            build_system = None
        if reading.dev_dependencies:
            dev = canonicalize_name("dev")
            legacy = parse_requirements(doc, reading.dev_dependencies, "tool.uv.dev-dependencies")
            groups[dev] = (*groups.get(dev, ()), *legacy)
    settings = parse_settings(
        settings_doc, tether, extras=frozenset(extras), groups=frozenset(groups)
    )
    settings = expand_torch(settings_doc, settings, extras, tether)
    return Project(
        root=doc.path.parent,
        name=name,
        display_name=display_name,
        version=_parse_version(doc, table, dynamic),
        dynamic=dynamic,
        requires_python=parse_requires_python(doc, table.get("requires-python")),
        dependencies=parse_requirements(doc, table.get("dependencies", []), "project.dependencies"),
        optional_dependencies=MappingProxyType(extras),
        dependency_groups=MappingProxyType(groups),
        build_system=build_system,
        settings=settings,
        notes=notes,
    )


def _parse_version(
    doc: TomlDocument, table: dict[str, Any], dynamic: frozenset[str]
) -> Version | None:
    if "version" not in table:
        if "version" in dynamic:
            return None
        raise doc.error(
            "[project] has no `version` and does not list it in `dynamic`",
            at=doc.locate("[project]"),
            hint='add version = "0.1.0", or dynamic = ["version"] if the build backend computes it',
        )
    if "version" in dynamic:
        raise doc.error(
            "`version` is both set and listed in `project.dynamic`",
            at=doc.locate_key("version"),
            hint="PEP 621 allows one or the other",
        )
    return parse_string(
        doc,
        table["version"],
        "project.version",
        Version,
        what="version",
        hint='versions follow PEP 440, e.g. "1.0", "2.1.3", "0.4.0rc1"',
        errors=InvalidVersion,
    )


def parse_requires_python(doc: TomlDocument, value: object) -> SpecifierSet:
    if value is None:
        return SpecifierSet()
    return parse_string(
        doc,
        value,
        "project.requires-python",
        SpecifierSet,
        what="version specifier",
        hint='use a PEP 440 specifier such as ">=3.11" or ">=3.10,<3.14"',
        errors=InvalidSpecifier,
    )


def _parse_extras(
    doc: TomlDocument, value: object
) -> dict[NormalizedName, tuple[Requirement, ...]]:
    table = expect_table(doc, value, "project.optional-dependencies")
    extras: dict[NormalizedName, tuple[Requirement, ...]] = {}
    for raw_name, requirements in table.items():
        where = f"project.optional-dependencies.{raw_name}"
        name = parse_name(doc, raw_name, where)
        if name in extras:
            raise doc.error(
                f'extra "{raw_name}" is defined twice (names are compared normalised, PEP 685)',
                at=doc.locate_key(raw_name),
                hint="merge the two lists into one extra",
            )
        extras[name] = parse_requirements(doc, requirements, where)
    return extras


def _parse_groups(
    doc: TomlDocument, value: object
) -> dict[NormalizedName, tuple[Requirement, ...]]:
    """PEP 735 groups with `include-group` expanded; strings are checked first so a bad
    requirement is reported with its group and line, like any other."""
    table = expect_table(doc, value, "dependency-groups")
    for group, items in table.items():
        where = f"dependency-groups.{group}"
        parse_name(doc, group, where)
        for position, item in enumerate(expect_list(doc, items, where)):
            item_where = f"{where}[{position}]"
            if isinstance(item, dict):
                check_keys(doc, item, {"include-group"}, item_where)
                expect_str(doc, item.get("include-group"), f"{item_where}.include-group")
            else:
                parse_requirement(doc, item, item_where)
    try:
        resolver = DependencyGroupResolver(table)
        return {canonicalize_name(group): resolver.resolve(group) for group in table}
    except ExceptionGroup as group_error:
        raise _group_error(doc, group_error) from None


def _group_error(doc: TomlDocument, group_error: ExceptionGroup[Exception]) -> Exception:
    cause = group_error.exceptions[0]
    if isinstance(cause, CyclicDependencyGroup):
        return doc.error(
            f"[dependency-groups] include a cycle: {cause}",
            at=doc.locate("include-group"),
            hint="remove one of the `include-group` entries that form the cycle",
        )
    if isinstance(cause, DuplicateGroupNames):
        return doc.error(
            f"[dependency-groups] defines a group twice: {cause}",
            at=doc.locate("[dependency-groups]"),
            hint="group names are compared normalised (PEP 735); merge the two groups",
        )
    if isinstance(cause, LookupError):
        detail = str(cause)
        return doc.error(
            "[dependency-groups] includes a group that is not defined: "
            + detail[:1].lower()
            + detail[1:],
            at=doc.locate("include-group"),
            hint="define that group, or fix the name in `include-group`",
        )
    return doc.error(f"invalid [dependency-groups]: {cause}", at=doc.locate("[dependency-groups]"))


def _parse_build_system(doc: TomlDocument, value: object) -> BuildSystem | None:
    if value is None:
        return None
    table = expect_table(doc, value, "build-system")
    check_keys(doc, table, {"requires", "build-backend", "backend-path"}, "build-system")
    if "requires" not in table:
        raise doc.error(
            "[build-system] has no `requires`",
            at=doc.locate("[build-system]"),
            hint='PEP 518 requires it, e.g. requires = ["hatchling"]',
        )
    backend = table.get("build-backend")
    return BuildSystem(
        requires=parse_requirements(doc, table["requires"], "build-system.requires"),
        backend=None if backend is None else expect_str(doc, backend, "build-system.build-backend"),
        backend_path=expect_str_list(
            doc, table.get("backend-path", []), "build-system.backend-path"
        ),
    )
