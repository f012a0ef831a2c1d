"""What a pinned requirements file asks an environment to hold (`tether pip sync`): every
line pins one version (or is a direct reference, or a project directory to build), with
hashes on all lines or none, and each pin becomes the file this interpreter installs best
from the index, checked against the line's hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from tether.errors import InstallError, UsageError
from tether.index.client import Found, NotFound
from tether.index.page import DistFile
from tether.install.plan import Directory, Wanted
from tether.install.wheel_choice import best_wheel, runs_on
from tether.project.requirements_txt import Entry
from tether.python.interpreter import Interpreter
from tether.urls import redact_url


def directory_of(entry: Entry) -> Directory | None:
    """A `-e ./dir` line, or `name @ file:///dir`: a project directory to build."""
    url = entry.requirement.url
    if url is None or urlsplit(url).scheme != "file":
        return None
    path = Path(url2pathname(unquote(urlsplit(url).path)))
    if not path.is_dir():
        return None
    return Directory(entry.requirement.name, None, path.resolve(), entry.editable)


def check_entries(entries: list[Entry]) -> None:
    hashed = any(e.hashes for e in entries)
    seen: dict[str, Entry] = {}
    for entry in entries:
        requirement = entry.requirement
        where = f"{entry.source}:{entry.line}"
        if directory_of(entry) is not None:
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


def pinned_file(
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
    return Wanted.from_index(requirement.name, str(version), best, requested=True)


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
