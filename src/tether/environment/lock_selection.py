"""What a lock selects for one environment: `Pylock.select` for the interpreter's
markers and tags, the groups and extras asked for (only those the lock declares), cut
to a workspace member's closure or a group's (`--only-group`), and split into archives
to install, directories (path and git dependencies) to build, and the project itself."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from tether.errors import InstallError
from tether.install.plan import Directory, GitPin, Wanted
from tether.project import Project, Selection
from tether.python.interpreter import Interpreter


def select(
    project: Project,
    lock_path: Path,
    interpreter: Interpreter,
    extras: list[str],
    groups: list[str],
    *,
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> tuple[list[Wanted], list[Directory], bool]:
    """What the lock selects for this interpreter, extras and groups (`only`: just what
    the groups' requirements need; `members`: just what those workspace members and
    their groups need)."""
    from packaging.pylock import PylockSelectError  # noqa: PLC0415

    from tether.lock import read_lock  # noqa: PLC0415 - parsing a lock is the slow part

    pylock = read_lock(lock_path)
    try:
        selected = list(
            pylock.select(
                environment=dict(interpreter.markers),  # type: ignore[arg-type]
                tags=interpreter.tags(),
                extras=extras,
                dependency_groups=groups,
            )
        )
    except PylockSelectError as err:
        raise InstallError(
            f"the lock has nothing installable for this environment: {err}",
            hint=f"Python {interpreter.version} on {interpreter.markers['sys_platform']}; "
            "re-lock, or pick another interpreter with --python",
        ) from None
    if only:
        roots = _requested(project, [], groups, with_project=False)
        selected = _closure(selected, roots)
        return partition(selected, project, roots)
    if members is not None:
        selected = _closure(selected, _member_roots(project, members, groups))
    return partition(selected, project, _requested(project, extras, groups))


def members_of(project: Project, chosen: Selection) -> tuple[str, ...] | None:
    """The workspace members a sync installs (None: not a workspace)."""
    if project.workspace is None:
        return None
    return tuple(str(n) for n in project.workspace.chosen(all_packages=chosen.all_packages))


def _member_roots(project: Project, members: tuple[str, ...], groups: list[str]) -> set[str]:
    """Where the closure starts: the members, and what their selected groups require."""
    assert project.workspace is not None  # noqa: S101 - only for workspaces
    roots: set[str] = {canonicalize_name(m) for m in members}
    for name in members:
        member = project.workspace.members[canonicalize_name(name)]
        for group in groups:
            for requirement in member.dependency_groups.get(canonicalize_name(group), ()):
                roots.add(canonicalize_name(requirement.name))
    if project.workspace.root_project is None:  # a virtual root's own groups
        for group in groups:
            own = project.dependency_groups.get(canonicalize_name(group), ())
            member_names = {
                canonicalize_name(r.name)
                for m in project.workspace.members.values()
                for r in m.dependency_groups.get(canonicalize_name(group), ())
            }
            roots |= {canonicalize_name(r.name) for r in own} - member_names
    return roots


def declared_in_lock(
    chosen: Selection, groups: list[str], extras: list[str], lock_path: Path, text: str
) -> tuple[list[str], list[str], list[str]]:
    """The groups and extras to select that the lock (`text`) declares, and warnings."""
    warnings: list[str] = []
    declared_groups, declared_extras = _lock_header(text)
    explicit = {*chosen.groups, *chosen.only_groups, *chosen.extras}
    groups = _declared(
        "dependency group", groups, declared_groups, lock_path,
        explicit=explicit, warnings=warnings,
    )  # fmt: skip
    extras = _declared(
        "extra", extras, declared_extras, lock_path, explicit=explicit, warnings=warnings
    )
    return groups, extras, warnings


def _lock_header(text: str) -> tuple[list[str], list[str]]:
    """The groups (declared and default) and extras the lock declares, read from its
    top-level keys only (the packages, the slow part to parse, come after them)."""
    import tomllib  # noqa: PLC0415

    head = text.split("\n[", 1)[0]
    try:
        data = tomllib.loads(head)
    except tomllib.TOMLDecodeError:
        data = tomllib.loads(text)  # an unusual layout: parse it all
    groups = [*data.get("dependency-groups", []), *data.get("default-groups", [])]
    return [str(g) for g in groups], [str(e) for e in data.get("extras", [])]


def _declared(
    kind: str,
    wanted: list[str],
    declared: list[str],
    lock_path: Path,
    *,
    explicit: set[str],
    warnings: list[str],
) -> list[str]:
    """The groups (or extras) to select that the lock declares (PEP 751 selects only
    those). One the project has by default but the lock lacks (a lock another tool
    exported without it) is left out with a warning; one asked for by name is an error
    that says how to get a lock that has it."""
    known = {canonicalize_name(d) for d in declared}
    missing = [w for w in wanted if canonicalize_name(w) not in known]
    asked = [m for m in missing if m in explicit]
    if asked:
        raise InstallError(
            f"{lock_path.name} declares no {kind} {', '.join(repr(a) for a in asked)} "
            f"(it declares: {', '.join(sorted(declared)) or 'none'})",
            hint=f"re-lock with `tether lock` to include it (the lock was made without it, "
            f"e.g. exported by another tool), or drop the {kind} from the command",
        )
    if missing:
        names = ", ".join(repr(m) for m in missing)
        warnings.append(
            f"{lock_path.name} declares no {kind} {names}, which the project installs by "
            f"default: installing without it (run `tether lock` for a lock that has it)"
        )
    return [w for w in wanted if canonicalize_name(w) in known]


def _closure(selected: list[tuple[Any, Any]], roots: Iterable[str]) -> list[tuple[Any, Any]]:
    """The selected packages `roots` reach through the lock's dependency lists."""
    from tether.lock.reach import dependency_names, reached  # noqa: PLC0415

    children: dict[str, list[str]] = {}
    for package, _dist in selected:
        children.setdefault(canonicalize_name(package.name), []).extend(
            dependency_names(package.dependencies)
        )
    found = reached(children, roots)
    return [entry for entry in selected if canonicalize_name(entry[0].name) in found]


def partition(
    selected: list[tuple[Any, Any]], project: Project, requested: set[str]
) -> tuple[list[Wanted], list[Directory], bool]:
    """The lock's selection split into archives to install, directories to build, and
    whether the project itself is among them."""
    from packaging.pylock import (  # noqa: PLC0415
        PackageArchive,
        PackageDirectory,
        PackageSdist,
        PackageVcs,
        PackageWheel,
    )

    wanted: list[Wanted] = []
    directories: list[Directory] = []
    has_project = False
    for package, dist in selected:
        if canonicalize_name(package.name) == project.name and not isinstance(
            dist, PackageWheel | PackageSdist | PackageArchive
        ):
            has_project = True
            continue
        if isinstance(dist, PackageVcs):
            version = None if package.version is None else str(package.version)
            pin = GitPin(
                url=dist.url or str(dist.path),
                commit=dist.commit_id,
                requested=dist.requested_revision,
                subdirectory=dist.subdirectory,
            )
            directories.append(Directory(package.name, version, Path(), editable=False, vcs=pin))
            continue
        if isinstance(dist, PackageDirectory):
            version = None if package.version is None else str(package.version)
            source = (project.root / dist.path).resolve()
            directories.append(Directory(package.name, version, source, bool(dist.editable)))
            continue
        wanted.append(_wanted(package.name, str(package.version), dist, project.root, requested))
    return wanted, directories, has_project


def _requested(
    project: Project, extras: list[str], groups: list[str], *, with_project: bool = True
) -> set[str]:
    names: set[str] = (
        {canonicalize_name(r.name) for r in project.dependencies} if with_project else set()
    )
    for extra in extras:
        names |= {
            canonicalize_name(r.name)
            for r in project.optional_dependencies.get(canonicalize_name(extra), ())
        }
    for group in groups:
        names |= {
            canonicalize_name(r.name)
            for r in project.dependency_groups.get(canonicalize_name(group), ())
        }
    return names


def _wanted(
    name: str,
    version: str,
    dist: object,
    root: Path,
    requested: set[str],
) -> Wanted:
    from packaging.pylock import PackageArchive, PackageSdist, PackageWheel  # noqa: PLC0415

    if isinstance(dist, PackageWheel | PackageSdist):
        url = dist.url
        path = None if dist.path is None else (root / dist.path)
        filename = dist.name or (url or str(path)).rsplit("/", 1)[-1]
        sha256 = dist.hashes.get("sha256", "")
        size = dist.size
    elif isinstance(dist, PackageArchive):
        url = dist.url
        path = None if dist.path is None else (root / dist.path)
        filename = (url or str(path)).rsplit("/", 1)[-1]
        sha256 = dist.hashes.get("sha256", "")
        size = dist.size
    else:
        raise InstallError(
            f"{name} is locked as a {type(dist).__name__}, which tether cannot install yet",
            hint="lock it from an index, a wheel or an sdist",
        )
    if not sha256:
        raise InstallError(f"the lock has no sha256 for {filename}; refusing to install it")
    return Wanted(
        name=name,
        version=version,
        filename=filename,
        url=url,
        path=path,
        sha256=sha256,
        size=size,
        requested=canonicalize_name(name) in requested,
    )
