"""Real wheels and sdists built from a few lines of description, in memory.

A test says what a package is (`Dist("a", "1.0", requires=["b>=1"])`) and gets the bytes
of a valid wheel (METADATA, WHEEL, entry points, a RECORD whose hashes are right, a module
that imports) and of an sdist that builds without the network: it carries its own tiny
PEP 517 backend (`backend-path = ["."]`), so no setuptools or hatchling is fetched.
Archives are deterministic (fixed timestamps, sorted members): the same description
always gives the same bytes and the same sha256.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import textwrap
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from packaging.utils import canonicalize_name
from packaging.version import Version

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True, init=False)
class Dist:
    """One release of a package, as the test index serves it.

    `requires` are Requires-Dist lines (markers allowed); `extras` maps an extra to its
    requirements (each gets `; extra == "name"` appended); `tags` gives one wheel per tag
    (`"py3-none-any"`, `"cp312-cp312-manylinux_2_17_x86_64"`); `entry_points` maps a
    console script to `module:function`; `files` adds files (path → text) to the package;
    `data` adds `.data/<scheme>/<path>` files (`"scripts/tool"`, `"data/share/x.txt"`);
    `dynamic` lists core-metadata fields the sdist's PKG-INFO marks Dynamic (PEP 643);
    `built_requires` are Requires-Dist lines only the sdist's backend reports (as a
    setup.py computes them), and `build_error` makes that backend fail with a message;
    `pyproject` is added to the sdist's pyproject.toml (a `[project]` table).
    """

    name: str
    version: str
    requires: tuple[str, ...] = ()
    extras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    requires_python: str | None = None
    tags: tuple[str, ...] = ("py3-none-any",)
    wheel: bool = True
    sdist: bool = False
    yanked: bool | str = False
    upload_time: datetime | None = None
    entry_points: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)
    summary: str = "A package built by tether's tests."
    dynamic: tuple[str, ...] = ()
    built_requires: tuple[str, ...] = ()
    build_error: str | None = None
    pyproject: str = ""

    def __init__(
        self,
        name: str,
        version: str,
        *,
        requires: tuple[str, ...] | list[str] = (),
        extras: Mapping[str, tuple[str, ...] | list[str]] | None = None,
        requires_python: str | None = None,
        tags: tuple[str, ...] | list[str] = ("py3-none-any",),
        wheel: bool = True,
        sdist: bool = False,
        yanked: bool | str = False,
        upload_time: datetime | None = None,
        entry_points: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        summary: str = "A package built by tether's tests.",
        dynamic: tuple[str, ...] | list[str] = (),
        built_requires: tuple[str, ...] | list[str] = (),
        build_error: str | None = None,
        pyproject: str = "",
    ) -> None:
        # A hand-written __init__ so tests can pass lists and omit mappings; the
        # instance stays frozen (object.__setattr__ is how dataclasses do it too).
        values = {
            "name": name,
            "version": version,
            "requires": tuple(requires),
            "extras": {k: tuple(v) for k, v in (extras or {}).items()},
            "requires_python": requires_python,
            "tags": tuple(tags),
            "wheel": wheel,
            "sdist": sdist,
            "yanked": yanked,
            "upload_time": upload_time,
            "entry_points": dict(entry_points or {}),
            "files": dict(files or {}),
            "data": dict(data or {}),
            "summary": summary,
            "dynamic": tuple(dynamic),
            "built_requires": tuple(built_requires),
            "build_error": build_error,
            "pyproject": pyproject,
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    @property
    def project(self) -> str:
        """The PEP 503 normalised name, as in index URLs."""
        return canonicalize_name(self.name)

    @property
    def module(self) -> str:
        return self.project.replace("-", "_").replace(".", "_")

    @property
    def stem(self) -> str:
        """`{name}-{version}` as in file names (name with underscores, version normalised)."""
        return f"{_filename_name(self.name)}-{Version(self.version)}"

    def wheel_filename(self, tag: str) -> str:
        return f"{self.stem}-{tag}.whl"

    @property
    def sdist_filename(self) -> str:
        return f"{self.stem}.tar.gz"


def metadata(dist: Dist) -> str:
    """Core metadata (METADATA / PKG-INFO), version 2.3."""
    lines = [
        "Metadata-Version: 2.3",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: {dist.summary}",
    ]
    lines.extend(f"Dynamic: {field}" for field in dist.dynamic)
    if dist.requires_python:
        lines.append(f"Requires-Python: {dist.requires_python}")
    lines.extend(f"Requires-Dist: {requirement}" for requirement in dist.requires)
    for extra, requirements in dist.extras.items():
        lines.append(f"Provides-Extra: {extra}")
        marker = f'extra == "{extra}"'
        for requirement in requirements:
            if ";" in requirement:
                base, existing = requirement.split(";", 1)
                lines.append(f"Requires-Dist: {base.strip()}; ({existing.strip()}) and {marker}")
            else:
                lines.append(f"Requires-Dist: {requirement}; {marker}")
    return "\n".join(lines) + "\n\n"


def module_source(dist: Dist) -> str:
    return textwrap.dedent(
        f'''\
        """{dist.name} {dist.version}, built by tether's test index."""

        __version__ = "{dist.version}"


        def main() -> None:
            print("{dist.name} {dist.version}")
        '''
    )


def package_files(dist: Dist) -> dict[str, str]:
    """The importable files: `<module>/__init__.py` plus the description's `files`."""
    files = {f"{dist.module}/__init__.py": module_source(dist)}
    files.update(dist.files)
    return files


def build_wheel(dist: Dist, tag: str) -> bytes:
    """A valid wheel (PEP 427) for `dist` with one tag."""
    dist_info = f"{dist.stem}.dist-info"
    data_dir = f"{dist.stem}.data"
    members: dict[str, bytes] = {
        path: text.encode() for path, text in sorted(package_files(dist).items())
    }
    for path, text in sorted(dist.data.items()):
        members[f"{data_dir}/{path}"] = text.encode()
    purelib = tag.endswith("-none-any")
    members[f"{dist_info}/METADATA"] = metadata(dist).encode()
    members[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\n"
        "Generator: tether-tests\n"
        f"Root-Is-Purelib: {'true' if purelib else 'false'}\n"
        f"Tag: {tag}\n\n"
    ).encode()
    if dist.entry_points:
        scripts = "".join(f"{name} = {target}\n" for name, target in dist.entry_points.items())
        members[f"{dist_info}/entry_points.txt"] = f"[console_scripts]\n{scripts}\n".encode()
    record_path = f"{dist_info}/RECORD"
    record = "".join(
        f"{path},{_record_hash(content)},{len(content)}\n" for path, content in members.items()
    )
    members[record_path] = (record + f"{record_path},,\n").encode()
    return _zip(members)


def build_sdist(dist: Dist) -> bytes:
    """An sdist (PEP 517/625) that builds offline with the backend it carries."""
    root = dist.stem
    members: dict[str, bytes] = {
        f"{root}/PKG-INFO": metadata(dist).encode(),
        f"{root}/pyproject.toml": (_SDIST_PYPROJECT + dist.pyproject).encode(),
        f"{root}/tether_test_backend.py": BACKEND_SOURCE.encode(),
    }
    if dist.entry_points:
        scripts = "".join(f"{name} = {target}\n" for name, target in dist.entry_points.items())
        members[f"{root}/entry_points.txt"] = f"[console_scripts]\n{scripts}".encode()
    if dist.built_requires:
        members[f"{root}/built-requires.txt"] = "\n".join(dist.built_requires).encode()
    if dist.build_error is not None:
        members[f"{root}/build-error.txt"] = dist.build_error.encode()
    for path, text in sorted(package_files(dist).items()):
        members[f"{root}/src/{path}"] = text.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path, content in sorted(members.items()):
            info = tarfile.TarInfo(path)
            info.size = len(content)
            info.mtime = 315532800  # 1980-01-01, like the zip epoch
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(content))
    # gzip stores a timestamp too; zero it so the bytes are reproducible.
    raw = bytearray(buffer.getvalue())
    raw[4:8] = b"\0\0\0\0"
    return bytes(raw)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _record_hash(content: bytes) -> str:
    digest = hashlib.sha256(content).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _zip(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in members.items():
            info = zipfile.ZipInfo(path, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if "/scripts/" in path else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _filename_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


_SDIST_PYPROJECT = """\
[build-system]
requires = []
build-backend = "tether_test_backend"
backend-path = ["."]
"""

# A stdlib-only PEP 517 backend: builds a wheel from PKG-INFO, src/ and entry_points.txt.
# It is shipped inside every test sdist, so building one never touches the network.
BACKEND_SOURCE = '''\
"""PEP 517 backend for tether's test sdists (stdlib only)."""

import base64
import hashlib
import os
import zipfile


def _meta():
    if os.path.exists("build-error.txt"):
        with open("build-error.txt", encoding="utf-8") as handle:
            raise RuntimeError(handle.read())
    with open("PKG-INFO", encoding="utf-8") as handle:
        text = handle.read()
    if os.path.exists("built-requires.txt"):
        # What a setup.py computes at build time: only the backend knows it.
        with open("built-requires.txt", encoding="utf-8") as handle:
            extra = "".join("Requires-Dist: " + line + "\\n" for line in handle.read().splitlines())
        head, _, body = text.partition("\\n\\n")
        head = head.replace("Metadata-Version: 2.3", "Metadata-Version: 2.1")
        text = head + "\\n" + extra + "\\n" + body
    fields = dict(
        line.split(": ", 1) for line in text.splitlines() if ": " in line and line[0] != " "
    )
    return text, fields


def _stem(fields):
    name = fields["Name"].replace("-", "_").replace(".", "_").lower()
    return name + "-" + fields["Version"]


def _members(editable):
    text, fields = _meta()
    stem = _stem(fields)
    members = {}
    if editable:
        members[stem.split("-")[0] + ".pth"] = (os.path.abspath("src") + "\\n").encode()
    else:
        for root, _dirs, files in os.walk("src"):
            for name in sorted(files):
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    members[os.path.relpath(path, "src").replace(os.sep, "/")] = handle.read()
    info = stem + ".dist-info"
    members[info + "/METADATA"] = text.encode()
    members[info + "/WHEEL"] = (
        b"Wheel-Version: 1.0\\nGenerator: tether-test-backend\\n"
        b"Root-Is-Purelib: true\\nTag: py3-none-any\\n\\n"
    )
    if os.path.exists("entry_points.txt"):
        with open("entry_points.txt", "rb") as handle:
            members[info + "/entry_points.txt"] = handle.read()
    return stem, info, members


def _write(wheel_directory, editable):
    stem, info, members = _members(editable)
    filename = stem + "-py3-none-any.whl"
    lines = []
    for path, content in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
        lines.append(path + ",sha256=" + digest.decode() + "," + str(len(content)))
    lines.append(info + "/RECORD,,")
    members[info + "/RECORD"] = ("\\n".join(lines) + "\\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for path, content in members.items():
            archive.writestr(path, content)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write(wheel_directory, editable=False)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write(wheel_directory, editable=True)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _stem_, info, members = _members(editable=False)
    os.makedirs(os.path.join(metadata_directory, info))
    with open(os.path.join(metadata_directory, info, "METADATA"), "wb") as handle:
        handle.write(members[info + "/METADATA"])
    return info
'''
