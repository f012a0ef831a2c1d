"""Does the environment hold what the lock selects for it, with the groups and extras it was
synced with: nothing missing, nothing extra, no other versions, and editable members
that still point at code?"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from packaging.pylock import PylockSelectError
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.install.editable_check import editable_problems
from tether.install.plan import PROTECTED
from tether.install.state import sync_state
from tether.install.wheel import Installed
from tether.lock import read_lock
from tether.project import Project
from tether.python.interpreter import Interpreter


def lock_mismatches(
    project: Project,
    lock_path: Path,
    environment: Path,
    dists: Mapping[str, Installed],
    interpreter: Interpreter,
) -> list[str]:
    from packaging.pylock import PackageDirectory  # noqa: PLC0415 - loaded with read_lock

    versions = {name: d.version for name, d in dists.items()}
    state = sync_state(environment)
    extras = state.get("extras", [])
    groups = state.get("groups", sorted(project.default_groups()))
    try:
        selected = list(
            read_lock(lock_path).select(
                environment=dict(interpreter.markers),  # type: ignore[arg-type]
                tags=interpreter.tags(),
                extras=extras,
                dependency_groups=groups,
            )
        )
    except PylockSelectError as err:
        return [f"{lock_path} has nothing installable for this environment: {err}"]
    wanted = {
        canonicalize_name(package.name): str(package.version)
        for package, _ in selected
        if canonicalize_name(package.name) != project.name
    }
    problems = []
    for name, version in sorted(wanted.items()):
        have = versions.get(name)
        if have is None:
            problems.append(f"{name} {version} is in the lock but not installed")
        elif Version(have) != Version(version):
            problems.append(f"{name} is {have} here but {version} in the lock")
    extra = sorted(set(versions) - set(wanted) - PROTECTED - {project.name})
    problems += [f"{e} {versions[e]} is installed but not in the lock" for e in extra]
    # Editable members (the project, editable path sources): installed is not enough,
    # what they point at must still hold code ("in sync" and a failing import at once).
    editable = {
        canonicalize_name(package.name)
        for package, dist in selected
        if isinstance(dist, PackageDirectory) and dist.editable
    }
    if project.is_package:
        if project.name not in dists:
            problems.append(f"the project {project.name} itself is not installed")
        editable.add(project.name)
    site = Path(interpreter.paths["purelib"])
    for name in sorted(editable):
        dist = dists.get(name)
        if dist is not None and _is_editable(dist):
            problems += editable_problems(dist, site)
    return problems


def _is_editable(dist: Installed) -> bool:
    try:
        direct = json.loads((dist.dist_info / "direct_url.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(isinstance(direct, dict) and direct.get("dir_info", {}).get("editable"))
