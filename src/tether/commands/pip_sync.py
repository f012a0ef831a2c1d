"""`tether pip sync`: pip-tools' `pip-sync` (and `uv pip sync`): make a virtual
environment hold exactly the distributions a pinned requirements file lists, no more
(pip, setuptools and wheel are kept), no fewer, at exactly those versions.

Each line must pin one version (`name==1.2`) or point at an archive (`name @ url`);
dependencies are not resolved (the file is the whole environment, as `pip compile`
writes it). Markers are decided for the target interpreter. Lines with `--hash` restrict
which files may be installed; as in pip, once one line has hashes every line needs them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from filelock import FileLock
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from tether.commands.build_env import installer
from tether.commands.directories import install_directory, read_build_system
from tether.commands.pip_compile import with_file_indexes
from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.commands.sync import apply_plan
from tether.errors import InstallError, PythonNotFound, UsageError
from tether.index.client import Found, NotFound
from tether.index.page import DistFile
from tether.install.apply import ApplyResult
from tether.install.plan import Directory, InstallPlan, Wanted, plan
from tether.install.wheel import LinkMode, Target, installed, settled
from tether.install.wheel_choice import best_wheel, runs_on
from tether.project.requirements_txt import Entry, read_requirements
from tether.python.interpreter import Interpreter, describe
from tether.urls import redact_url


@dataclass(frozen=True, slots=True, kw_only=True)
class PipSyncOptions:
    sources: tuple[Path, ...]
    environ: Mapping[str, str]
    python: str | None = None  # a venv directory or its interpreter
    index: IndexOptions = field(default_factory=IndexOptions)
    dry_run: bool = False
    link_mode: LinkMode = LinkMode.HARDLINK
    cwd: Path = field(default_factory=Path.cwd)
    on_progress: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PipSyncResult:
    environment: Path
    interpreter: Interpreter
    plan: InstallPlan
    applied: ApplyResult | None
    directories: tuple[str, ...] = ()  # project directories (re)built and installed


def pip_sync(options: PipSyncOptions) -> PipSyncResult:
    if not options.sources:
        raise UsageError(
            "no requirements file to sync from",
            hint="name one: `tether pip sync requirements.txt`",
        )
    read = read_requirements(list(options.sources), options.environ)
    environment = _environment(options)
    python = environment / "bin" / "python"
    interpreter = describe(python)
    markers = dict(interpreter.markers)
    entries = [
        e
        for e in read.requirements
        if e.requirement.marker is None or e.requirement.marker.evaluate(markers)
    ]
    _check_entries(entries)
    index = with_file_indexes(options.index, read)
    indexes = resolve_indexes((), index, options.environ)
    client = index_client(indexes, index, options.environ)
    directories = [d for e in entries if (d := _directory(e)) is not None]
    wanted = [
        _wanted(entry, client.find, interpreter) for entry in entries if _directory(entry) is None
    ]
    target = Target.from_paths(interpreter.paths, python)
    site = Path(interpreter.paths["purelib"])
    built: list[str] = []
    with FileLock(str(environment / ".tether.lock")):
        present = installed(site)
        for directory in directories:  # built below, never removed as "not listed"
            present.pop(canonicalize_name(directory.name), None)
        install_plan = plan(wanted, present, exact=True)
        applied = None
        if install_plan.empty and not options.dry_run:
            settled(site)
        if not install_plan.empty and not options.dry_run:
            applied = apply_plan(
                install_plan,
                target=target,
                indexes=indexes,
                index=index,
                environ=options.environ,
                link_mode=options.link_mode,
                on_progress=options.on_progress,
            )
        if not options.dry_run:
            built = [
                d.name
                for d in directories
                if install_directory(
                    d,
                    read_build_system(d.source),
                    interpreter,
                    target,
                    installer=installer(indexes, index, options.environ),
                    environ=options.environ,
                )
            ]
    return PipSyncResult(
        environment=environment,
        interpreter=interpreter,
        plan=install_plan,
        applied=applied,
        directories=tuple(built),
    )


def _directory(entry: Entry) -> Directory | None:
    """A `-e ./dir` line, or `name @ file:///dir`: a project directory to build."""
    url = entry.requirement.url
    if url is None or urlsplit(url).scheme != "file":
        return None
    path = Path(url2pathname(unquote(urlsplit(url).path)))
    if not path.is_dir():
        return None
    return Directory(entry.requirement.name, None, path.resolve(), entry.editable)


def _environment(options: PipSyncOptions) -> Path:
    """`--python` (a venv or its interpreter), else the active venv, else `.venv` here."""
    if options.python is not None:
        given = Path(options.python)
        root = given.parent.parent if given.is_file() else given
        where = "--python"
    elif active := options.environ.get("VIRTUAL_ENV"):
        root, where = Path(active), "VIRTUAL_ENV"
    else:
        root, where = options.cwd / ".venv", "the current directory"
    if not (root / "pyvenv.cfg").is_file() or not (root / "bin" / "python").exists():
        raise PythonNotFound(
            f"{root} (from {where}) is not a virtual environment",
            hint="create one with `tether venv`, activate it, or pass --python PATH",
        )
    return root


def _check_entries(entries: list[Entry]) -> None:
    hashed = any(e.hashes for e in entries)
    seen: dict[str, Entry] = {}
    for entry in entries:
        requirement = entry.requirement
        where = f"{entry.source}:{entry.line}"
        if _directory(entry) is not None:
            continue  # a project directory: built, not pinned or hashed
        pinned = [s for s in requirement.specifier if s.operator in ("==", "===")]
        if requirement.url is None and (len(pinned) != 1 or "*" in pinned[0].version):
            raise UsageError(
                f"{where}: '{requirement}' does not pin one version",
                hint="`tether pip sync` installs exact pins; make them with `tether pip compile`",
            )
        if hashed and not entry.hashes:
            raise InstallError(
                f"{where}: '{requirement.name}' has no --hash, while other lines have hashes",
                hint="with hashes, every line needs them (pip's --require-hashes mode); "
                "re-run `tether pip compile --generate-hashes`",
            )
        name = canonicalize_name(requirement.name)
        if name in seen:
            raise UsageError(
                f"{where}: '{requirement.name}' is listed twice for this environment "
                f"(also at {seen[name].source}:{seen[name].line})"
            )
        seen[name] = entry


def _wanted(
    entry: Entry,
    find: Callable[[str], Found | NotFound | object],
    interpreter: Interpreter,
) -> Wanted:
    requirement = entry.requirement
    if requirement.url is not None:
        return _direct(entry)
    version = Version(next(iter(requirement.specifier)).version)
    found = find(requirement.name)
    if not isinstance(found, Found):
        raise InstallError(
            f"'{requirement.name}' ({entry.source}:{entry.line}) is not on any index searched",
            hint="check the name, or the file's --index-url",
        )
    files = found.page.versions().get(version, ())
    if entry.hashes:
        allowed = {h.removeprefix("sha256:") for h in entry.hashes}
        files = tuple(f for f in files if f.sha256 in allowed)
    best = _best_file(files, interpreter)
    if best is None:
        what = "matches its --hash values" if entry.hashes else "installs on this interpreter"
        raise InstallError(
            f"no file of {requirement.name}=={version} on {redact_url(found.index.url)} {what}",
            hint=f"Python {interpreter.version} on {interpreter.markers['sys_platform']}; "
            "re-compile the requirements for this environment",
        )
    if not best.sha256:
        raise InstallError(
            f"the index gives no sha256 for {best.filename}; refusing to install it unverified"
        )
    return Wanted(
        name=requirement.name,
        version=str(version),
        filename=best.filename,
        url=best.url,
        path=None,
        sha256=best.sha256,
        size=best.size,
        requested=True,
    )


def _best_file(files: tuple[DistFile, ...], interpreter: Interpreter) -> DistFile | None:
    """The wheel this interpreter takes best, else the sdist (built at install)."""
    wheel = best_wheel(files, interpreter)
    if wheel is not None:
        return wheel
    sdists = [
        f for f in files if f.filename.endswith((".tar.gz", ".zip")) and runs_on(f, interpreter)
    ]
    return sdists[0] if sdists else None


def _direct(entry: Entry) -> Wanted:
    """`name @ url`: the archive itself; its hash from the line's --hash when given."""
    requirement = entry.requirement
    url = requirement.url or ""
    parts = urlsplit(url)
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    path = Path(url2pathname(unquote(parts.path))) if parts.scheme == "file" else None
    if entry.hashes:
        sha256 = entry.hashes[0].removeprefix("sha256:")
    elif path is not None and path.is_file():
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        raise InstallError(
            f"{entry.source}:{entry.line}: '{requirement.name} @ {redact_url(url)}' has no "
            "--hash, and tether does not install a downloaded archive unverified",
            hint="add --hash=sha256:… (`tether pip compile --generate-hashes` writes it)",
        )
    try:
        if filename.endswith(".whl"):
            version = parse_wheel_filename(filename)[1]
        else:
            version = parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        raise InstallError(
            f"{entry.source}:{entry.line}: cannot tell the version of {filename}",
            hint="point at a wheel or an sdist with its standard file name",
        ) from None
    return Wanted(
        name=requirement.name,
        version=str(version),
        filename=filename,
        url=None if path is not None else url,
        path=path,
        sha256=sha256,
        size=None,
        requested=True,
    )
