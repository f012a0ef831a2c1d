"""The requirements `tether add` writes: names parsed as PEP 508 with a located error,
`--editable PATH` read as the project at that path (with the path as the source writes
it), and a requirement given without a version bounded at the locked one (uv's
`>=X.Y.Z`, or `==`, `~=`, below the next major)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.errors import UsageError
from tether.fs import relative_posix
from tether.project.discovery import project_name_at


def editable_paths(paths: tuple[str, ...], root: Path) -> dict[Requirement, str]:
    """Each `--editable PATH`: its project name (from its pyproject.toml) and the path as
    written to the source (relative to the project when it can be)."""
    found: dict[Requirement, str] = {}
    for given in paths:
        directory = Path(given)
        if not directory.is_absolute():
            directory = Path.cwd() / directory
        project_name = project_name_at(directory)
        if project_name is None:
            raise UsageError(
                f"--editable {given}: no pyproject.toml with a [project] name there",
                hint="point at a project directory (PEP 621)",
            )
        found[Requirement(project_name)] = relative_posix(directory, root)
    return found


def parse_requirements(names: tuple[str, ...], *, allow_empty: bool = False) -> list[Requirement]:
    if not names and not allow_empty:
        raise UsageError("nothing to add", hint="e.g. tether add 'numpy>=2' httpx")
    parsed = []
    for text in names:
        try:
            parsed.append(Requirement(text))
        except InvalidRequirement as err:
            raise UsageError(
                f"invalid requirement '{text}': {err}",
                hint='requirements follow PEP 508, e.g. "numpy>=1.26" or "uvicorn[standard]"',
            ) from None
    return parsed


def with_lower_bound(requirement: Requirement, lock_path: Path, bounds: str) -> Requirement:
    """A requirement without a version gets one from the lock (uv's `>=X.Y.Z`)."""
    if requirement.specifier or requirement.url:
        return requirement
    key = canonicalize_name(requirement.name)
    versions = [
        Version(p["version"])
        for p in tomllib.loads(lock_path.read_text(encoding="utf-8")).get("packages", [])
        if canonicalize_name(p.get("name", "")) == key and p.get("version")
    ]
    if not versions:
        return requirement
    version = max(versions)
    specifier = {
        "lower": f">={version}",
        "exact": f"=={version}",
        "compatible": f"~={version.major}.{version.minor}",
        "major": f">={version},<{version.major + 1}",
    }[bounds]
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f"; {requirement.marker}" if requirement.marker else ""
    return Requirement(f"{requirement.name}{extras}{specifier}{marker}")
