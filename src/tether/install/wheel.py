"""Installing a wheel (PEP 427, binary distribution format) into an environment.

A wheel is unpacked once into the global cache (an immutable tree keyed by its sha256)
and every file is hard-linked from there into site-packages, copied when linking is not
possible (another filesystem) or when the file must change (scripts whose `#!python`
shebang names the environment's interpreter). The installed RECORD lists what was
written, with hashes, so tether, pip and any other installer can uninstall it.

Archives are hostile until proven otherwise: a member with an absolute path, a `..`
component or a symlink is refused before anything is written.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from tether.errors import InstallError

INSTALLER = "tether"
SCHEMES = ("purelib", "platlib", "scripts", "headers", "data")


class LinkMode(StrEnum):
    HARDLINK = "hardlink"
    COPY = "copy"
    SYMLINK = "symlink"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where an environment keeps things (its sysconfig scheme) and its interpreter."""

    purelib: Path
    platlib: Path
    scripts: Path
    data: Path
    include: Path
    python: Path

    @classmethod
    def from_paths(cls, paths: Mapping[str, str], python: Path) -> Target:
        return cls(
            purelib=Path(paths["purelib"]),
            platlib=Path(paths["platlib"]),
            scripts=Path(paths["scripts"]),
            data=Path(paths["data"]),
            include=Path(paths["include"]),
            python=python,
        )


@dataclass(frozen=True, slots=True)
class Installed:
    name: str
    version: str
    dist_info: Path

    @property
    def complete(self) -> bool:
        """RECORD is written last: without it, an install was interrupted."""
        return (self.dist_info / "RECORD").is_file()


def unpack(wheel: Path, tree: Path) -> Path:
    """Extract `wheel` into `tree` (once: an existing tree is reused), atomically."""
    if tree.is_dir():
        return tree
    tree.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{tree.name}.", dir=tree.parent))
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                relative = _safe_member(member, wheel)
                if relative is None:
                    continue
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
                mode = (member.external_attr >> 16) & 0o777
                destination.chmod(0o755 if mode & 0o111 else 0o644)
        try:
            staging.rename(tree)
        except OSError:
            if not tree.is_dir():  # another process won the race: its tree is as good
                raise
            shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise InstallError(f"{wheel.name} is not a valid wheel: {err}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return tree


def install(
    tree: Path,
    target: Target,
    *,
    link_mode: LinkMode = LinkMode.HARDLINK,
    requested: bool = False,
    direct_url: Mapping[str, object] | None = None,
) -> Installed:
    """Install the unpacked wheel at `tree` into `target`; return what was installed."""
    dist_info = _dist_info(tree)
    wheel_meta = _parse_email((tree / dist_info / "WHEEL").read_text(encoding="utf-8"))
    purelib = wheel_meta.get("Root-Is-Purelib", "true").strip().lower() == "true"
    lib = target.purelib if purelib else target.platlib
    written: list[Path] = []
    data_dir = dist_info.removesuffix(".dist-info") + ".data"
    for source in _files(tree):
        relative = source.relative_to(tree)
        parts = relative.parts
        if parts[0] == data_dir:
            if len(parts) < 3 or parts[1] not in SCHEMES:
                raise InstallError(f"{tree.name}: unknown .data scheme in {relative.as_posix()}")
            base = _scheme_dir(parts[1], target)
            destination = base.joinpath(*parts[2:])
            if parts[1] == "scripts":
                _install_script(source, destination, target.python)
                written.append(destination)
                continue
        else:
            destination = lib / relative
        if relative.as_posix() in (f"{dist_info}/RECORD", f"{dist_info}/INSTALLER"):
            continue
        _place(source, destination, link_mode)
        written.append(destination)
    name, version = _name_version(tree / dist_info / "METADATA")
    written += _console_scripts(tree / dist_info / "entry_points.txt", target)
    installed_dist_info = lib / dist_info
    extra = {"INSTALLER": f"{INSTALLER}\n"}
    if requested:
        extra["REQUESTED"] = ""
    if direct_url is not None:
        extra["direct_url.json"] = json.dumps(direct_url, sort_keys=True)
    for file_name, content in extra.items():
        path = installed_dist_info / file_name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    _write_record(installed_dist_info / "RECORD", written, lib)
    return Installed(name=name, version=version, dist_info=installed_dist_info)


def uninstall(dist_info: Path) -> list[Path]:
    """Remove an installed distribution by its RECORD (any installer's, pip's too).

    RECORD paths are relative to the directory holding the .dist-info (site-packages),
    and may climb out of it (`../../bin/tool`); anything not under the environment's
    prefix is left alone."""
    site = dist_info.parent
    prefix = site.parents[2] if len(site.parents) > 2 else site
    removed: list[Path] = []
    record = dist_info / "RECORD"
    try:
        rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    except OSError:
        # An install that was interrupted before its RECORD: its files are overwritten
        # by the reinstall that follows; the half-made .dist-info goes now.
        shutil.rmtree(dist_info, ignore_errors=True)
        return removed
    for row in rows:
        if not row:
            continue
        path = (site / row[0]).resolve()
        if not _within(path, prefix.resolve()):
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
            _prune_empty(path.parent, site, prefix.resolve())
    shutil.rmtree(dist_info, ignore_errors=True)
    return removed


def installed(site_packages: Path) -> dict[str, Installed]:
    """The distributions in `site_packages`, by normalised name."""
    found: dict[str, Installed] = {}
    if not site_packages.is_dir():
        return found
    for entry in site_packages.iterdir():
        if entry.suffix == ".dist-info" and (entry / "METADATA").is_file():
            name, version = _name_version(entry / "METADATA")
            found[canonicalize_name(name)] = Installed(name=name, version=version, dist_info=entry)
    return found


# ---------------------------------------------------------------------- helpers


def _safe_member(member: zipfile.ZipInfo, wheel: Path) -> PurePosixPath | None:
    name = member.filename
    if name.endswith("/"):
        return None
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or name.startswith(("/", "\\"))
        or ":" in path.parts[0]
    ):
        raise InstallError(
            f"{wheel.name} contains a file outside its own tree ({name}); refusing to install it",
            hint="the archive is malicious or broken; report it to the package's maintainers",
        )
    if stat.S_ISLNK(member.external_attr >> 16):
        raise InstallError(
            f"{wheel.name} contains a symbolic link ({name}); refusing to install it",
            hint="wheels must not contain links; report it to the package's maintainers",
        )
    return path


def _dist_info(tree: Path) -> str:
    found = [p.name for p in tree.iterdir() if p.is_dir() and p.name.endswith(".dist-info")]
    if len(found) != 1:
        raise InstallError(f"{tree.name}: expected one .dist-info directory, found {len(found)}")
    return found[0]


def _files(tree: Path) -> Iterator[Path]:
    for directory, _dirs, files in os.walk(tree):
        for name in sorted(files):
            yield Path(directory, name)


def _scheme_dir(scheme: str, target: Target) -> Path:
    return {
        "purelib": target.purelib,
        "platlib": target.platlib,
        "scripts": target.scripts,
        "headers": target.include,
        "data": target.data,
    }[scheme]


def _place(source: Path, destination: Path, link_mode: LinkMode) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        destination.unlink()
    if link_mode is LinkMode.HARDLINK:
        try:
            os.link(source, destination)
            return
        except OSError:
            pass  # another filesystem, or links not allowed: copy instead
    elif link_mode is LinkMode.SYMLINK:
        destination.symlink_to(source)
        return
    shutil.copy2(source, destination)


def _install_script(source: Path, destination: Path, python: Path) -> None:
    content = source.read_bytes()
    if content.startswith((b"#!python", b"#!pythonw")):
        _, _, rest = content.partition(b"\n")
        content = b"#!" + str(python).encode() + b"\n" + rest
    destination.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        destination.unlink()
    destination.write_bytes(content)
    destination.chmod(0o755)


def _console_scripts(entry_points: Path, target: Target) -> list[Path]:
    if not entry_points.is_file():
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(entry_points.read_text(encoding="utf-8"))
    written = []
    for section in ("console_scripts", "gui_scripts"):
        if not parser.has_section(section):
            continue
        for name, target_spec in parser.items(section):
            module, _, attribute = target_spec.partition(":")
            attribute = attribute.split("[", 1)[0].strip()
            root_attr = attribute.split(".", 1)[0]
            script = target.scripts / name
            script.parent.mkdir(parents=True, exist_ok=True)
            script.write_text(
                f"#!{target.python}\n"
                "# -*- coding: utf-8 -*-\n"
                "import re\n"
                "import sys\n"
                f"from {module.strip()} import {root_attr}\n"
                'if __name__ == "__main__":\n'
                "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                f"    sys.exit({attribute}())\n",
                encoding="utf-8",
            )
            script.chmod(0o755)
            written.append(script)
    return written


def _write_record(record: Path, written: list[Path], lib: Path) -> None:
    rows = []
    for path in written:
        relative = os.path.relpath(path, lib).replace(os.sep, "/")
        content = path.read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        rows.append((relative, f"sha256={digest}", str(len(content))))
    rows.append((os.path.relpath(record, lib).replace(os.sep, "/"), "", ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(sorted(rows))
    record.write_text(buffer.getvalue(), encoding="utf-8")


def _name_version(metadata: Path) -> tuple[str, str]:
    fields = _parse_email(metadata.read_text(encoding="utf-8", errors="replace"))
    return fields.get("Name", metadata.parent.name), fields.get("Version", "0")


def _parse_email(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "\t")):
            fields.setdefault(key.strip(), value.strip())
    return fields


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _prune_empty(directory: Path, site: Path, prefix: Path) -> None:
    """Remove directories the uninstall emptied, up to (not including) site-packages and
    the environment's top-level directories (bin, lib, share, ...)."""
    site = site.resolve()
    while (
        directory not in (site, prefix)
        and directory.parent != prefix
        and _within(directory, prefix)
    ):
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
