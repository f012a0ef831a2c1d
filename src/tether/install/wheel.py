"""Installing a wheel (PEP 427, binary distribution format) into an environment.

A wheel is unpacked once into the global cache (an immutable tree keyed by its sha256)
and every file is hard-linked from there into site-packages, copied when linking is not
possible (another filesystem) or when the file must change (scripts whose `#!python`
shebang names the environment's interpreter). The installed RECORD lists what was
written, with hashes, so tether, pip and any other installer can uninstall it.

Archives are hostile until proven otherwise: a member with an absolute path, a `..`
component or a symlink is refused before anything is written.
"""

# The per-file install loop works on strings (os.path), not pathlib: see link_files().
# ruff: noqa: PTH102, PTH108, PTH211

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from tether.cache.leftovers import temporary_prefix
from tether.errors import InstallError
from tether.install.layout import LAYOUT_FILE, Layout, layout_of, parse_email, record_hash

if TYPE_CHECKING:
    import zipfile

INSTALLER = "tether"
# Unpacked sizes refused: more than 50 GiB, or more than 100x the archive past 256 MiB
# (a CUDA torch wheel: 2.6 GiB from 0.9 GiB; source-code wheels compress 3-10x).
MAX_UNPACKED = 50 * 2**30
BOMB_RATIO = 100
BOMB_FLOOR = 256 * 2**20
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


# In site-packages while an install or uninstall changes it: present at the start of
# the next run, the change was interrupted and every distribution's files are checked.
CHANGING = ".tether-changing"


@dataclass(frozen=True, slots=True)
class Installed:
    name: str
    version: str
    dist_info: Path
    damaged: bool = False  # files its RECORD lists are missing (an interrupted change)

    @property
    def complete(self) -> bool:
        """RECORD is written last (and removed first): without it, an install or an
        uninstall was interrupted."""
        return not self.damaged and (self.dist_info / "RECORD").is_file()


def missing_files(dist: Installed, *, hashes: bool = False) -> list[str]:
    """The files `dist`'s RECORD lists that are not there (or, with `hashes`, that
    differ from the hash it records), as RECORD writes them."""
    site = dist.dist_info.parent
    try:
        rows = list(csv.reader(io.StringIO((dist.dist_info / "RECORD").read_text("utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ["RECORD"]
    found = []
    for row in rows:
        if not row or not row[0] or row[0].endswith(".pyc"):
            continue
        path = site / row[0]
        if not path.is_file():
            found.append(row[0])
        elif (
            hashes
            and len(row) > 1
            and row[1].startswith("sha256=")
            and record_hash(path.read_bytes()) != row[1]
        ):
            found.append(f"{row[0]} (changed)")
    return found


def unpack(wheel: Path, tree: Path) -> Path:
    """Extract `wheel` into `tree` (once: an existing tree is reused), atomically."""
    if tree.is_dir():
        return tree
    import zipfile  # noqa: PLC0415 - an install from unpacked trees never opens a zip

    tree.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix("unpack"), dir=tree.parent))
    try:
        with zipfile.ZipFile(wheel) as archive:
            _check_members(archive, wheel)
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


@dataclass(frozen=True, slots=True)
class Placement:
    """One wheel's install under way: its directories exist, its files are linked in
    slices (`link_files`, several threads at once), then `finish` writes the rest."""

    tree: Path
    layout: Layout
    lib: Path
    link_mode: LinkMode

    def slices(self, size: int) -> list[tuple[Placement, int, int]]:
        count = len(self.layout.files)
        return [(self, start, min(start + size, count)) for start in range(0, count, size)]


def install(
    tree: Path,
    target: Target,
    *,
    link_mode: LinkMode = LinkMode.HARDLINK,
    requested: bool = False,
    direct_url: Mapping[str, object] | None = None,
) -> Installed:
    """Install the unpacked wheel at `tree` into `target`; return what was installed."""
    placement = prepare(tree, target, link_mode=link_mode)
    link_files(placement)
    return finish(placement, target, requested=requested, direct_url=direct_url)


def prepare(tree: Path, target: Target, *, link_mode: LinkMode = LinkMode.HARDLINK) -> Placement:
    """Make the wheel's directories in the environment's library directory."""
    layout = layout_of(tree)
    lib = target.purelib if layout.purelib else target.platlib
    if link_mode is LinkMode.HARDLINK and not same_filesystem(tree, lib):
        link_mode = LinkMode.COPY  # a link would fail for every file: copy at once
    lib.mkdir(parents=True, exist_ok=True)
    base = str(lib) + os.sep
    for directory in layout.dirs:
        with contextlib.suppress(FileExistsError):
            os.mkdir(base + directory)  # parents come first in the layout
    return Placement(tree, layout, lib, link_mode)


def link_files(placement: Placement, start: int = 0, stop: int | None = None) -> None:
    """Place files `start:stop` of the wheel. The per-file hot path: strings, not Paths
    (pathlib's per-call cost would dominate the links themselves)."""
    source_root = str(placement.tree) + os.sep
    target_root = str(placement.lib) + os.sep
    mode = placement.link_mode
    link = os.link if mode is LinkMode.HARDLINK else None
    for name in placement.layout.files[start:stop]:
        source, destination = source_root + name, target_root + name
        if link is not None:
            try:
                link(source, destination)
                continue
            except OSError:
                pass
        _place_text(source, destination, mode)


def finish(
    placement: Placement,
    target: Target,
    *,
    requested: bool = False,
    direct_url: Mapping[str, object] | None = None,
) -> Installed:
    """The `.data` files, console scripts and the installer's files; RECORD last (its
    presence says the install is complete)."""
    layout, lib = placement.layout, placement.lib
    written = _install_data(placement, target)  # (absolute path, hash, size)
    written += _console_scripts(layout, target)
    installed_dist_info = lib / layout.dist_info
    extra = {"INSTALLER": f"{INSTALLER}\n"}
    if requested:
        extra["REQUESTED"] = ""
    if direct_url is not None:
        extra["direct_url.json"] = json.dumps(direct_url, sort_keys=True)
    for file_name, content in extra.items():
        path = installed_dist_info / file_name
        path.write_text(content, encoding="utf-8")
        written.append((str(path), record_hash(content.encode()), str(len(content.encode()))))
    _write_record(installed_dist_info / "RECORD", layout.record, written, lib)
    return Installed(name=layout.name, version=layout.version, dist_info=installed_dist_info)


def _install_data(placement: Placement, target: Target) -> list[tuple[str, str, str]]:
    """Files under `<name>.data/<scheme>/`: to the scheme's directory; scripts get the
    environment's interpreter in their `#!python` line."""
    written = []
    for relative, wheel_hash, wheel_size in placement.layout.data:
        hashed, size = wheel_hash, wheel_size
        parts = relative.split("/")
        if len(parts) < 3 or parts[1] not in SCHEMES:
            raise InstallError(f"{placement.tree.name}: unknown .data scheme in {relative}")
        source = placement.tree.joinpath(*parts)
        destination = _scheme_dir(parts[1], target).joinpath(*parts[2:])
        if parts[1] == "scripts":
            content = _install_script(source, destination, target.python, placement.link_mode)
            if content is not None:
                hashed, size = record_hash(content), str(len(content))
        else:
            _place(source, destination, placement.link_mode)
        written.append((str(destination), hashed, size))
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


def uninstall(dist_info: Path) -> list[Path]:
    """Remove an installed distribution by its RECORD (any installer's, pip's too).

    RECORD paths are relative to the directory holding the .dist-info (site-packages),
    and may climb out of it (`../../bin/tool`); anything not under the environment's
    prefix is left alone."""
    site = dist_info.parent
    prefix = site.parents[2] if len(site.parents) > 2 else site
    removed: list[Path] = []
    record = dist_info / "RECORD"
    removing = dist_info / "RECORD.tether-removing"
    try:
        # RECORD goes first (renamed, still read by an uninstall that resumes): killed
        # half-way, the distribution reads as half-installed, never as installed.
        if record.is_file():
            record.replace(removing)
        rows = list(csv.reader(io.StringIO(removing.read_text(encoding="utf-8"))))
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
    interrupted = (site_packages / CHANGING).exists()
    for entry in site_packages.iterdir():
        if entry.suffix == ".dist-info" and (entry / "METADATA").is_file():
            name, version = _name_version(entry / "METADATA")
            dist = Installed(name=name, version=version, dist_info=entry)
            if interrupted and dist.complete and missing_files(dist):
                dist = Installed(name=name, version=version, dist_info=entry, damaged=True)
            found[canonicalize_name(name)] = dist
    return found


@contextlib.contextmanager
def changing(site_packages: Path) -> Iterator[None]:
    """Mark `site_packages` as being changed for the duration: a run that finds the
    mark checks every distribution's files (`installed`)."""
    mark = site_packages / CHANGING
    site_packages.mkdir(parents=True, exist_ok=True)
    mark.write_bytes(b"")
    yield
    mark.unlink(missing_ok=True)  # left in place when the change fails or is interrupted


def settled(site_packages: Path) -> None:
    """Drop the mark of an interrupted change once `installed` found every
    distribution whole and nothing was left to do."""
    (site_packages / CHANGING).unlink(missing_ok=True)


# ---------------------------------------------------------------------- helpers


def _check_members(archive: zipfile.ZipFile, wheel: Path) -> None:
    """Refuse an archive that lists a file twice (which copy is installed would depend
    on the tool) or that unpacks to far more than it weighs (a zip bomb). The sizes are
    the archive's own claims; reading stops at them (zipfile), so they bound the disk."""
    names: set[str] = set()
    total = 0
    for member in archive.infolist():
        if member.filename in names:
            raise InstallError(
                f"{wheel.name} lists {member.filename} more than once; refusing to install it",
                hint="the archive is malicious or broken; report it to the package's maintainers",
            )
        names.add(member.filename)
        total += member.file_size
    packed = wheel.stat().st_size
    if total > MAX_UNPACKED or (total > BOMB_FLOOR and total > BOMB_RATIO * packed):
        raise InstallError(
            f"{wheel.name} would unpack to {_size(total)} from {_size(packed)}; "
            "refusing to install it",
            hint="the archive looks like a zip bomb; report it to the package's maintainers",
        )


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    power = min(3, (count.bit_length() - 1) // 10)
    return f"{count / 1024**power:.1f} {('KiB', 'MiB', 'GiB')[power - 1]}"


def _safe_member(member: zipfile.ZipInfo, wheel: Path) -> PurePosixPath | None:
    name = member.filename
    if name.endswith("/") or name.startswith(LAYOUT_FILE):  # tether's own file in the tree
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
) -> bytes | None:
    """A `.data/scripts` file: `#!python` scripts get the environment's interpreter
    (their new content is returned); anything else (a native binary such as ruff's) is
    placed as it is, linked when linking."""
    with source.open("rb") as stream:
        head = stream.read(9)
    if not head.startswith((b"#!python", b"#!pythonw")):
        _place(source, destination, link_mode)
        if not os.access(destination, os.X_OK):
            destination.chmod(0o755)  # scripts run; a linked file shares the cache's mode
        return None
    content = source.read_bytes()
    _, _, rest = content.partition(b"\n")
    content = b"#!" + str(python).encode() + b"\n" + rest
    destination.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        destination.unlink()
    destination.write_bytes(content)
    destination.chmod(0o755)
    return content


def _console_scripts(layout: Layout, target: Target) -> list[tuple[str, str, str]]:
    """The launchers of the wheel's console and GUI scripts: (path, hash, size)."""
    written = []
    for name, module, attribute in layout.scripts:
        script = target.scripts / name
        script.parent.mkdir(parents=True, exist_ok=True)
        content = (
            f"#!{target.python}\n"
            "# -*- coding: utf-8 -*-\n"
            "import re\n"
            "import sys\n"
            f"from {module} import {attribute.split('.', 1)[0]}\n"
            'if __name__ == "__main__":\n'
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            f"    sys.exit({attribute}())\n"
        ).encode()
        with contextlib.suppress(FileNotFoundError):
            script.unlink()  # never write through a link into the cache
        script.write_bytes(content)
        script.chmod(0o755)
        written.append((str(script), record_hash(content), str(len(content))))
    return written


def _write_record(
    record: Path, placed: str, written: list[tuple[str, str, str]], lib: Path
) -> None:
    """RECORD for the installed files: `placed` is the layout's rows for the files
    placed unchanged (paths already lib-relative), `written` the (absolute path, hash,
    size) of the others; RECORD itself last, without a hash."""
    prefix = str(lib) + os.sep
    rows = []
    for path, hashed, size in written:
        relative = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, lib)
        rows.append((relative.replace(os.sep, "/"), hashed, size))
    rows.append((os.path.relpath(record, lib).replace(os.sep, "/"), "", ""))
    buffer = io.StringIO()
    buffer.write(placed)
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    record.write_text(buffer.getvalue(), encoding="utf-8")


def _name_version(metadata: Path) -> tuple[str, str]:
    fields = parse_email(metadata.read_text(encoding="utf-8", errors="replace"))
    return fields.get("Name", metadata.parent.name), fields.get("Version", "0")


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
