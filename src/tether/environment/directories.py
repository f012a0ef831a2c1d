"""Installing project directories: the project itself and path dependencies, built
through their PEP 517 backend (editable per PEP 660, or as a regular wheel) and
rebuilt only when their version changed or they are not installed from that directory
in that mode."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from tether.build.backend import BuildKind, Installer, build_with_backend
from tether.cache import Bucket, Cache, digest
from tether.errors import BuildError, ProjectError
from tether.index.page import DistFile
from tether.install.plan import Directory, GitPin
from tether.install.wheel import LinkMode, Target, install, installed, uninstall, unpack
from tether.install.wheel_choice import best_wheel
from tether.project import BuildSystem, load_project
from tether.project.dynamic import build_fingerprint
from tether.python.interpreter import Interpreter
from tether.vcs.git import checkout
from tether.vcs.reference import GitReference

# Beside an installed directory's metadata: the build fingerprint it was built from.
BUILT_FROM = "tether-built-from"
# PEP 517's fallback for a directory that names no backend.
LEGACY_BUILD_SYSTEM = BuildSystem(
    requires=(Requirement("setuptools>=40.8.0"),), backend=None, backend_path=()
)


def read_build_system(source: Path) -> BuildSystem:
    if not (source / "pyproject.toml").exists() and (source / "setup.py").exists():
        return LEGACY_BUILD_SYSTEM  # a setup.py project
    try:
        project = load_project(source / "pyproject.toml")
    except ProjectError as err:
        err.add_note(f"while reading the path dependency at {source}")
        raise
    return project.build_system or LEGACY_BUILD_SYSTEM


def install_directory(
    directory: Directory,
    build_system: BuildSystem,
    interpreter: Interpreter,
    target: Target,
    *,
    installer: Installer,
    environ: Mapping[str, str],
    reinstall: bool = False,
) -> bool:
    """Build and install `directory` unless it is installed as it should be; True when
    it was (re)installed."""
    site = Path(interpreter.paths["purelib"])
    current = installed(site).get(canonicalize_name(directory.name))
    url = directory.source.as_uri()
    if current is not None and current.complete and not reinstall:
        direct = _direct_url(current.dist_info)
        same_place = direct.get("url") == url
        same_mode = bool(direct.get("dir_info", {}).get("editable")) == directory.editable
        same_version = directory.version is None or current.version == directory.version
        same_build = _built_from(current.dist_info) == build_fingerprint(directory.source)
        if same_place and same_mode and same_version and same_build:
            return False
    with tempfile.TemporaryDirectory(prefix="tether-directory-") as scratch:
        wheel = _build(
            "editable" if directory.editable else "wheel",
            directory.source,
            build_system,
            target,
            Path(scratch) / "dist",
            installer=installer,
            environ=environ,
        )
        if current is not None:
            uninstall(current.dist_info)
        tree = unpack(wheel, Path(scratch) / "tree")
        install(
            tree,
            target,
            link_mode=LinkMode.COPY,  # the tree is temporary
            requested=True,
            direct_url={"url": url, "dir_info": {"editable": directory.editable}},
        )
        fresh = installed(site).get(canonicalize_name(directory.name))
        if fresh is not None:  # what the next sync compares against (not in RECORD: ours)
            (fresh.dist_info / BUILT_FROM).write_text(build_fingerprint(directory.source))
    return True


def _build(
    kind: BuildKind,
    source: Path,
    system: BuildSystem,
    target: Target,
    out_dir: Path,
    *,
    installer: Installer,
    environ: Mapping[str, str],
) -> Path:
    """`source` built by its own backend (a wheel or a PEP 660 editable) for `target`."""
    return build_with_backend(
        kind,
        source=source,
        backend=system.backend,
        backend_path=system.backend_path,
        requires=system.requires,
        python=target.python,
        out_dir=out_dir,
        install_requirements=installer,
        environ=environ,
    )


def _direct_url(dist_info: Path) -> dict[str, Any]:
    """An installed distribution's PEP 610 direct_url.json (empty when absent or bad)."""
    try:
        found = json.loads((dist_info / "direct_url.json").read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _built_from(dist_info: Path) -> str | None:
    try:
        return (dist_info / BUILT_FROM).read_text().strip()
    except OSError:
        return None


def install_git(
    directory: Directory,
    interpreter: Interpreter,
    target: Target,
    *,
    cache: Cache,
    installer: Installer,
    environ: Mapping[str, str],
    reinstall: bool = False,
) -> bool:
    """Install a git dependency at its locked commit unless it is installed from that
    commit already; True when it was (re)installed. The wheel built from a commit is
    cached (by repository, commit and subdirectory), so it is built once per machine."""
    pin = directory.vcs
    assert pin is not None  # noqa: S101 - only git directories come here
    site = Path(interpreter.paths["purelib"])
    current = installed(site).get(canonicalize_name(directory.name))
    if (
        current is not None
        and current.complete
        and not reinstall
        and _direct_url(current.dist_info) == pin.direct_url()
    ):
        return False
    try:
        wheel = _git_wheel(pin, interpreter, target, cache, installer, environ)
    except BuildError as err:
        err.add_note(
            f"while building the git dependency '{directory.name}' "
            f"({pin.url} at commit {pin.commit[:12]})"
        )
        raise
    with tempfile.TemporaryDirectory(prefix="tether-git-") as scratch:
        tree = unpack(wheel, Path(scratch) / "tree")
        if current is not None:
            uninstall(current.dist_info)
        install(tree, target, link_mode=LinkMode.COPY, requested=True, direct_url=pin.direct_url())
    return True


def _git_wheel(  # noqa: PLR0917 - the resources a build needs
    pin: GitPin,
    interpreter: Interpreter,
    target: Target,
    cache: Cache,
    installer: Installer,
    environ: Mapping[str, str],
) -> Path:
    """The wheel built from the pinned commit for this interpreter: from the cache, or
    checked out and built now."""
    where = cache.path(
        Bucket.GIT_BUILT, digest(pin.url), pin.commit, digest(pin.subdirectory or ".")
    )
    found = [
        DistFile(filename=w.name, url=w.as_uri(), version=parse_wheel_filename(w.name)[1])
        for w in (sorted(where.glob("*.whl")) if where.is_dir() else [])
    ]
    best = best_wheel(found, interpreter)
    if best is not None:
        return where / best.filename
    reference = GitReference(pin.url, pin.requested, pin.subdirectory)
    tree = checkout(reference, pin.commit, cache, environ)
    with tempfile.TemporaryDirectory(prefix="tether-git-build-") as scratch:
        wheel = _build(
            "wheel",
            tree.project,
            read_build_system(tree.project),
            target,
            Path(scratch) / "dist",
            installer=installer,
            environ=environ,
        )
        where.mkdir(parents=True, exist_ok=True)
        final = where / wheel.name
        shutil.move(str(wheel), final)
    return final
