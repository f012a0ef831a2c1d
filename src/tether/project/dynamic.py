"""Projects whose `[project]` leaves fields to the build backend (`dynamic`): when the
lock needs the backend's answer, and a fingerprint of what that answer depends on.

`tether lock` asks the backend (`prepare_metadata_for_build_wheel`) for such a
project's metadata (`project.filled` puts it back into the project); the fingerprint
lets a cached answer be reused until an input changes, and lets `tether run` tell that
the lock is stale without building anything or importing the resolver.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

from tether.project.fields import RESOLVED_FIELDS
from tether.project.pyproject import Project

# Files backends commonly read besides the ones a project's own tables name.
_KNOWN_INPUTS = ("pyproject.toml", "setup.py", "setup.cfg", "PKG-INFO")
_REQUIREMENT_FILES = ("*.txt", "*.in")


def needs_backend(project: Project, *, version: bool = False) -> bool:
    """Whether the lock needs the backend's answer: some field it resolves is dynamic
    (`version`: the version too, which something pins the project to)."""
    return bool(project.dynamic & (RESOLVED_FIELDS | ({"version"} if version else set())))


def input_digest(root: Path) -> str:
    """sha256 over what a backend reads to compute dynamic metadata: pyproject.toml,
    setup.py/setup.cfg, requirement files beside them, the files `[tool.hatch.version]`
    and `[tool.setuptools.dynamic]` name, and the git commit checked out (for
    setuptools-scm, hatch-vcs). Cheap: no build, a few small files."""
    digest = hashlib.sha256()
    paths = [root / name for name in _KNOWN_INPUTS]
    for pattern in _REQUIREMENT_FILES:
        paths += sorted(root.glob(pattern))
    paths += [root / name for name in _named_files(root)]
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    digest.update(b"git:" + _git_commit(root).encode())
    return "sha256:" + digest.hexdigest()


# Build tables that shape an installed project (its scripts, packages, version).
_BUILD_TOOLS = (
    "hatch", "setuptools", "setuptools_scm", "poetry", "flit", "pdm", "scikit-build", "maturin",
)  # fmt: skip


def build_fingerprint(root: Path) -> str:
    """sha256 over what an installed project directory was built from: its `[project]`
    and `[build-system]` tables, the build backends' own tables, setup.py/setup.cfg, and
    for dynamic metadata what computes it. Not other tools' tables: a new ruff rule
    rebuilds nothing. A changed fingerprint means the installed build (an editable
    install's console scripts, entry points, requirements) may be out of date."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    shaped = {
        "project": data.get("project"),
        "build-system": data.get("build-system"),
        "tool": {name: tool[name] for name in _BUILD_TOOLS if name in tool},
    }
    digest = hashlib.sha256(json.dumps(shaped, sort_keys=True, default=str).encode())
    for name in ("setup.py", "setup.cfg"):
        try:
            digest.update(name.encode() + b"\0" + (root / name).read_bytes())
        except OSError:
            continue
    project = data.get("project")
    if isinstance(project, dict) and project.get("dynamic"):
        digest.update(input_digest(root).encode())
    return "sha256:" + digest.hexdigest()


def _named_files(root: Path) -> list[str]:
    """Files the project's own build tables say its dynamic fields come from."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    tool = data.get("tool", {})
    found: list[str] = []
    hatch_version = tool.get("hatch", {}).get("version", {})
    if isinstance(hatch_version, dict) and isinstance(hatch_version.get("path"), str):
        found.append(hatch_version["path"])
    dynamic = tool.get("setuptools", {}).get("dynamic", {})
    if isinstance(dynamic, dict):
        for value in dynamic.values():
            files = value.get("file") if isinstance(value, dict) else None
            if isinstance(files, str):
                found.append(files)
            elif isinstance(files, list):
                found += [f for f in files if isinstance(f, str)]
    return sorted({f for f in found if ".." not in Path(f).parts and not Path(f).is_absolute()})


def _git_commit(root: Path) -> str:
    """The commit checked out in the repository holding `root` ("" outside git)."""
    for directory in (root, *root.parents):
        git = directory / ".git"
        if not git.exists():
            continue
        try:
            if git.is_file():  # a worktree or submodule: "gitdir: <path>"
                git = (directory / git.read_text().split(":", 1)[1].strip()).resolve()
            head = (git / "HEAD").read_text().strip()
            if not head.startswith("ref: "):
                return head
            ref = head[5:]
            if (git / ref).is_file():
                return (git / ref).read_text().strip()
            packed = (git / "packed-refs").read_text() if (git / "packed-refs").is_file() else ""
            for line in packed.splitlines():
                if line.endswith(" " + ref):
                    return line.split(" ", 1)[0]
            return head
        except OSError:
            return ""
    return ""
