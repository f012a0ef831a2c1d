"""Installing a wheel (PEP 427, binary distribution format) into an environment.

A wheel is unpacked once into the global cache (an immutable tree keyed by its sha256)
and every file is hard-linked from there into site-packages, copied when linking is not
possible (another filesystem) or when the file must change (scripts whose `#!python`
shebang names the environment's interpreter). The installed RECORD lists what was
written, with hashes, so tether, pip and any other installer can uninstall it.

Archives are hostile until proven otherwise: a member with an absolute path, a `..`
component or a symlink is refused before anything is written.
"""

# The per-file install loop works on strings (os.path), not pathlib: see install().
# ruff: noqa: PTH103, PTH108, PTH211

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
from collections.abc import Iterator, Mapping, Sequence
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
    if link_mode is LinkMode.HARDLINK and not same_filesystem(tree, lib):
        link_mode = LinkMode.COPY  # a link would fail for every file: copy at once
    # The wheel's own RECORD gives the hash of every file placed unchanged (as pip
    # does): re-reading 200 MB of a torch install to hash it again would cost seconds.
    data_dir = data_dir_of(dist_info)
    known = _record_of(tree / dist_info / "RECORD", data_dir)
    placed: list[str] = []  # lib-relative, '/'-separated: RECORD's own form
    written: list[str] = []  # absolute paths outside that form (.data files, scripts)
    # Strings, not Paths, in this loop: it runs once per file (16,000 for a typical AI
    # service), and pathlib's per-call cost would dominate the links themselves.
    root, lib_text, sep = str(tree), str(lib), os.sep
    skip = {f"{dist_info}/RECORD", f"{dist_info}/INSTALLER"}
    link = link_mode is LinkMode.HARDLINK
    for directory, dirs, files in os.walk(root):
        relative = directory[len(root) + 1 :]
        if relative.split(sep, 1)[0] == data_dir:
            written += _install_data(tree, Path(directory), files, target, link_mode)
            continue
        if directory == root:
            dirs.sort()
        destination_dir = lib_text + sep + relative if relative else lib_text
        os.makedirs(destination_dir, exist_ok=True)
        prefix = relative.replace(sep, "/") + "/" if relative else ""
        for name in sorted(files):
            record_path = prefix + name
            if record_path in skip:
                continue
            source = directory + sep + name
            destination = destination_dir + sep + name
            if link:
                try:
                    os.link(source, destination)
                except OSError:
                    _place_text(source, destination, link_mode)
            else:
                _place_text(source, destination, link_mode)
            placed.append(record_path)
    name, version = _name_version(tree / dist_info / "METADATA")
    written += [str(p) for p in _console_scripts(tree / dist_info / "entry_points.txt", target)]
    installed_dist_info = lib / dist_info
    extra = {"INSTALLER": f"{INSTALLER}\n"}
    if requested:
        extra["REQUESTED"] = ""
    if direct_url is not None:
        extra["direct_url.json"] = json.dumps(direct_url, sort_keys=True)
    for file_name, content in extra.items():
        path = installed_dist_info / file_name
        path.write_text(content, encoding="utf-8")
        written.append(str(path))
    _write_record(installed_dist_info / "RECORD", written, lib, known, placed=placed)
    return Installed(name=name, version=version, dist_info=installed_dist_info)


def _install_data(
    tree: Path,
    directory: Path,
    files: list[str],
    target: Target,
    link_mode: LinkMode,
) -> list[str]:
    """Files under `<name>.data/<scheme>/`: to the scheme's directory; scripts get the
    environment's interpreter in their `#!python` line."""
    written = []
    for name in sorted(files):
        source = directory / name
        parts = source.relative_to(tree).parts
        if len(parts) < 3 or parts[1] not in SCHEMES:
            relative = "/".join(parts)
            raise InstallError(f"{tree.name}: unknown .data scheme in {relative}")
        destination = _scheme_dir(parts[1], target).joinpath(*parts[2:])
        if parts[1] == "scripts":
            _install_script(source, destination, target.python, link_mode)
        else:
            _place(source, destination, link_mode)
        written.append(str(destination))
    return written


def _place_text(source: str, destination: str, link_mode: LinkMode) -> None:
    """Link (or copy) into an existing directory, on strings: the per-file hot path.
    A fresh environment is the common case, so the link is tried first and an existing
    file replaced only when it fails."""
    if link_mode is LinkMode.HARDLINK:
        try:
            os.link(source, destination)
            return
        except FileExistsError:
            os.unlink(destination)
            with contextlib.suppress(OSError):
                os.link(source, destination)
                return
        except OSError:
            pass  # another filesystem, or links not allowed: copy instead
    with contextlib.suppress(FileNotFoundError):
        os.unlink(destination)
    if link_mode is LinkMode.SYMLINK:
        os.symlink(source, destination)
        return
    shutil.copy2(source, destination)


def same_filesystem(first: Path, second: Path) -> bool:
    """Whether hard links can join the two (the nearest existing ancestor of `second`
    stands for it)."""
    while not second.exists() and second != second.parent:
        second = second.parent
    try:
        return first.stat().st_dev == second.stat().st_dev
    except OSError:
        return False


def data_dir_of(dist_info: str) -> str:
    return dist_info.removesuffix(".dist-info") + ".data"


def _record_of(record: Path, data_dir: str) -> dict[str, tuple[str, str]]:
    """RECORD path -> (hash, size) from the wheel's RECORD, for files installed into
    the library directory as they are (not `.data` files, which go elsewhere)."""
    try:
        rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    except (OSError, csv.Error):
        return {}
    known: dict[str, tuple[str, str]] = {}
    for row in rows:
        if len(row) < 3 or not row[1].startswith("sha256=") or row[0].startswith(data_dir):
            continue
        known[row[0]] = (row[1], row[2])  # only looked up by the paths actually placed
    return known


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
    """Link (or copy) `source` to `destination`, creating its directory."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    _place_text(str(source), str(destination), link_mode)


def _install_script(
    source: Path, destination: Path, python: Path, link_mode: LinkMode = LinkMode.COPY
) -> None:
    """A `.data/scripts` file: `#!python` scripts get the environment's interpreter;
    anything else (a native binary such as ruff's) is placed as it is, linked when
    linking."""
    with source.open("rb") as stream:
        head = stream.read(9)
    if not head.startswith((b"#!python", b"#!pythonw")):
        _place(source, destination, link_mode)
        if not os.access(destination, os.X_OK):
            destination.chmod(0o755)  # scripts run; a linked file shares the cache's mode
        return
    content = source.read_bytes()
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


def _write_record(
    record: Path,
    written: list[str],
    lib: Path,
    known: Mapping[str, tuple[str, str]] | None = None,
    *,
    placed: Sequence[str] = (),
) -> None:
    """RECORD for the installed files: `placed` are lib-relative paths of files placed
    unchanged (hash and size from the wheel's RECORD when it lists them), `written` are
    absolute paths of other files (hashed here)."""
    known = known or {}
    rows = []
    unknown: list[str] = []
    for relative in placed:
        entry = known.get(relative)
        if entry is None:
            unknown.append(str(lib) + os.sep + relative.replace("/", os.sep))
        else:
            rows.append((relative, entry[0], entry[1]))
    prefix = str(lib) + os.sep
    for path in [*written, *unknown]:
        inside = path.startswith(prefix)
        relative = (path[len(prefix) :] if inside else os.path.relpath(path, lib)).replace(
            os.sep, "/"
        )
        content = Path(path).read_bytes()
        hashed = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        rows.append((relative, f"sha256={hashed}", str(len(content))))
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
