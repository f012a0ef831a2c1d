"""What `pip check` asks of an environment's installed distributions: are their own
files all there (and, when asked, unchanged), and is every requirement installed at a
version it accepts?"""

from __future__ import annotations

from collections.abc import Mapping
from email.parser import BytesParser

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.install.wheel import Installed, missing_files


def file_damage(dist: Installed, *, verify: bool) -> str | None:
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


def unmet_requirements(
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
