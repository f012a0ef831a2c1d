"""`[tool.tether]`: the project's settings for resolution, indexes and sources.

Key names follow uv and Poetry where users already know them (DESIGN.md §5), so that a
migration is mostly a rename. Unknown keys are errors that suggest the closest valid one:
a silently ignored typo in a resolver setting produces a lock nobody asked for.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from tether.index.config import Index, index_chain
from tether.index.declared import DeclaredMetadata
from tether.project.cooldown import cutoff
from tether.project.dependency_metadata import parse_dependency_metadata
from tether.project.fields import (
    check_keys,
    expect_bool,
    expect_list,
    expect_str,
    expect_str_list,
    expect_table,
    parse_marker,
    parse_name,
    parse_requirements,
)
from tether.project.tasks import Task, parse_tasks
from tether.project.toml_source import TomlDocument
from tether.urls import index_url_problem, location_url, redact_url

E = TypeVar("E", bound=StrEnum)


class ResolutionStrategy(StrEnum):
    """Which version the resolver prefers: the newest, or the oldest that satisfies."""

    HIGHEST = "highest"
    LOWEST = "lowest"
    LOWEST_DIRECT = "lowest-direct"


class PrereleasePolicy(StrEnum):
    """When pre-releases are candidates (uv's names and meanings)."""

    DISALLOW = "disallow"
    ALLOW = "allow"
    IF_NECESSARY = "if-necessary"
    EXPLICIT = "explicit"
    IF_NECESSARY_OR_EXPLICIT = "if-necessary-or-explicit"


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where one package comes from instead of the index chain, maybe only in some cases.

    Exactly one of `index`, `path`, `url`, `git` and `workspace` is set. `marker`,
    `extra` and `group` narrow when the source applies, so `torch` can come from a CPU
    index with the `cpu` extra and a CUDA index with `cu126`.
    """

    index: str | None = None
    path: str | None = None
    url: str | None = None
    git: str | None = None  # a repository URL; `rev` is its tag, branch or commit
    rev: str | None = None
    subdirectory: str | None = None
    workspace: bool = False  # a member of the same workspace
    editable: bool = False
    marker: Marker | None = None
    extra: NormalizedName | None = None
    group: NormalizedName | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConflictItem:
    """One side of a declared conflict: an extra or a dependency group of the project."""

    extra: NormalizedName | None = None
    group: NormalizedName | None = None

    def __str__(self) -> str:
        return f"extra {self.extra}" if self.extra is not None else f"group {self.group}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The parsed `[tool.tether]` table, defaults filled in."""

    default_groups: tuple[NormalizedName, ...] | Literal["all"] | None = None
    environments: tuple[Marker, ...] = ()
    resolution: ResolutionStrategy = ResolutionStrategy.HIGHEST
    prerelease: PrereleasePolicy = PrereleasePolicy.IF_NECESSARY_OR_EXPLICIT
    exclude_newer: datetime | None = None
    exclude_newer_span: str | None = None  # "P7D" when exclude-newer is a cool-down
    exclude_newer_package: Mapping[NormalizedName, datetime | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    exclude_newer_package_inputs: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    # Requirements declared in place of a package's own (uv's dependency-metadata).
    dependency_metadata: tuple[DeclaredMetadata, ...] = ()
    conflicts: tuple[tuple[ConflictItem, ...], ...] = ()
    indexes: tuple[Index, ...] = ()
    sources: Mapping[NormalizedName, tuple[Source, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # Building from source (uv's names): `no-build` never builds an sdist (wheels only),
    # `no-binary` never takes a wheel (always builds); the `-package` forms name
    # packages; build-constraint-dependencies bound what build environments get.
    # Environments every locked package must have a wheel for (or an sdist), as uv's.
    required_environments: tuple[Marker, ...] = ()
    no_build: bool = False
    no_binary: bool = False
    no_build_package: frozenset[NormalizedName] = frozenset()
    no_binary_package: frozenset[NormalizedName] = frozenset()
    build_constraints: tuple[Requirement, ...] = ()
    torch_backends: tuple[str, ...] = ()  # read by project/torch.py, as is torch-index-url
    torch_index_url: str = "https://download.pytorch.org/whl"
    # `[tool.tether.audit]`, `[tool.tether.deps]`, `[tool.tether.hooks]`, by table name.
    quality: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    tasks: Mapping[str, Task] = field(default_factory=lambda: MappingProxyType({}))

    def exclude_newer_input(self) -> datetime | str | None:
        """What the lock records for exclude-newer: the span for a cool-down (the lock
        stays fresh as days pass), else the moment."""
        return self.exclude_newer_span or self.exclude_newer

    def builds(self, name: str) -> bool:
        """Whether `name` may be built from an sdist (for its metadata or to install)."""
        return not (self.no_build or canonicalize_name(name) in self.no_build_package)

    def takes_wheels(self, name: str) -> bool:
        """Whether wheels of `name` may be used (else its sdist is always built)."""
        return not (self.no_binary or canonicalize_name(name) in self.no_binary_package)

    def index_chain(self) -> tuple[Index, ...]:
        """The indexes a package is looked up in, in order (see `index_chain`)."""
        return index_chain(self.indexes)


SETTINGS_KEYS = frozenset(
    {
        "find-links",
        "default-groups",
        "environments",
        "resolution",
        "prerelease",
        "exclude-newer",
        "exclude-newer-package",
        "constraints",
        "overrides",
        "dependency-metadata",
        "conflicts",
        "index",
        "sources",
        "torch-backends",
        "torch-index-url",
        "required-environments",
        "no-build",
        "no-binary",
        "no-build-package",
        "no-binary-package",
        "build-constraint-dependencies",
        "audit",
        "deps",
        "hooks",
        "tasks",
        "workspace",  # read by project/workspace.py
    }
)
# Tables read by the commands that use them (`tether audit`, `deps`, `hooks`), kept raw here.
QUALITY_TABLES = ("audit", "deps", "hooks")
_INDEX_KEYS = frozenset(
    {"name", "url", "default", "explicit", "username", "credential-command", "publish-url",
     "format"}
)  # fmt: skip
_SOURCE_KEYS = frozenset(
    {
        "index",
        "path",
        "url",
        "git",
        "rev",
        "tag",
        "branch",
        "subdirectory",
        "workspace",
        "editable",
        "marker",
        "extra",
        "group",
    }
)
_SOURCE_KINDS = ("index", "path", "url", "git", "workspace")
_GIT_REVISIONS = ("rev", "tag", "branch")
_MARKER_HINT = "markers follow PEP 508, e.g. \"sys_platform == 'linux'\""
_INDEX_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def parse_settings(
    doc: TomlDocument,
    table: object,
    *,
    extras: frozenset[NormalizedName],
    groups: frozenset[NormalizedName],
) -> Settings:
    """Read `[tool.tether]`; `extras` and `groups` are the project's, for cross-checks."""
    where = "tool.tether"
    data = expect_table(doc, table, where)
    check_keys(doc, data, SETTINGS_KEYS, where)
    indexes = _parse_find_links(doc, data.get("find-links", [])) + _parse_indexes(
        doc, data.get("index", [])
    )
    exclude_newer, exclude_newer_span = _parse_exclude_newer(doc, data.get("exclude-newer"))
    per_package, per_package_inputs = _parse_exclude_newer_package(
        doc, data.get("exclude-newer-package", {})
    )
    return Settings(
        default_groups=_parse_default_groups(doc, data.get("default-groups"), groups),
        environments=_parse_environments(doc, data.get("environments", [])),
        resolution=_parse_enum(doc, data, "resolution", ResolutionStrategy.HIGHEST),
        prerelease=_parse_enum(doc, data, "prerelease", PrereleasePolicy.IF_NECESSARY_OR_EXPLICIT),
        exclude_newer=exclude_newer,
        exclude_newer_span=exclude_newer_span,
        exclude_newer_package=per_package,
        exclude_newer_package_inputs=per_package_inputs,
        constraints=parse_requirements(doc, data.get("constraints", []), f"{where}.constraints"),
        overrides=parse_requirements(doc, data.get("overrides", []), f"{where}.overrides"),
        dependency_metadata=parse_dependency_metadata(
            doc, data.get("dependency-metadata", []), f"{where}.dependency-metadata"
        ),
        conflicts=_parse_conflicts(doc, data.get("conflicts", []), extras, groups),
        indexes=indexes,
        sources=_parse_sources(doc, data.get("sources", {}), indexes, extras, groups),
        required_environments=_parse_environments(
            doc, data.get("required-environments", []), key="required-environments"
        ),
        no_build=expect_bool(doc, data.get("no-build", False), f"{where}.no-build"),
        no_binary=expect_bool(doc, data.get("no-binary", False), f"{where}.no-binary"),
        no_build_package=_names(doc, data, "no-build-package"),
        no_binary_package=_names(doc, data, "no-binary-package"),
        build_constraints=parse_requirements(
            doc,
            data.get("build-constraint-dependencies", []),
            f"{where}.build-constraint-dependencies",
        ),
        quality=MappingProxyType(
            {
                name: dict(expect_table(doc, data[name], f"{where}.{name}"))
                for name in QUALITY_TABLES
                if name in data
            }
        ),
        tasks=parse_tasks(doc, data.get("tasks", {})),
    )


def _names(doc: TomlDocument, data: dict[str, Any], key: str) -> frozenset[NormalizedName]:
    where = f"tool.tether.{key}"
    return frozenset(
        parse_name(doc, item, where) for item in expect_list(doc, data.get(key, []), where)
    )


def _parse_enum(doc: TomlDocument, data: dict[str, Any], key: str, default: E) -> E:
    if key not in data:
        return default
    value = expect_str(doc, data[key], f"tool.tether.{key}")
    enum_type = type(default)
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(f'"{member.value}"' for member in enum_type)
        raise doc.error(
            f'invalid `tool.tether.{key}` value "{value}"',
            at=doc.locate_string(value),
            hint=f"use one of {choices}",
        ) from None


def _parse_default_groups(
    doc: TomlDocument, value: object, groups: frozenset[NormalizedName]
) -> tuple[NormalizedName, ...] | Literal["all"] | None:
    where = "tool.tether.default-groups"
    if value is None:
        return None
    if value == "all":
        return "all"
    items = expect_list(doc, value, where)
    names = tuple(parse_name(doc, item, f"{where}[{i}]") for i, item in enumerate(items))
    for name, item in zip(names, items, strict=True):
        if name not in groups:
            raise doc.error(
                f'default group "{item}" is not defined in [dependency-groups]',
                at=doc.locate_string(item),
                hint=_defined("groups", groups, "[dependency-groups]"),
            )
    return names


def _parse_environments(
    doc: TomlDocument, value: object, *, key: str = "environments"
) -> tuple[Marker, ...]:
    where = f"tool.tether.{key}"
    items = [value] if isinstance(value, str) else expect_list(doc, value, where)
    return tuple(
        parse_marker(doc, item, f"{where}[{position}]", hint=_MARKER_HINT)
        for position, item in enumerate(items)
    )


def _parse_exclude_newer(
    doc: TomlDocument, value: object, where: str = "tool.tether.exclude-newer"
) -> tuple[datetime | None, str | None]:
    """An RFC 3339 timestamp, a date meaning midnight UTC that day, or a cool-down span
    ("7 days", "P7D"; see project/cooldown.py); and the span, normalised, if it is one.

    Dates and timestamps without an offset are read as UTC, not local time, so the
    same pyproject.toml gives the same lock in every time zone.
    """
    if value is None:
        return None, None
    try:
        return cutoff(value)
    except ValueError:
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        raise doc.error(
            f"invalid timestamp or span {shown} in `{where}`",
            at=doc.locate_string(value) if isinstance(value, str) else None,
            hint='use a timestamp such as "2024-06-01T00:00:00Z", a date such as '
            '"2024-06-01", or a cool-down such as "7 days" or "P7D"',
        ) from None


def _parse_exclude_newer_package(
    doc: TomlDocument, value: object
) -> tuple[Mapping[NormalizedName, datetime | None], Mapping[str, str]]:
    """`exclude-newer-package = { torch = "2025-01-01", mylib = false }`: per-package
    cut-offs (false: none for that package); and their inputs for the lock."""
    where = "tool.tether.exclude-newer-package"
    table = expect_table(doc, value, where)
    moments: dict[NormalizedName, datetime | None] = {}
    inputs: dict[str, str] = {}
    for raw, item in table.items():
        name = parse_name(doc, raw, f"{where}.{raw}")
        if item is False:
            moments[name], inputs[name] = None, "false"
            continue
        moment, span = _parse_exclude_newer(doc, item, f"{where}.{raw}")
        moments[name] = moment
        inputs[name] = span or (moment.isoformat() if moment else "")
    return MappingProxyType(moments), MappingProxyType(inputs)


def _parse_find_links(doc: TomlDocument, value: object) -> tuple[Index, ...]:
    """`find-links = ["./wheels", "https://data.pyg.org/whl/torch-2.5.0+cpu.html"]`:
    flat indexes, looked at before the others (first-index-wins: a wheelhouse you point
    at is where its packages come from)."""
    found: list[Index] = []
    for position, raw in enumerate(expect_str_list(doc, value, "tool.tether.find-links")):
        url = location_url(raw, doc.path.parent)
        problem = index_url_problem(url)
        if problem is not None:
            raise doc.error(
                f'find-links entry "{redact_url(raw)}" is unusable: {problem}',
                at=doc.locate_string(raw),
                hint="give a directory (relative to pyproject.toml) or an http(s) URL",
            )
        found.append(Index(name=f"find-links-{position}", url=url.rstrip("/"), flat=True))
    return tuple(found)


def _parse_indexes(doc: TomlDocument, value: object) -> tuple[Index, ...]:
    indexes: list[Index] = []
    for position, raw in enumerate(expect_list(doc, value, "tool.tether.index")):
        where = f"tool.tether.index[{position}]"
        entry = expect_table(doc, raw, where)
        check_keys(doc, entry, _INDEX_KEYS, where)
        for required in ("name", "url"):
            if required not in entry:
                raise doc.error(
                    f"`{where}` has no `{required}`",
                    at=doc.locate("[[tool.tether.index]]"),
                    hint='each index needs a name and a url, e.g. name = "pytorch-cpu", '
                    'url = "https://download.pytorch.org/whl/cpu"',
                )
        name = expect_str(doc, entry["name"], f"{where}.name")
        url = expect_str(doc, entry["url"], f"{where}.url")
        form = expect_str(doc, entry.get("format", "simple"), f"{where}.format")
        if form not in ("simple", "flat"):
            raise doc.error(
                f'index "{name}" has an unknown format "{form}"',
                at=doc.locate_string(form),
                hint='use "simple" (a PEP 503 index, the default) or "flat" (one page or '
                "directory listing every file, pip's --find-links)",
            )
        if form == "flat":
            url = location_url(url, doc.path.parent)
        if not _INDEX_NAME.match(name):
            raise doc.error(
                f'invalid index name "{name}" in `{where}.name`',
                at=doc.locate_string(name),
                hint="index names use letters, digits, '-', '_' and '.'",
            )
        if any(index.name == name for index in indexes):
            raise doc.error(
                f'index "{name}" is defined twice in [[tool.tether.index]]',
                at=doc.locate_string(name),
                hint="give each index a unique name",
            )
        problem = index_url_problem(url)
        if problem is not None:
            raise doc.error(
                f'index "{name}" has an unusable URL "{redact_url(url)}": {problem}',
                hint="index URLs start with https://, http:// or file://",
            )
        username = entry.get("username")
        publish_url = entry.get("publish-url")
        if publish_url is not None and urlsplit(
            expect_str(doc, publish_url, f"{where}.publish-url")
        ).scheme not in ("http", "https"):
            raise doc.error(
                f'index "{name}" has an unsupported publish-url "{redact_url(publish_url)}"',
                at=doc.locate_string(publish_url),
                hint="upload URLs start with https:// (or http:// for a local index)",
            )
        indexes.append(
            Index(
                name=name,
                url=url.rstrip("/"),
                default=expect_bool(doc, entry.get("default", False), f"{where}.default"),
                explicit=expect_bool(doc, entry.get("explicit", False), f"{where}.explicit"),
                username=None
                if username is None
                else expect_str(doc, username, f"{where}.username"),
                credential_command=_parse_command(
                    doc, entry.get("credential-command", []), f"{where}.credential-command"
                ),
                publish_url=publish_url,
                flat=form == "flat",
            )
        )
    if sum(index.default for index in indexes) > 1:
        raise doc.error(
            "more than one index in [[tool.tether.index]] has `default = true`",
            at=doc.locate_key("default"),
            hint="mark one index as the default; it replaces PyPI as the index of last resort",
        )
    return tuple(indexes)


def _parse_command(doc: TomlDocument, value: object, where: str) -> tuple[str, ...]:
    """A command as an argv list, or a string split like a shell would (no shell runs)."""
    if isinstance(value, str):
        return tuple(shlex.split(value))
    return expect_str_list(doc, value, where)


def _parse_sources(
    doc: TomlDocument,
    value: object,
    indexes: tuple[Index, ...],
    extras: frozenset[NormalizedName],
    groups: frozenset[NormalizedName],
) -> Mapping[NormalizedName, tuple[Source, ...]]:
    table = expect_table(doc, value, "tool.tether.sources")
    sources: dict[NormalizedName, tuple[Source, ...]] = {}
    for key, raw in table.items():
        where = f"tool.tether.sources.{key}"
        name = parse_name(doc, key, where)
        entries = raw if isinstance(raw, list) else [raw]
        parsed = tuple(
            _parse_source(doc, entry, f"{where}[{i}]" if isinstance(raw, list) else where)
            for i, entry in enumerate(entries)
        )
        for source, entry in zip(parsed, entries, strict=True):
            _check_source_refs(
                doc, source, entry, where, indexes=indexes, extras=extras, groups=groups
            )
        sources[name] = parsed
    return MappingProxyType(sources)


def _parse_source(doc: TomlDocument, raw: object, where: str) -> Source:
    entry = expect_table(doc, raw, where)
    check_keys(doc, entry, _SOURCE_KEYS, where)
    kinds = [kind for kind in _SOURCE_KINDS if kind in entry]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        raise doc.error(
            f"`{where}` must name exactly one of index, path, url, git or workspace "
            f"(found {found})",
            at=doc.locate(where.rsplit(".", 1)[-1].split("[", 1)[0]),
            hint='e.g. torch = { index = "pytorch-cpu" } or mylib = { path = "../mylib", '
            'editable = true } or lib = { git = "https://github.com/org/lib", tag = "v1.2" }',
        )
    editable = expect_bool(doc, entry.get("editable", False), f"{where}.editable")
    if editable and not ("path" in entry or "workspace" in entry):
        raise doc.error(
            f"`{where}` sets editable = true, which only a path or workspace source can be",
            at=doc.locate_key("editable"),
        )
    rev, subdirectory = _git_fields(doc, entry, where)
    workspace = False
    if "workspace" in entry:
        workspace = expect_bool(doc, entry["workspace"], f"{where}.workspace")
        if not workspace:
            raise doc.error(
                f"`{where}` sets workspace = false; a workspace source is `workspace = true`",
                at=doc.locate_key("workspace"),
            )
    marker = None
    if "marker" in entry:
        marker = parse_marker(doc, entry["marker"], f"{where}.marker", hint=_MARKER_HINT)
    return Source(
        index=expect_str(doc, entry["index"], f"{where}.index") if "index" in entry else None,
        path=expect_str(doc, entry["path"], f"{where}.path") if "path" in entry else None,
        url=expect_str(doc, entry["url"], f"{where}.url") if "url" in entry else None,
        git=_git_url(doc, entry, where) if "git" in entry else None,
        rev=rev,
        subdirectory=subdirectory,
        workspace=workspace,
        editable=editable or workspace,  # workspace members are installed editable
        marker=marker,
        extra=parse_name(doc, entry["extra"], f"{where}.extra") if "extra" in entry else None,
        group=parse_name(doc, entry["group"], f"{where}.group") if "group" in entry else None,
    )


def _git_url(doc: TomlDocument, entry: Mapping[str, object], where: str) -> str:
    url = expect_str(doc, entry["git"], f"{where}.git")
    scheme = urlsplit(url).scheme
    if scheme not in ("https", "http", "ssh", "file") or url.startswith("git+"):
        raise doc.error(
            f"`{where}.git` must be an https://, ssh://, http:// or file:// repository URL "
            f"(found '{redact_url(url)}')",
            at=doc.locate_key("git"),
            hint='e.g. git = "https://github.com/org/lib"; for scp-style `git@host:org/lib` '
            'write "ssh://git@host/org/lib"',
        )
    return url


def _git_fields(
    doc: TomlDocument, entry: Mapping[str, object], where: str
) -> tuple[str | None, str | None]:
    """The revision (rev, tag or branch: at most one) and subdirectory of a git source."""
    named = [key for key in (*_GIT_REVISIONS, "subdirectory") if key in entry]
    if named and "git" not in entry:
        raise doc.error(
            f"`{where}` sets {named[0]}, which only a git source has",
            at=doc.locate_key(named[0]),
        )
    revisions = [key for key in _GIT_REVISIONS if key in entry]
    if len(revisions) > 1:
        raise doc.error(
            f"`{where}` sets {' and '.join(revisions)}; a git source names one revision",
            at=doc.locate_key(revisions[1]),
            hint="keep one of rev, tag or branch",
        )
    rev = expect_str(doc, entry[revisions[0]], f"{where}.{revisions[0]}") if revisions else None
    subdirectory = None
    if "subdirectory" in entry:
        text = expect_str(doc, entry["subdirectory"], f"{where}.subdirectory")
        if text.startswith("/") or ".." in text.split("/") or "\\" in text:
            raise doc.error(
                f"`{where}.subdirectory` must be a relative path inside the repository",
                at=doc.locate_key("subdirectory"),
            )
        subdirectory = text.strip("/") or None
    return rev, subdirectory


def _check_source_refs(
    doc: TomlDocument,
    source: Source,
    entry: object,
    where: str,
    *,
    indexes: tuple[Index, ...],
    extras: frozenset[NormalizedName],
    groups: frozenset[NormalizedName],
) -> None:
    assert isinstance(entry, dict)  # noqa: S101 - _parse_source checked it
    if source.index is not None and all(index.name != source.index for index in indexes):
        names = sorted(index.name for index in indexes)
        defined = ", ".join(f'"{n}"' for n in names) if names else "none"
        raise doc.error(
            f'`{where}` uses index "{source.index}", which is not defined in [[tool.tether.index]]',
            at=doc.locate_string(source.index),
            hint=f'add [[tool.tether.index]] with name = "{source.index}" and its url '
            f"(indexes defined: {defined})",
        )
    if source.extra is not None and source.extra not in extras:
        raise doc.error(
            f'`{where}` applies to extra "{entry["extra"]}", which the project does not define',
            at=doc.locate_string(entry["extra"]),
            hint=_defined("extras", extras, "[project.optional-dependencies]"),
        )
    if source.group is not None and source.group not in groups:
        raise doc.error(
            f'`{where}` applies to group "{entry["group"]}", which the project does not define',
            at=doc.locate_string(entry["group"]),
            hint=_defined("groups", groups, "[dependency-groups]"),
        )


def _dynamic_extras(doc: TomlDocument) -> bool:
    """Whether the build backend computes the project's extras (then they are checked
    once it has)."""
    project = doc.data.get("project")
    dynamic = project.get("dynamic", []) if isinstance(project, dict) else []
    return isinstance(dynamic, list) and "optional-dependencies" in dynamic


def _own_name(doc: TomlDocument) -> NormalizedName | None:
    project = doc.data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return canonicalize_name(name) if isinstance(name, str) else None


def _parse_conflicts(
    doc: TomlDocument,
    value: object,
    extras: frozenset[NormalizedName],
    groups: frozenset[NormalizedName],
) -> tuple[tuple[ConflictItem, ...], ...]:
    result = []
    example = 'e.g. conflicts = [[{ extra = "cpu" }, { extra = "cu126" }]]'
    for position, raw_set in enumerate(expect_list(doc, value, "tool.tether.conflicts")):
        where = f"tool.tether.conflicts[{position}]"
        items = expect_list(doc, raw_set, where)
        if len(items) < 2:
            raise doc.error(
                f"`{where}` lists {len(items)} item(s); a conflict needs at least two",
                at=doc.locate_key("conflicts"),
                hint=example,
            )
        parsed = []
        for index, raw in enumerate(items):
            item_where = f"{where}[{index}]"
            entry = dict(expect_table(doc, raw, item_where))
            check_keys(doc, entry, {"extra", "group", "package"}, item_where)
            # uv's `package` names the workspace member whose extra or group it is. A
            # workspace's lock merges its members' extras and groups by name, so the
            # item stands for that name; it is checked against the member's own table
            # when the member is this project, and left to the workspace otherwise.
            package = entry.pop("package", None)
            elsewhere = package is not None and parse_name(
                doc, package, f"{item_where}.package"
            ) != _own_name(doc)
            if len(entry) != 1:
                raise doc.error(
                    f"`{item_where}` must name exactly one extra or one group",
                    at=doc.locate_key("conflicts"),
                    hint=example,
                )
            kind, raw_name = next(iter(entry.items()))
            name = parse_name(doc, raw_name, f"{item_where}.{kind}")
            known, table = (
                (extras, "[project.optional-dependencies]")
                if kind == "extra"
                else (groups, "[dependency-groups]")
            )
            if (
                name not in known
                and not elsewhere
                and not (kind == "extra" and _dynamic_extras(doc))
            ):
                raise doc.error(
                    f'`{item_where}` names {kind} "{raw_name}", which the project does not define',
                    at=doc.locate_string(raw_name),
                    hint=_defined(f"{kind}s", known, table),
                )
            parsed.append(ConflictItem(extra=name) if kind == "extra" else ConflictItem(group=name))
        result.append(tuple(parsed))
    return tuple(result)


def _defined(what: str, names: frozenset[NormalizedName], table: str) -> str:
    if not names:
        return f"the project defines no {what}; add them under {table}"
    return f"{what} defined in {table}: " + ", ".join(sorted(names))
