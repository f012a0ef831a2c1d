"""Lock entries from the forks' answers: each (package, version) any fork chose, with
the files its index listed (or its direct reference, directory or git commit) and the
marker under which it is needed (the union of the forks' conditions for it), plus what
the user should hear about the choice (skipped builds, yanked pins)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.fs import relative_posix
from tether.index.flat import is_local
from tether.lock import LockedPackage
from tether.lock.pylock import LockedVcs
from tether.project import Project
from tether.provider.index_provider import IndexProvider
from tether.resolve import Package
from tether.resolve.condition import NEVER, Condition
from tether.resolve.provider import Edge
from tether.resolve.reachability import package_conditions
from tether.resolve.universal import Solved


def skipped_builds(solved: Sequence[Solved], packages: Sequence[LockedPackage]) -> tuple[str, ...]:
    """A release whose sdist failed to build was skipped for an older one (or another
    package): say so, never leave the user to wonder why the lock is behind."""
    chosen = {(p.name, p.version) for p in packages}
    found: dict[tuple[str, Version], str] = {}
    for answer in solved:
        provider = answer.provider
        assert isinstance(provider, IndexProvider)  # noqa: S101 - open_provider made it
        for name, version, reason in provider.build_failures:
            if (name, str(version)) not in chosen:
                found.setdefault((name, version), reason)
    return tuple(
        f"{name} {version} was skipped: it {reason}"
        for (name, version), reason in sorted(found.items())
    )


def yanked(packages: Sequence[LockedPackage]) -> tuple[str, ...]:
    """A yanked release is locked only when pinned with `==` (PEP 592): say so, as pip
    and uv do, so that the pin is not forgotten."""
    found = []
    for package in packages:
        files = [*package.wheels, *([package.sdist] if package.sdist else [])]
        if files and all(f.yanked for f in files):
            reasons = sorted({f.yanked_reason for f in files if f.yanked_reason})
            why = f" ({'; '.join(reasons)})" if reasons else ""
            found.append(
                f"{package.name} {package.version} is yanked{why}; it is locked because it is "
                "pinned with ==: move to another release when you can"
            )
    return tuple(found)


def condition_texts(conditions: Sequence[Condition], care: Condition) -> list[str]:
    found = []
    for condition in conditions:
        text = condition.text(care) if not (condition & care).is_never else None
        if text is not None and text not in found:
            found.append(text)
    return found


def lock_entries(
    project: Project,
    solved: Sequence[Solved],
    root: Package,
    root_version: Version,
    care: Condition,
) -> tuple[tuple[LockedPackage, ...], set[str]]:
    """Each (package, version) any fork chose, needed where the union of the forks'
    conditions for it says."""
    found: dict[tuple[str, str | None, str | None], tuple[LockedPackage, Condition]] = {}
    root_dependencies: set[str] = set()
    for answer in solved:
        provider = answer.provider
        assert isinstance(provider, IndexProvider)  # noqa: S101 - open_provider made it
        conditions = package_conditions(
            root=root, root_version=root_version, versions=answer.versions, edges=answer.edges
        )
        children = _children(answer.edges)
        for package, version in answer.versions.items():
            if package.extra is not None:
                continue
            condition = answer.fork.condition & conditions.get(package.name, NEVER)
            entry = _locked(
                package,
                version,
                provider,
                project.root,
                dependencies=children.get((package.name, version), set()),
                editable=any(
                    source.editable
                    for source in project.settings.sources.get(canonicalize_name(package.name), ())
                ),
            )
            # The same version from two places (sources with markers: two indexes, or a
            # wheel URL per Python) is two entries.
            key = (entry.name, entry.version, origin(entry))
            known = found.get(key)
            found[key] = (entry, condition if known is None else known[1] | condition)
        root_dependencies |= {e.child.name for e in answer.edges.get((root, root_version), ())}
    packages = tuple(
        replace(entry, marker=condition.marker(care))
        for entry, condition in found.values()
        if not (condition & care).is_never
    )
    return packages, root_dependencies


def origin(entry: LockedPackage) -> str:
    """Where a locked release comes from: its index, archive, directory or commit."""
    if entry.vcs is not None:
        return f"{entry.vcs.url}@{entry.vcs.commit_id}"
    if entry.archive is not None:
        return entry.archive_path or entry.archive.url
    return entry.directory or entry.index or ""


def _children(
    edges: Mapping[tuple[Package, Version], Sequence[Edge]],
) -> dict[tuple[str, Version], set[str]]:
    """The names each (package, version) depends on, its extras' dependencies included:
    built once per fork (scanning every edge per package was quadratic)."""
    children: dict[tuple[str, Version], set[str]] = {}
    for (parent, parent_version), parent_edges in edges.items():
        if parent.is_root:
            continue
        names = children.setdefault((parent.name, parent_version), set())
        names.update(e.child.name for e in parent_edges if e.child.name != parent.name)
    return children


def _locked(
    package: Package,
    version: Version,
    provider: IndexProvider,
    root_dir: Path,
    *,
    dependencies: set[str],
    editable: bool = False,
) -> LockedPackage:
    listing = provider.listing(package.name)
    release = provider.release(package.name, version)
    if listing.direct is not None and listing.direct.vcs is not None:
        checkout = listing.direct.vcs
        return LockedPackage(
            name=package.name,
            version=str(version),
            dependencies=tuple(sorted(dependencies)),
            vcs=LockedVcs(
                url=checkout.reference.shown,
                commit_id=checkout.commit,
                requested_revision=checkout.reference.rev,
                subdirectory=checkout.reference.subdirectory,
            ),
        )
    if listing.direct is not None and listing.direct.directory:
        assert listing.direct.path is not None  # noqa: S101 - a directory is a local path
        return LockedPackage(
            name=package.name,
            version=None if listing.direct.dynamic_version else str(version),
            dependencies=tuple(sorted(dependencies)),
            directory=relative_posix(listing.direct.path, root_dir),
            editable=editable,
        )
    if listing.direct is not None:
        path = listing.direct.path
        return LockedPackage(
            name=package.name,
            version=str(version),
            dependencies=tuple(sorted(dependencies)),
            archive=listing.direct.file,
            archive_path=None if path is None else relative_posix(path, root_dir),
        )
    # Files listed without a sha256 are hashed before the lock is written (with_hashes).
    wheels = tuple(f for f in release.files if f.is_wheel)
    sdists = sorted((f for f in release.files if not f.is_wheel), key=lambda f: not f.sha256)
    pythons = sorted(
        {_without_ceiling(f.requires_python) for f in release.files if f.requires_python}
    )
    return LockedPackage(
        name=package.name,
        version=str(version),
        requires_python=pythons[0] if len(pythons) == 1 and pythons[0] else None,
        # A local flat index's directory is this machine's: its files carry paths.
        index=None if listing.index is None or is_local(listing.index.url) else listing.index.url,
        dependencies=tuple(sorted(dependencies)),
        wheels=wheels,
        sdist=sdists[0] if sdists else None,
    )


def _without_ceiling(requires_python: str) -> str:
    """A release's Requires-Python as the lock states it: without upper bounds, which
    resolution ignores (as uv does), so an installer never refuses a Python the lock
    says it serves (lightning-thunder's `<3.14` on 3.14)."""
    try:
        kept = [str(s) for s in SpecifierSet(requires_python) if s.operator not in ("<", "<=")]
    except InvalidSpecifier:
        return ""
    return ",".join(sorted(kept))
