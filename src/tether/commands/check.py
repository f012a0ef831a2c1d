"""`tether check`: is the installed environment sound?

Two questions, answered without touching anything: does every installed distribution
have its requirements installed, at versions they accept (what `pip check` does), and
does the environment hold what the lock selects for it (nothing missing, nothing extra,
no other versions)? Reads the environment and the lock; no network, no resolver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tether.environment.freshness import lock_location
from tether.environment.lock_check import lock_mismatches
from tether.errors import InstallError
from tether.install.health import file_damage, unmet_requirements
from tether.install.wheel import Installed, installed
from tether.project import Project, find_pyproject
from tether.project.workspace import open_project
from tether.python.interpreter import describe


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
        damage for d in dists.values() if (damage := file_damage(d, verify=options.verify_files))
    ]
    versions = {name: d.version for name, d in dists.items()}
    for dist in sorted(dists.values(), key=lambda d: d.name.lower()):
        problems += unmet_requirements(dist, versions, markers)
    against_lock = False
    if project is not None and options.lock and (lock_location(project)).exists():
        against_lock = True
        problems += lock_mismatches(
            project, lock_location(project), environment, dists, interpreter
        )
    return CheckReport(
        environment=environment,
        checked=len(dists),
        against_lock=against_lock,
        problems=tuple(problems),
    )
