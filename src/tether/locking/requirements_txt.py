"""pip-compile's side of a resolution: the requirements files read as a project to lock
(editable `-e ./dir` lines as path sources), the pins an existing output file keeps,
and the output: one line per package (markers decided for one target, or kept with the
input's own markers for every platform), hashes, and `# via` annotations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.fs import relative_posix
from tether.index.auth import strip_userinfo
from tether.lock import LockedPackage
from tether.project import Project
from tether.project.requirements_txt import Entry, RequirementsFile
from tether.project.settings import Settings, Source

ROOT_NAME = canonicalize_name("tether-pip-compile-root")


def compiled_project(
    read: RequirementsFile,
    cwd: Path,
    python_version: str,
    environment: Mapping[str, str] | None,
) -> Project:
    if environment is None:
        requires_python = f">={python_version}"
        environments: tuple[Marker, ...] = ()
    else:
        requires_python = f"=={python_version}.*"
        environments = (
            Marker(
                f"sys_platform == {environment['sys_platform']!r} and "
                f"platform_machine == {environment['platform_machine']!r}"
            ),
        )
    # `-e ./dir` lines: a path source marked editable, as a project would declare it.
    sources = {
        canonicalize_name(e.requirement.name): (
            Source(path=_local_path(e.requirement.url or ""), editable=True),
        )
        for e in read.requirements
        if e.editable
    }
    return Project(
        root=cwd,
        name=ROOT_NAME,
        display_name=str(ROOT_NAME),
        version=Version("0"),
        requires_python=SpecifierSet(requires_python),
        dependencies=tuple(e.requirement for e in read.requirements),
        settings=Settings(
            environments=environments,
            constraints=tuple(e.requirement for e in read.constraints),
            sources=MappingProxyType(sources),
        ),
    )


def _local_path(url: str) -> str:
    return url2pathname(unquote(urlsplit(url).path))


def applies(package: LockedPackage, environment: Mapping[str, str] | None) -> bool:
    if environment is None or package.marker is None:
        return True
    try:
        return package.marker.evaluate(dict(environment))
    except Exception:  # noqa: BLE001 - a marker we cannot decide is kept
        return True


def decided(package: LockedPackage, environment: Mapping[str, str] | None) -> LockedPackage:
    """For one target the markers are decided: the output carries none."""
    if environment is None:
        return package
    return replace(package, marker=None)


def with_input_markers(
    packages: list[LockedPackage], read: RequirementsFile, python_version: str, *, universal: bool
) -> list[LockedPackage]:
    """A package the input files list only with markers keeps those markers, as
    pip-compile writes them (`uvloop==0.22.1 ; sys_platform != "win32"`). Universal
    output keeps them too where tether's own marker says less: the lock only knows the
    platforms it samples (Linux, macOS, Windows), and `sys_platform != "emscripten"`
    means something elsewhere."""
    markers: dict[str, list[Marker]] = {}
    unconditional: set[str] = set()
    for entry in read.requirements:
        name = canonicalize_name(entry.requirement.name)
        if entry.requirement.marker is None:
            unconditional.add(name)
        else:
            markers.setdefault(name, []).append(entry.requirement.marker)
    through = {canonicalize_name(c) for p in packages for c in p.dependencies}
    kept: list[LockedPackage] = []
    for package in packages:
        name = canonicalize_name(package.name)
        given = markers.get(name)
        if not given or name in unconditional or name in through:
            kept.append(package)
            continue
        written = Marker(" or ".join(f"({m})" for m in given)) if len(given) > 1 else given[0]
        own = package.marker
        if own is None or not universal or _agree(own, written, python_version):
            kept.append(replace(package, marker=written))
        else:
            kept.append(replace(package, marker=Marker(f"({own}) and ({written})")))
    return kept


def _agree(own: Marker, written: Marker, python_version: str) -> bool:
    """Whether the lock's marker and the input's say the same on every environment the
    lock samples (so the input's, which also speaks of others, can stand alone)."""
    from tether.resolve.markers import Grid  # noqa: PLC0415

    grid = Grid.build(f">={python_version}")
    return grid.truth(own) == grid.truth(written)


def render(
    packages: list[LockedPackage],
    read: RequirementsFile,
    *,
    header: list[str],
    cwd: Path,
    hashes: bool,
    annotate: bool,
) -> str:
    """The output file: `header`, the input files' index options, then each package's
    line(s), with `--hash` lines when `hashes` and `# via` lines when `annotate`."""
    lines = list(header)
    # The input files' index options carry over (without credentials); the command
    # line's do not, as they may hold a token.
    if read.index_url:
        lines.append(f"--index-url {strip_userinfo(read.index_url)[0]}")
    lines += [f"--extra-index-url {strip_userinfo(u)[0]}" for u in read.extra_index_urls]
    lines += [f"--find-links {find_links_location(link, cwd)}" for link in read.find_links]
    parents = _parents(packages, read, cwd)
    for package in sorted(packages, key=lambda p: (canonicalize_name(p.name), p.version or "")):
        lines += _package_lines(package, hashes, cwd)
        if annotate:
            lines += _via(parents.get(canonicalize_name(package.name), []))
    return "\n".join(lines) + "\n"


def find_links_location(link: str, cwd: Path) -> str:
    """A find-links location as a requirements file writes it: a URL without
    credentials, a directory relative to where the file is used."""
    return strip_userinfo(link)[0] if "://" in link else relative_posix(Path(link), cwd)


def _package_lines(package: LockedPackage, hashes: bool, cwd: Path) -> list[str]:
    if package.vcs is not None:  # pinned to the commit, as pip-compile writes it
        vcs = package.vcs
        sub = f"#subdirectory={vcs.subdirectory}" if vcs.subdirectory else ""
        marker = f" ; {package.marker}" if package.marker is not None else ""
        return [f"{package.name} @ git+{vcs.url}@{vcs.commit_id}{sub}{marker}"]
    if package.directory is not None:
        where = (cwd / package.directory).resolve()
        if package.editable:
            shown = (
                package.directory
                if Path(package.directory).is_absolute()
                else ("./" + package.directory.removeprefix("./"))
            )
            return [f"-e {shown}"]
        return [f"{package.name} @ {where.as_uri()}"]
    if package.archive is not None:
        head = f"{package.name} @ {strip_userinfo(package.archive.url)[0]}"
        digests = [package.archive.sha256] if package.archive.sha256 else []
    else:
        head = f"{package.name}=={package.version}"
        files = [*package.wheels, *([package.sdist] if package.sdist else [])]
        digests = sorted({f.sha256 for f in files if f.sha256})
    if package.marker is not None:
        head += f" ; {package.marker}"
    if not hashes or not digests:
        return [head]
    return [f"{head} \\", *(f"    --hash=sha256:{d} \\" for d in digests[:-1]),
            f"    --hash=sha256:{digests[-1]}"]  # fmt: skip


def _parents(
    packages: list[LockedPackage], read: RequirementsFile, cwd: Path
) -> dict[str, list[str]]:
    """Who asks for each package: other packages by name, and the files (as `-r file`
    and `-c file`) that list it."""
    parents: dict[str, list[str]] = {}
    for package in packages:
        for child in package.dependencies:
            parents.setdefault(canonicalize_name(child), []).append(canonicalize_name(package.name))
    for flag, entries in (("-r", read.requirements), ("-c", read.constraints)):
        for entry in entries:
            where = f"{flag} {_shown(entry, cwd)}"
            listed = parents.setdefault(canonicalize_name(entry.requirement.name), [])
            if where not in listed:
                listed.append(where)
    return {name: sorted(set(names), key=_via_order) for name, names in parents.items()}


def _via_order(item: str) -> tuple[int, str]:
    return (0 if item.startswith("-") else 1, item)


def _shown(entry: Entry, cwd: Path) -> str:
    try:
        return entry.source.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return entry.source.as_posix()


def _via(parents: list[str]) -> list[str]:
    if not parents:
        return []
    if len(parents) == 1:
        return [f"    # via {parents[0]}"]
    return ["    # via", *(f"    #   {p}" for p in parents)]
