"""What a project asks the resolver for under one conflict selection: its requirements
(the extras and groups the selection turns off left out, a requirement on the project's
own name read as the project itself), packages with a path, URL or git source as direct
references wherever they appear in the graph, and index pins."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from tether.errors import LockError
from tether.project import ConflictItem, Project, Source
from tether.provider.index_provider import RootRequirement, RootRequirements
from tether.resolve.condition import ALWAYS, NEVER, Condition
from tether.resolve.forks import Selection, Toggle
from tether.resolve.markers import substitute
from tether.vcs.reference import GitReference


def care_condition(project: Project, conflicts: Condition) -> Condition:
    """The environments and choices the lock serves: requires-python, the declared
    `environments`, the allowed combinations of conflicting extras and groups."""
    care = Condition.requires_python(str(project.requires_python)) & conflicts
    if project.settings.environments:
        allowed = NEVER
        for marker in project.settings.environments:
            allowed |= Condition.of(marker)
        care &= allowed
    return care


def toggle(item: ConflictItem) -> Toggle:
    if item.extra is not None:
        return ("extras", str(item.extra))
    return ("dependency_groups", str(item.group))


def own_condition(requirement: Requirement) -> Condition:
    own = substitute(requirement.marker, extra=None)
    if own is False:
        return NEVER
    return ALWAYS if own is True else Condition.of(own)


def refuse_unsupported(project: Project) -> None:
    settings = project.settings
    required = {canonicalize_name(r.requirement.name) for r in root_requirements(
        project, Selection(ALWAYS, frozenset(), frozenset())).requirements}  # fmt: skip
    for name, sources in settings.sources.items():
        for source in sources:
            if source.workspace and source.path is None and name in required:
                where = "is not in a workspace" if project.workspace is None else (
                    "is in a workspace without a member of that name"
                )  # fmt: skip
                raise LockError(
                    f"'{name}' has a workspace source (`workspace = true`), but "
                    f"{project.pyproject_path} {where}",
                    hint="declare the workspace in the root's pyproject.toml "
                    '([tool.tether.workspace] members = ["packages/*"]), or use a path source',
                )


def source_markers(project: Project) -> list[Condition]:
    """The markers of sources (`torch` from a CUDA index on Linux and a CPU index
    elsewhere, `flash-attn` from a wheel URL on Linux only): the lock forks on each, so
    that in every fork each source applies wholly or not at all."""
    found: list[Condition] = []
    for sources in project.settings.sources.values():
        for source in sources:
            if source.marker is None:
                continue
            condition = Condition.of(source.marker)
            if condition not in found and ~condition not in found:
                found.append(condition)
    return found


def _applies(name: str, source: Source, region: Condition | None) -> bool:
    """Whether `source` (of package `name`) applies in the fork `region`. A source
    with a marker applies where the whole region lies in the marker (the lock forks on
    source markers, so a region meets one wholly or not at all); with no region known
    (no fork yet: a question about names, not places), never."""
    if source.marker is None:
        return True
    if region is None:
        return False
    condition = Condition.of(source.marker)
    if (region & condition).is_never:
        return False
    if not (region & ~condition).is_never:
        raise LockError(
            f"the source of '{name}' applies where {source.marker}, "
            "but the lock could not fork there (too many markers to fork on)",
            hint="give fewer sources a marker, or use extras with `conflicts` for the variants",
        )
    return True


def index_pins(
    project: Project, selection: Selection, region: Condition = ALWAYS
) -> dict[NormalizedName, str]:
    """Per package, the index of the first source that applies under `selection` in
    the fork `region` (an extra's or a group's source applies unless the selection
    turns that extra or group off); none where that source is a path, URL or git one."""
    pins: dict[NormalizedName, str] = {}
    for name, sources in project.settings.sources.items():
        source = _first_source(name, sources, selection, region)
        if source is not None and source.index is not None:
            pins[name] = source.index
    return pins


def _first_source(
    name: NormalizedName,
    sources: Iterable[Source],
    selection: Selection,
    region: Condition | None,
) -> Source | None:
    for source in sources:
        item = _source_item(source.extra, source.group)
        if item is not None and item in selection.off:
            continue
        if _applies(name, source, region):
            return source
    return None


def root_requirements(
    project: Project,
    selection: Selection,
    *,
    region: Condition | None = None,
    listed_order: bool = False,
) -> RootRequirements:
    """The project's requirements, the extras and groups `selection` turns off left out,
    and packages with a path or URL source turned into direct references.

    In uv's order, which decides which of two conflicting requirements gives way (the
    solver decides packages in the order they are first named): the dependencies, then
    each extra and each group by name, each of them sorted by package name as `uv lock`
    reads a project; with `listed_order`, each in the order given (`uv pip compile`
    reads requirements files so). `region`: the fork, which decides the sources with a
    marker (None: those are left out)."""

    def _by_name(requirements: Iterable[Requirement]) -> list[Requirement]:
        if listed_order:
            return list(requirements)
        return sorted(requirements, key=lambda r: canonicalize_name(r.name))

    entries: list[tuple[Requirement, Marker | None, tuple[str, str] | None]] = [
        (r, None, None) for r in _by_name(project.dependencies)
    ]
    for extra, requirements in sorted(project.optional_dependencies.items()):
        if ("extras", str(extra)) not in selection.off:
            marker = Marker(f"'{extra}' in extras")
            entries += [(r, marker, ("extra", str(extra))) for r in _by_name(requirements)]
    for group, requirements in sorted(project.dependency_groups.items()):
        if ("dependency_groups", str(group)) not in selection.off:
            marker = Marker(f"'{group}' in dependency_groups")
            entries += [(r, marker, ("group", str(group))) for r in _by_name(requirements)]
    located = [
        RootRequirement(with_source(project, inner, selection, region), inner_marker, section)
        for requirement, marker, section in entries
        for inner, inner_marker in _itself(project, requirement, marker, selection, frozenset())
    ]
    return RootRequirements(name=project.name, requirements=tuple(located))


def _itself(
    project: Project,
    requirement: Requirement,
    marker: Marker | None,
    selection: Selection,
    seen: frozenset[str],
) -> list[tuple[Requirement, Marker | None]]:
    """A requirement on the project's own name means the project itself, as pip, uv
    and Poetry read it (`complete = ["mylib[io,plot]"]`, `dev = ["mylib[test]"]`):
    never the index's package of that name. It stands for the named extras'
    requirements, under its own marker too; the project's own dependencies are the
    root's already."""
    if canonicalize_name(requirement.name) != project.name or requirement.url:
        return [(requirement, marker)]
    own = None if requirement.marker is None else requirement.marker
    found: list[tuple[Requirement, Marker | None]] = []
    for extra in sorted(canonicalize_name(e) for e in requirement.extras):
        if extra in seen or ("extras", str(extra)) in selection.off:
            continue
        for inner in project.optional_dependencies.get(extra, ()):
            found += _itself(
                project, _also_when(inner, own), marker, selection, seen | {str(extra)}
            )
    return found


def _also_when(requirement: Requirement, marker: Marker | None) -> Requirement:
    """`requirement` needed only where `marker` holds too."""
    if marker is None:
        return requirement
    combined = Requirement(str(requirement))
    combined.marker = (
        marker if requirement.marker is None else Marker(f"({requirement.marker}) and ({marker})")
    )
    return combined


def with_source(
    project: Project,
    requirement: Requirement,
    selection: Selection,
    region: Condition | None = None,
) -> Requirement:
    """`requirement` as `name @ url` where `[tool.tether.sources]` gives it a path, URL
    or git source in the fork `region`."""
    name = canonicalize_name(requirement.name)
    sources = project.settings.sources.get(name, ())
    source = _first_source(name, sources, selection, region)
    if source is None or source.index is not None or (source.workspace and source.path is None):
        return requirement  # (a workspace source outside a workspace: refused above)
    location = source.url or (project.root / (source.path or "")).resolve().as_uri()
    if source.git is not None:
        location = GitReference(source.git, source.rev, source.subdirectory).requirement_url()
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f" ; {requirement.marker}" if requirement.marker is not None else ""
    return Requirement(f"{requirement.name}{extras} @ {location}{marker}")


def _source_item(extra: NormalizedName | None, group: NormalizedName | None) -> Toggle | None:
    if extra is not None:
        return ("extras", str(extra))
    if group is not None:
        return ("dependency_groups", str(group))
    return None


def placed_sources(
    project: Project, selection: Selection, region: Condition | None = None
) -> dict[NormalizedName, Requirement]:
    """`name @ location` for each package a path or URL source places, wherever in the
    graph it appears (a source declared at the root is not only for direct
    dependencies: a transitive `lib-b` must not come from an index where a stranger's
    package of that name may exist)."""
    found: dict[NormalizedName, Requirement] = {}
    for name in project.settings.sources:
        placed = with_source(project, Requirement(str(name)), selection, region)
        if placed.url:
            found[name] = placed
    return found
