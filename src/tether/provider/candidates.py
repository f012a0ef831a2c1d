"""Which releases of a package the resolver may consider, and in which order. Pure.

The policies live here, not in the solver: yanked files (PEP 592) only when pinned with
`==`; files uploaded after `exclude-newer` never; pre-releases after every final
release unless allowed outright (so one is chosen only when nothing else fits); and a
release whose `Requires-Python` does not admit every Python the project supports is
kept but marked unusable, so that error messages can say why it was skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tether.index.page import DistFile, ProjectPage


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    requires_python: str = ""
    exclude_newer: datetime | None = None
    # "allow": pre-releases compete with final releases; "last": they are tried only
    # after every final release (chosen only when nothing else fits, as pip and uv do);
    # "never". Decided per package by the caller from the --prerelease policy.
    prereleases: str = "last"
    allow_yanked: frozenset[Version] = frozenset()
    lowest: bool = False
    # Versions the existing lock has: tried first, so re-locking changes only what it
    # must (uv's lock preferences).
    preferred: frozenset[Version] = frozenset()


@dataclass(frozen=True, slots=True)
class Release:
    version: Version
    files: tuple[DistFile, ...]
    unusable: str | None = None  # why the resolver must not pick it, for messages


def releases(page: ProjectPage, policy: Policy) -> list[Release]:
    """The usable releases, most preferred first."""
    found: list[Release] = []
    for version, files in page.versions().items():
        kept = [f for f in files if _admitted(f, version, policy)]
        if not kept:
            continue
        if version.is_prerelease and policy.prereleases == "never":
            continue
        usable = [f for f in kept if _supports_project_python(f, policy.requires_python)]
        if usable:
            found.append(Release(version, tuple(usable)))
        else:
            pythons = sorted({f.requires_python or "" for f in kept})
            found.append(
                Release(
                    version,
                    tuple(kept),
                    unusable=f"requires Python {' or '.join(pythons)}, but the project "
                    f"supports {policy.requires_python}",
                )
            )
    found.sort(key=lambda r: r.version, reverse=not policy.lowest)
    if policy.prereleases == "last":
        found.sort(key=lambda r: r.version.is_prerelease)  # stable: keeps the order within
    if policy.preferred:
        found.sort(key=lambda r: r.version not in policy.preferred or r.unusable is not None)
    return found


def best_file(files: Sequence[DistFile]) -> DistFile:
    """The file whose metadata stands for the release: a universal wheel, any wheel,
    then the sdist (metadata is the same across a release's files in practice)."""
    universal = [f for f in files if f.filename.endswith("-none-any.whl")]
    wheels = [f for f in files if f.is_wheel]
    return (universal or wheels or list(files))[0]


def _admitted(file: DistFile, version: Version, policy: Policy) -> bool:
    if file.yanked and version not in policy.allow_yanked:
        return False
    return not (
        policy.exclude_newer is not None
        and file.upload_time is not None
        and file.upload_time > policy.exclude_newer
    )


def _supports_project_python(file: DistFile, requires_python: str) -> bool:
    """Whether the file supports every Python the project does, upper bounds aside.

    Upper bounds (`<3.14`) are ignored, as uv does: packages add them defensively before
    a Python exists, and honouring them would make a project with an open range
    (`>=3.11`) unable to use triton, numba or torch at all.
    """
    if not file.requires_python or not requires_python:
        return True
    return _covers(file.requires_python, requires_python)


@lru_cache(maxsize=4096)
def _covers(file_requires: str, requires_python: str) -> bool:
    """Cached: a page lists the same few Requires-Python strings on thousands of files."""
    try:
        wanted = SpecifierSet(
            ",".join(str(s) for s in SpecifierSet(file_requires) if s.operator not in ("<", "<="))
        )
        project = SpecifierSet(requires_python)
    except ValueError:
        return True  # an unparsable Requires-Python does not exclude the file (pip too)
    # Compare on real Python releases, not version ranges: `==3.9.*` contains 3.9.0a1,
    # which `>=3.9` does not, yet no project runs on a pre-release of its lowest Python.
    return all(wanted.contains(p) for p in _PYTHONS if project.contains(p))


_PYTHONS = tuple(
    Version(f"3.{minor}.{patch}") for minor in range(6, 16) for patch in (0, 1, 5, 11, 25)
)
