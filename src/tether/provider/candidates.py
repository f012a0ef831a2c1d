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

from tether.index.page import (
    REQUIRES_PYTHON,
    UPLOADED,
    YANKED,
    DistFile,
    ProjectPage,
    Row,
    file_of,
    micros,
)


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


class Release:
    """One version the resolver may consider. Its files become objects on first use:
    of the hundreds of releases a page lists, the resolver looks at a few."""

    __slots__ = ("_files", "_rows", "unusable", "version")

    def __init__(
        self,
        version: Version,
        files: tuple[DistFile, ...] = (),
        unusable: str | None = None,  # why the resolver must not pick it, for messages
        *,
        rows: tuple[Row, ...] | None = None,
    ) -> None:
        self.version = version
        self.unusable = unusable
        self._rows = rows
        self._files = files if rows is None else None

    @property
    def files(self) -> tuple[DistFile, ...]:
        if self._files is None:
            self._files = tuple(file_of(row, self.version) for row in self._rows or ())
        return self._files

    def __repr__(self) -> str:
        return f"Release({self.version!s}, unusable={self.unusable!r})"


def releases(page: ProjectPage, policy: Policy) -> list[Release]:
    """The usable releases, most preferred first. Works on the page's rows: thousands
    of files, checked for yanking, upload time and Requires-Python without making an
    object for each."""
    found: list[Release] = []
    cutoff = None if policy.exclude_newer is None else micros(policy.exclude_newer)
    requires_python = policy.requires_python
    for version, rows in page.groups:
        yanked_ok = version in policy.allow_yanked
        kept = [
            row
            for row in rows
            if (row[YANKED] is False or yanked_ok)
            and (cutoff is None or row[UPLOADED] is None or row[UPLOADED] <= cutoff)
        ]
        if not kept:
            continue
        if version.is_prerelease and policy.prereleases == "never":
            continue
        usable = [
            row
            for row in kept
            if not row[REQUIRES_PYTHON]
            or not requires_python
            or _covers(row[REQUIRES_PYTHON], requires_python)
        ]
        if usable:
            found.append(Release(version, rows=tuple(usable)))
        else:
            pythons = sorted({row[REQUIRES_PYTHON] or "" for row in kept})
            found.append(
                Release(
                    version,
                    rows=tuple(kept),
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


@lru_cache(maxsize=4096)
def _covers(file_requires: str, requires_python: str) -> bool:
    """Whether a file's Requires-Python admits every Python the project supports, upper
    bounds aside.

    Upper bounds (`<3.14`) are ignored, as uv does: packages add them defensively before
    a Python exists, and honouring them would make a project with an open range
    (`>=3.11`) unable to use triton, numba or torch at all. Cached: a page lists the
    same few Requires-Python strings on thousands of files."""
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
