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

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.git_sources import git_fetcher
from tether.commands.python import find_python
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.errors import ProjectError, UsageError
from tether.fs import atomic_write
from tether.lock.freshness import resolver_options
from tether.locking.requirements_txt import (
    applies,
    compiled_project,
    decided,
    render,
    with_input_markers,
)
from tether.locking.resolution import resolve_project
from tether.project.requirements_txt import RequirementsFile, read_requirements


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
    project = compiled_project(read, options.cwd, python_version, environment)
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
        listed_order=True,
    )
    packages = [decided(p, environment) for p in resolved.packages if applies(p, environment)]
    packages = with_input_markers(packages, read, python_version, universal=environment is None)
    text = render(
        packages,
        read,
        header=_header(options, python_version),
        cwd=options.cwd,
        hashes=options.generate_hashes,
        annotate=options.annotate,
    )
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


def _header(options: CompileOptions, python_version: str) -> list[str]:
    if not options.header:
        return []
    target = "for every platform, " if options.universal else ""
    return [
        f"# This file was generated by tether pip compile {target}with Python {python_version}:",
        f"#    {shlex.join(options.command or ['tether', 'pip', 'compile'])}",
    ]


def with_file_indexes(given: IndexOptions, read: RequirementsFile) -> IndexOptions:
    """The command line's index options over the requirements files' own: its
    `--index-url` wins, extra index URLs and find-links add up."""
    return replace(
        given,
        index_url=given.index_url or read.index_url,
        extra_index_urls=(*given.extra_index_urls, *read.extra_index_urls),
        find_links=(*given.find_links, *read.find_links),
    )
