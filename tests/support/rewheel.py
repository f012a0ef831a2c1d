"""Wheels of distributions installed in the test's own environment, rebuilt from their
RECORD: how tests serve real build backends (hatchling and its dependencies) from the
local index without reaching PyPI."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import zipfile
from importlib.metadata import distribution

from packaging.utils import canonicalize_name

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@functools.cache
def rewheel(name: str) -> tuple[str, bytes]:
    """The filename and bytes of a py3-none-any wheel holding installed `name` (its
    compiled parts, if any, fit this interpreter only: the tag is a test's convenience).
    Console-script launchers are left for the installer to write; other files in bin/
    (ruff's binary) go to the wheel's .data/scripts."""
    dist = distribution(name)
    version = dist.version
    stem = f"{canonicalize_name(dist.metadata['Name']).replace('-', '_')}-{version}"
    launchers = {ep.name for ep in dist.entry_points if ep.group == "console_scripts"}
    buffer = io.BytesIO()
    record: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for file in sorted(dist.files or (), key=str):
            path = str(file)
            if "__pycache__" in path or path.endswith("RECORD"):
                continue
            if path.startswith(".."):
                script = path.rsplit("/", 1)[-1]
                if "/bin/" not in path or script in launchers:
                    continue
                content = file.locate().read_bytes()
                path = f"{stem}.data/scripts/{script}"
                info = zipfile.ZipInfo(path, _ZIP_EPOCH)
                info.external_attr = 0o755 << 16
                archive.writestr(info, content)
                digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
                record.append(f"{path},sha256={digest.decode()},{len(content)}")
                continue
            if path.endswith((".dist-info/INSTALLER", ".dist-info/direct_url.json")):
                continue
            content = file.locate().read_bytes()
            archive.writestr(zipfile.ZipInfo(path, _ZIP_EPOCH), content)
            digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(content)}")
        dist_info = next(str(f).split("/")[0] for f in dist.files or () if ".dist-info/" in str(f))
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", _ZIP_EPOCH), "\n".join(record))
    return f"{stem}-py3-none-any.whl", buffer.getvalue()


HATCHLING = ("hatchling", "packaging", "pathspec", "pluggy", "trove-classifiers", "tomlkit")
RUFF = ("ruff",)
MYPY = ("mypy", "mypy-extensions", "typing-extensions", "pathspec", "librt", "ast-serialize")
PYTEST = ("pytest", "iniconfig", "packaging", "pluggy", "pygments")
