"""What an unpacked wheel holds, worked out once and stored beside its files.

Installing a wheel links every file of its unpacked tree into site-packages. Walking the
tree, parsing the wheel's RECORD and writing the installed one again for every
environment cost more than the links themselves (16,000 files for a typical AI
service), so the tree's layout (directories, files, the RECORD rows of the files placed
unchanged, console scripts) is computed when the tree is unpacked and kept in it as
`.tether-layout`: an install then only reads that one file, makes directories and
links. A tree from an older cache without the file gets it on first use.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import marshal
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tether.errors import InstallError

LAYOUT_FILE = ".tether-layout"
# `module.sub:attr.attr [extra, ...]` (the entry point value grammar); nothing more.
_ENTRY_POINT = re.compile(
    r"[ \t]*(?P<module>[\w.]+)[ \t]*:[ \t]*(?P<attr>[\w.]+)[ \t]*(\[[\w ,.-]*\])?[ \t]*"
)
# marshal data (a tenth of the time JSON took to read a typical service's 72 layouts);
# the header names the marshal and Python versions, and another's file is worked out again.
_MAGIC = b"tether-layout\x00" + bytes([marshal.version, *sys.version_info[:2]])


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """Paths are tree-relative and '/'-separated; `dirs` lists parents first."""

    dist_info: str
    name: str
    version: str
    purelib: bool
    dirs: tuple[str, ...]
    files: tuple[str, ...]  # placed unchanged into the library directory
    data: tuple[tuple[str, str, str], ...]  # (<name>.data/<scheme>/..., hash, size)
    record: str  # the installed RECORD's rows for `files`, CSV text
    scripts: tuple[tuple[str, str, str], ...]  # (name, module, attribute) to generate


def layout_of(tree: Path) -> Layout:
    """The tree's layout: read from the tree, or computed and stored there."""
    try:
        data = (tree / LAYOUT_FILE).read_bytes()
        if data.startswith(_MAGIC):
            # tether's own file in the user's cache; marshal makes data, never runs it.
            return _from_record(marshal.loads(data[len(_MAGIC) :]))  # noqa: S302
    except (OSError, ValueError, TypeError, EOFError):
        pass  # missing, damaged or another version's: worked out again
    layout = compute_layout(tree)
    store_layout(tree, layout)
    return layout


def store_layout(tree: Path, layout: Layout) -> None:
    """Written atomically: two processes computing the same layout both win."""
    fd, temp = tempfile.mkstemp(prefix=f"{LAYOUT_FILE}.", dir=tree)  # skipped by the walk
    with os.fdopen(fd, "wb") as stream:
        stream.write(_MAGIC + marshal.dumps(_to_record(layout)))
    Path(temp).replace(tree / LAYOUT_FILE)


def compute_layout(tree: Path) -> Layout:
    dist_info = _dist_info(tree)
    for name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "METADATA", "WHEEL"):
        if (tree / dist_info / name).is_dir():
            raise InstallError(
                f"{dist_info}/{name} in the wheel is a directory, where a file is meant to "
                "be; refusing to install it",
                hint="the wheel is malicious or broken; report it to the package's maintainers",
            )
    wheel = parse_email((tree / dist_info / "WHEEL").read_text(encoding="utf-8"))
    metadata = parse_email(
        (tree / dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
    )
    data_dir = dist_info.removesuffix(".dist-info") + ".data"
    known = _wheel_record(tree / dist_info / "RECORD")
    skip = {f"{dist_info}/RECORD", f"{dist_info}/INSTALLER"}
    root = str(tree)
    dirs: list[str] = []
    files: list[str] = []
    data: list[tuple[str, str, str]] = []
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        relative = directory[len(root) + 1 :].replace(os.sep, "/")
        prefix = relative + "/" if relative else ""
        if relative == data_dir or relative.startswith(data_dir + "/"):
            for name in sorted(names):
                path = prefix + name
                data.append((path, *(known.get(path) or _hash_file(tree / path))))
            continue
        if relative:
            dirs.append(relative)
        # tether's own files at the top (this layout, older forms of it) are not the wheel's
        kept = names if relative else [n for n in names if not n.startswith(LAYOUT_FILE)]
        files += [prefix + name for name in sorted(kept) if prefix + name not in skip]
    rows = [(path, *(known.get(path) or _hash_file(tree / path))) for path in files]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return Layout(
        dist_info=dist_info,
        name=metadata.get("Name", dist_info),
        version=metadata.get("Version", "0"),
        purelib=wheel.get("Root-Is-Purelib", "true").strip().lower() == "true",
        dirs=tuple(dirs),
        files=tuple(files),
        data=tuple(data),
        record=buffer.getvalue(),
        scripts=_scripts(tree / dist_info / "entry_points.txt"),
    )


def parse_email(text: str) -> dict[str, str]:
    """The header fields of a METADATA or WHEEL file (first value of each)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "\t")):
            fields.setdefault(key.strip(), value.strip())
    return fields


def record_hash(content: bytes) -> str:
    digest = hashlib.sha256(content).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash_file(path: Path) -> tuple[str, str]:
    content = path.read_bytes()
    return record_hash(content), str(len(content))


def _wheel_record(record: Path) -> dict[str, tuple[str, str]]:
    """RECORD path -> (hash, size) for the rows that carry a sha256."""
    try:
        rows = list(csv.reader(io.StringIO(record.read_text(encoding="utf-8"))))
    except (OSError, csv.Error):
        return {}
    return {row[0]: (row[1], row[2]) for row in rows if len(row) >= 3 and row[1][:7] == "sha256="}


def _scripts(entry_points: Path) -> tuple[tuple[str, str, str], ...]:
    if not entry_points.is_file():
        return ()
    import configparser  # noqa: PLC0415 - only when a layout is worked out

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    try:
        parser.read_string(entry_points.read_text(encoding="utf-8"))
    except configparser.Error as err:
        raise InstallError(
            f"{entry_points.parent.name}/entry_points.txt is not valid: {err}",
            hint="the wheel is broken; report it to the package's maintainers",
        ) from None
    found = []
    wheel = entry_points.parent.name.removesuffix(".dist-info")
    for section in ("console_scripts", "gui_scripts"):
        if not parser.has_section(section):
            continue
        for name, spec in parser.items(section):
            found.append((_script_name(name, wheel), *_script_target(name, spec, wheel)))
    return tuple(found)


def _script_name(name: str, wheel: str) -> str:
    """A script's name becomes a file in the environment's `bin/`: one plain file
    name, never a path (`../../x`, `/home/u/.bashrc`) or a hidden file, as pip keeps it."""
    if (
        not name
        or name != name.strip()
        or any(c in name for c in "/\\\0")
        or name.startswith(".")
        or not name.isprintable()
    ):
        raise InstallError(
            f"{wheel}: the console script name {name!r} in entry_points.txt is not a plain "
            "file name; refusing to install the wheel",
            hint="the wheel is malicious or broken; report it to the package's maintainers",
        )
    return name


def _script_target(name: str, spec: str, wheel: str) -> tuple[str, str]:
    """`module.sub:attr.attr [extras]` (the entry point grammar), as (module, attribute);
    anything else (a continuation line, code) would be written into the launcher."""
    found = _ENTRY_POINT.fullmatch(spec)
    if found is None or not all(
        part.isidentifier() for part in (*found["module"].split("."), *found["attr"].split("."))
    ):
        raise InstallError(
            f"{wheel}: the console script {name!r} points at {spec!r}, which is not "
            "`module:function`; refusing to install the wheel",
            hint="the wheel is malicious or broken; report it to the package's maintainers",
        )
    return found["module"], found["attr"]


def _dist_info(tree: Path) -> str:
    found = [p.name for p in tree.iterdir() if p.is_dir() and p.name.endswith(".dist-info")]
    if len(found) != 1:
        raise InstallError(f"{tree.name}: expected one .dist-info directory, found {len(found)}")
    return found[0]


Rows = tuple[tuple[str, str, str], ...]
Record = tuple[str, str, str, bool, tuple[str, ...], tuple[str, ...], Rows, str, Rows]


def _to_record(layout: Layout) -> Record:
    return (
        layout.dist_info,
        layout.name,
        layout.version,
        layout.purelib,
        layout.dirs,
        layout.files,
        layout.data,
        layout.record,
        layout.scripts,
    )


def _from_record(record: object) -> Layout:
    """Raises TypeError/ValueError when the record is not a layout (a damaged file)."""
    if not isinstance(record, tuple) or len(record) != 9:
        raise TypeError("not a layout")
    dist_info, name, version, purelib, dirs, files, data, text, scripts = record
    strings = (dist_info, name, version, text, *dirs, *files)
    if not all(isinstance(item, str) for item in strings):
        raise TypeError("a layout field is not a string")
    for row in (*data, *scripts):
        if not isinstance(row, tuple) or len(row) != 3:
            raise TypeError("a layout row is not three strings")
    for script, module, attribute in scripts:  # stored by an older tether: checked again
        if _script_name(script, dist_info) != script or (
            _script_target(script, f"{module}:{attribute}", dist_info) != (module, attribute)
        ):
            raise ValueError("a script does not read back")
    return Layout(
        dist_info=dist_info,
        name=name,
        version=version,
        purelib=bool(purelib),
        dirs=dirs,
        files=files,
        data=data,
        record=text,
        scripts=scripts,
    )
