"""The lock exported for a chosen set of groups and extras: a pinned, hashed
requirements file that `pip install --require-hashes -r` installs (each package keeps
its environment marker, with the PEP 751 `extras` / `dependency_groups` clauses decided,
since pip knows neither), or a PEP 751 lock cut down to that set. The project itself
is left out (an editable line cannot carry a hash)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from packaging.markers import Marker
from packaging.pylock import Package, Pylock
from packaging.utils import canonicalize_name

from tether.errors import LockError
from tether.lock.reach import dependency_names, reached
from tether.project import Project, Selection
from tether.resolve.markers import select


def requirement_lines(
    project: Project,
    pylock: Pylock,
    extras: Sequence[str],
    groups: Sequence[str],
    *,
    hashes: bool,
    only: set[str] | None = None,
) -> list[str]:
    """One requirements-file entry per locked package the selection needs (not the
    project itself; with `only`, those names alone), with its marker and, with
    `hashes`, every artifact's hash."""
    lines: list[str] = []
    for package in sorted(pylock.packages, key=lambda p: (p.name, str(p.version or ""))):
        name = canonicalize_name(package.name)
        # Not the project itself (in a workspace: the members exported for).
        itself = project.workspace.chosen() if project.workspace is not None else (project.name,)
        if name in itself or (only is not None and name not in only):
            continue
        marker = select(package.marker, extras=extras, groups=groups)
        if marker is False:
            continue
        lines.append(_entry(package, None if marker is True else marker, hashes, project.root))
    return lines


def members_reach(project: Project, pylock: Pylock, selection: Selection) -> set[str] | None:
    """In a workspace, the names the chosen members (and their groups) reach through
    the lock's dependency lists; None when every member is chosen (or no workspace)."""
    workspace = project.workspace
    if workspace is None:
        return None
    chosen = workspace.chosen(all_packages=selection.all_packages)
    if set(chosen) == set(workspace.members):
        return None
    todo: list[str] = list(chosen)
    for name in chosen:
        member = workspace.members[name]
        for group in member.selected_groups(selection):
            todo += [r.name for r in member.dependency_groups.get(canonicalize_name(group), ())]
    children: dict[str, list[str]] = {
        str(canonicalize_name(p.name)): dependency_names(p.dependencies) for p in pylock.packages
    }
    return reached(children, todo)


def pylock_selection(text: str, extras: Sequence[str], groups: Sequence[str]) -> str:
    """The lock cut down to a selection: packages it does not need dropped, the
    extras/groups clauses decided, so any PEP 751 installer gets exactly that set."""
    import tomlkit  # noqa: PLC0415 - only for this format

    document = tomlkit.parse(text)
    kept = tomlkit.aot()
    for table in document.get("packages", []):
        locked = Marker(table["marker"]) if "marker" in table else None
        marker = select(locked, extras=extras, groups=groups)
        if marker is False:
            continue
        if marker is True:
            table.pop("marker", None)
        else:
            table["marker"] = str(marker)
        kept.append(table)
    document["packages"] = kept
    for key in ("extras", "dependency-groups", "default-groups"):
        if key in document:
            document[key] = tomlkit.array()
    tool = document.get("tool", {}).get("tether")
    if tool is not None:
        tool.pop("inputs", None)  # not tether's lock of this project any more
    return tomlkit.dumps(document)


def check_known(project: Project, extras: Sequence[str], groups: Sequence[str]) -> None:
    for extra in extras:
        if canonicalize_name(extra) not in project.optional_dependencies:
            known = ", ".join(sorted(project.optional_dependencies)) or "none"
            raise LockError(f"the project has no extra {extra!r}", hint=f"its extras: {known}")
    for group in groups:
        if canonicalize_name(group) not in project.dependency_groups:
            known = ", ".join(sorted(project.dependency_groups)) or "none"
            raise LockError(
                f"the project has no dependency group {group!r}", hint=f"its groups: {known}"
            )


def _entry(package: Package, marker: Marker | bool | None, hashes: bool, root: Path) -> str:
    if package.vcs is not None:
        url = package.vcs.url or str(package.vcs.path)
        requirement = f"{package.name} @ {package.vcs.type}+{url}@{package.vcs.commit_id}"
        if package.vcs.subdirectory:
            requirement += f"#subdirectory={package.vcs.subdirectory}"
    elif package.archive is not None:
        requirement = f"{package.name} @ {package.archive.url or package.archive.path}"
    elif package.directory is not None and package.directory.editable:
        requirement = f"-e ./{Path(package.directory.path).as_posix()}"  # uv's form
    elif package.directory is not None:
        requirement = f"{package.name} @ {(root / package.directory.path).resolve().as_uri()}"
    else:
        requirement = f"{package.name}=={package.version}"
    if isinstance(marker, Marker):
        requirement += f" ; {marker}"
    if not hashes:
        return requirement
    digests = sorted(
        {
            f"{algorithm}:{digest}"
            for dist in [*(package.wheels or ()), package.sdist, package.archive]
            if dist is not None
            for algorithm, digest in dist.hashes.items()
        }
    )
    return " \\\n    ".join([requirement, *(f"--hash={d}" for d in digests)])
