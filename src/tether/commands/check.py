"""`tether check`: is the installed environment sound?

Two questions, answered without touching anything: does every installed distribution
have its requirements installed, at versions they accept (what `pip check` does), and
does the environment hold what the lock selects for it (nothing missing, nothing extra,
no other versions)? Reads the environment and the lock; no network, no resolver.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path

from packaging.markers import InvalidMarker
from packaging.pylock import PylockSelectError
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.commands.locations import lock_location
from tether.errors import InstallError
from tether.install.editable_check import editable_problems
from tether.install.plan import PROTECTED
from tether.install.state import sync_state
from tether.install.wheel import Installed, installed, missing_files
from tether.lock import read_lock
from tether.project import Project, find_pyproject
from tether.project.workspace import open_project
from tether.python.interpreter import Interpreter, describe


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOptions:
    start: Path
    environ: Mapping[str, str]
    environment: Path | None = None  # another venv: requirements only, no lock
    lock: bool = True
    verify_files: bool = False  # every RECORD row's hash, not only the files' presence


@dataclass(frozen=True, slots=True)
class CheckReport:
    environment: Path
    checked: int
    against_lock: bool
    problems: tuple[str, ...]


def check(options: CheckOptions) -> CheckReport:
    project: Project | None = None
    if options.environment is None:
        project = open_project(find_pyproject(options.start))
        environment = project.environment(options.environ)
    else:
        environment = options.environment.absolute()
    python = environment / "bin" / "python"
    if not python.exists():
        raise InstallError(
            f"there is no environment at {environment}",
            hint="run `tether sync` to create it" if project else "check the path",
        )
    interpreter = describe(python)
    dists: dict[str, Installed] = {}
    for key in ("purelib", "platlib"):
        dists.update(installed(Path(interpreter.paths[key])))
    markers = dict(interpreter.markers)
    problems = [
        damage for d in dists.values() if (damage := _damage(d, verify=options.verify_files))
    ]
    versions = {name: d.version for name, d in dists.items()}
    for dist in sorted(dists.values(), key=lambda d: d.name.lower()):
        problems += _unsatisfied(dist, versions, markers)
    against_lock = False
    if project is not None and options.lock and (lock_location(project)).exists():
        against_lock = True
        problems += _against_lock(project, environment, dists, interpreter)
    return CheckReport(
        environment=environment,
        checked=len(dists),
        against_lock=against_lock,
        problems=tuple(problems),
    )


def _damage(dist: Installed, *, verify: bool) -> str | None:
    """What is wrong with the distribution's own files, if anything: a RECORD missing
    (an interrupted install or uninstall), files missing after an interrupted change
    (`installed` found them), or with `verify`, any file missing or changed."""
    fix = f"run `tether sync --reinstall-package {dist.name}`"
    if not dist.damaged and not (dist.dist_info / "RECORD").is_file():
        return f"{dist.name} {dist.version} is half-installed (no RECORD): {fix}"
    missing = missing_files(dist, hashes=verify) if dist.damaged or verify else []
    if not missing:
        return None
    shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    return f"{dist.name} {dist.version} has files missing or changed ({shown}): {fix}"


def _unsatisfied(
    dist: Installed, versions: Mapping[str, str], markers: dict[str, str]
) -> list[str]:
    with (dist.dist_info / "METADATA").open("rb") as stream:
        metadata = BytesParser().parse(stream, headersonly=True)
    found = []
    for line in metadata.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({**markers, "extra": ""}):
                continue
        except (InvalidRequirement, InvalidMarker):
            found.append(f"{dist.name} {dist.version} has an invalid requirement: {line!r}")
            continue
        have = versions.get(canonicalize_name(requirement.name))
        if have is None:
            found.append(f"{dist.name} {dist.version} requires {requirement}, not installed")
        elif not _accepts(requirement, have):
            found.append(
                f"{dist.name} {dist.version} requires {requirement}, "
                f"but {requirement.name} {have} is installed"
            )
    return found


def _accepts(requirement: Requirement, version: str) -> bool:
    try:
        return requirement.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def _against_lock(
    project: Project, environment: Path, dists: Mapping[str, Installed], interpreter: Interpreter
) -> list[str]:
    from packaging.pylock import PackageDirectory  # noqa: PLC0415 - loaded with read_lock

    versions = {name: d.version for name, d in dists.items()}
    state = sync_state(environment)
    extras = state.get("extras", [])
    groups = state.get("groups", sorted(project.default_groups()))
    lock_path = lock_location(project)
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
