"""`tether pip compile`: pip-tools' `pip-compile` (and `uv pip compile`) on tether's
resolver: requirements files in, a pinned requirements file out, with "# via"
annotations and, on request, every file's hash.

The same resolution as `tether lock` (the inputs become an in-memory project): by
default for one target (the interpreter tether finds, or `--python-version`, on this
platform), markers decided; with `--universal` for every platform and Python at or
above the target, markers kept. An existing output file's pins are kept as preferences
unless `--upgrade` (or `--upgrade-package`) says otherwise, as pip-compile does.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.git_sources import git_fetcher
from tether.commands.lock import resolve_project
from tether.commands.python import find_python
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.errors import ProjectError, UsageError
from tether.fs import atomic_write
from tether.index.auth import strip_userinfo
from tether.lock import LockedPackage
from tether.lock.freshness import resolver_options
from tether.project import Project
from tether.project.requirements_txt import Entry, RequirementsFile, read_requirements
from tether.project.settings import Settings, Source

ROOT_NAME = canonicalize_name("tether-pip-compile-root")


@dataclass(frozen=True, slots=True, kw_only=True)
class CompileOptions:
    sources: tuple[Path, ...]
    environ: Mapping[str, str]
    output: Path | None = None
    constraints: tuple[Path, ...] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    generate_hashes: bool = False
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    python_version: str | None = None
    universal: bool = False
    annotate: bool = True
    header: bool = True
    command: Sequence[str] = ()  # how it was invoked, for the header
    cwd: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompileResult:
    text: str
    packages: int
    output: Path | None


def compile_requirements(options: CompileOptions) -> CompileResult:
    if not options.sources:
        raise UsageError(
            "no requirements file to compile",
            hint="name one: `tether pip compile requirements.in`",
        )
    read = read_requirements(
        list(options.sources), options.environ, constraints=list(options.constraints)
    )
    python_version, environment = _target(options)
    project = _project(read, options, python_version, environment)
    index = with_file_indexes(options.index, read)
    indexes = resolve_indexes((), index, options.environ)
    client = index_client(indexes, index, options.environ)
    resolver = resolver_options(
        resolution="highest",
        prerelease="allow" if read.pre else "if-necessary-or-explicit",
        exclude_newer=index.exclude_newer,
    )
    resolved = resolve_project(
        project,
        client,
        exclude_newer=index.exclude_newer,
        resolver=resolver,
        preferences={} if options.upgrade else _preferences(options),
        git=git_fetcher(open_cache(options.environ), options.environ, {}),
    )
    packages = [_decided(p, environment) for p in resolved.packages if _applies(p, environment)]
    packages = _with_input_markers(packages, read, python_version, universal=environment is None)
    text = _render(packages, read, options, python_version, index)
    if options.output is not None:
        previous = options.output.read_text(encoding="utf-8") if options.output.exists() else None
        if previous != text:
            atomic_write(options.output, text)
    return CompileResult(text=text, packages=len(packages), output=options.output)


def _target(options: CompileOptions) -> tuple[str, dict[str, str] | None]:
    """The Python version resolved for, and (unless universal) the environment whose
    markers decide what the output holds."""
    if options.python_version is not None:
        try:
            version = Version(options.python_version)
        except InvalidVersion:
            raise UsageError(
                f"--python-version {options.python_version!r} is not a version",
                hint="give a version like 3.12",
            ) from None
        major_minor = f"{version.major}.{version.minor}"
    else:
        major_minor = None
    if options.universal and major_minor is not None:
        return major_minor, None
    interpreter = find_python(None, options.environ)
    markers = dict(interpreter.markers)
    if major_minor is None:
        major_minor = markers["python_version"]
    else:
        markers["python_version"] = major_minor
        markers["python_full_version"] = f"{major_minor}.0"
    return major_minor, None if options.universal else markers


def _project(
    read: RequirementsFile,
    options: CompileOptions,
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
        root=options.cwd,
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


def _preferences(options: CompileOptions) -> dict[NormalizedName, frozenset[Version]]:
    """The pins of the existing output file, except those being upgraded."""
    if options.output is None or not options.output.exists():
        return {}
    upgrading = {canonicalize_name(n) for n in options.upgrade_packages}
    try:
        existing = read_requirements([options.output], options.environ)
    except ProjectError:
        return {}  # about to be replaced anyway
    found: dict[NormalizedName, frozenset[Version]] = {}
    for entry in existing.requirements:
        name = canonicalize_name(entry.requirement.name)
        pinned = [s for s in entry.requirement.specifier if s.operator in ("==", "===")]
        if name in upgrading or len(pinned) != 1:
            continue
        with contextlib.suppress(InvalidVersion):
            found[name] = found.get(name, frozenset()) | {Version(pinned[0].version)}
    return found


def _applies(package: LockedPackage, environment: Mapping[str, str] | None) -> bool:
    if environment is None or package.marker is None:
        return True
    try:
        return package.marker.evaluate(dict(environment))
    except Exception:  # noqa: BLE001 - a marker we cannot decide is kept
        return True


def _decided(package: LockedPackage, environment: Mapping[str, str] | None) -> LockedPackage:
    """For one target the markers are decided: the output carries none."""
    if environment is None:
        return package
    return replace(package, marker=None)


def _with_input_markers(
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


def _render(
    packages: list[LockedPackage],
    read: RequirementsFile,
    options: CompileOptions,
    python_version: str,
    index: IndexOptions,
) -> str:
    lines: list[str] = []
    if options.header:
        target = "for every platform, " if options.universal else ""
        lines += [
            f"# This file was generated by tether pip compile {target}with Python "
            f"{python_version}:",
            f"#    {shlex.join(options.command or ['tether', 'pip', 'compile'])}",
        ]
    # The input files' index options carry over (without credentials); the command
    # line's do not, as they may hold a token.
    if read.index_url:
        lines.append(f"--index-url {strip_userinfo(read.index_url)[0]}")
    lines += [f"--extra-index-url {strip_userinfo(u)[0]}" for u in read.extra_index_urls]
    parents = _parents(packages, read, options.cwd)
    for package in sorted(packages, key=lambda p: (canonicalize_name(p.name), p.version or "")):
        lines += _package_lines(package, options.generate_hashes, options.cwd)
        if options.annotate:
            lines += _via(parents.get(canonicalize_name(package.name), []))
    return "\n".join(lines) + "\n"


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


def with_file_indexes(given: IndexOptions, read: RequirementsFile) -> IndexOptions:
    """The command line's index options over the requirements files' own: its
    `--index-url` wins, extra index URLs add up."""
    return replace(
        given,
        index_url=given.index_url or read.index_url,
        extra_index_urls=(*given.extra_index_urls, *read.extra_index_urls),
    )
