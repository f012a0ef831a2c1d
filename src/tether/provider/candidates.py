"""Which releases of a package the resolver may consider, and in which order. Pure.

The policies live here, not in the solver: yanked files (PEP 592) only when pinned with
`==`; files uploaded after `exclude-newer` never; pre-releases after every final
release unless allowed outright (so one is chosen only when nothing else fits); and a
release whose `Requires-Python` does not admit every Python the project supports is
kept but marked unusable, so that error messages can say why it was skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from tether.provider.wheel_fit import fits
from tether.resolve.condition import Release as PythonRelease
from tether.resolve.condition import specifier_floor


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    requires_python: str = ""  # what each file's Requires-Python must admit
    project_python: str = ""  # the project's own, for messages (default: the above)
    exclude_newer: datetime | None = None
    # "allow": pre-releases compete with final releases; "last": they are tried only
    # after every final release (chosen only when nothing else fits, as pip and uv do);
    # "never". Decided per package by the caller from the --prerelease policy.
    prereleases: str = "last"
    allow_yanked: frozenset[Version] = frozenset()
    # required-environments: (marker text, sample environments) each of which a release
    # must have a wheel for, unless it has an sdist.
    required: tuple[tuple[str, tuple[Mapping[str, str], ...]], ...] = ()
    wheels: bool = True  # False: no-binary, only the sdist is used
    builds: bool = True  # False: no-build, only wheels are used
    lowest: bool = False
    # Versions the existing lock has: tried first, so re-locking changes only what it
    # must (uv's lock preferences).
    preferred: frozenset[Version] = frozenset()


class Release:
    """One version the resolver may consider. Its files become objects on first use:
    of the hundreds of releases a page lists, the resolver looks at a few."""

    __slots__ = ("_files", "_rows", "python_floor", "unusable", "version")

    def __init__(
        self,
        version: Version,
        files: tuple[DistFile, ...] = (),
        unusable: str | None = None,  # why the resolver must not pick it, for messages
        *,
        rows: tuple[Row, ...] | None = None,
        python_floor: PythonRelease | None = None,
    ) -> None:
        self.version = version
        self.unusable = unusable
        # Kept out by Requires-Python only: the lowest Python its files admit, where a
        # fork of the lock above it could use it.
        self.python_floor = python_floor
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
        if not (policy.wheels and policy.builds):
            kinds = [row for row in kept if row[0].endswith(".whl") == policy.wheels]
            if not kinds:
                found.append(Release(version, rows=tuple(kept), unusable=_why_no_kind(policy)))
                continue
            kept = kinds
        usable = [
            row
            for row in kept
            if not row[REQUIRES_PYTHON]
            or not requires_python
            or _covers(row[REQUIRES_PYTHON], requires_python)
        ]
        if usable:
            lacking = _lacking(usable, policy.required)
            found.append(
                Release(
                    version,
                    rows=tuple(usable),
                    unusable=None
                    if lacking is None
                    else f"has no wheel for {lacking} (required-environments) and no sdist",
                )
            )
        else:
            pythons = sorted({row[REQUIRES_PYTHON] or "" for row in kept})
            floors = [f for f in map(specifier_floor, pythons) if f is not None]
            found.append(
                Release(
                    version,
                    rows=tuple(kept),
                    unusable=f"requires Python {' or '.join(pythons)}, but the project "
                    f"supports {policy.project_python or policy.requires_python}",
                    python_floor=min(floors) if floors else None,
                )
            )
    found.sort(key=lambda r: r.version, reverse=not policy.lowest)
    if policy.prereleases == "last":
        found.sort(key=lambda r: r.version.is_prerelease)  # stable: keeps the order within
    if policy.preferred:
        # A preferred release this fork cannot use keeps its place ahead of the others:
        # the solver skips it, and the universal resolution sees that a fork above its
        # Python floor would take it (so a re-lock forks as the first lock did).
        found.sort(key=lambda r: r.version not in policy.preferred)
    return found


def _lacking(
    rows: Sequence[Row], required: tuple[tuple[str, tuple[Mapping[str, str], ...]], ...]
) -> str | None:
    """The first required environment no file of the release installs in (an sdist
    installs anywhere, by building it); None when every one is served."""
    if not required or any(not row[0].endswith(".whl") for row in rows):
        return None
    for name, environments in required:
        if not any(fits(row[0], env) for row in rows for env in environments):
            return name
    return None


def _why_no_kind(policy: Policy) -> str:
    if not policy.wheels:
        return "has no sdist, and no-binary says to build it from one"
    return "has only an sdist, and no-build says not to build it"


def best_file(files: Sequence[DistFile]) -> DistFile:
    """The file whose metadata stands for the release: a universal wheel, any wheel,
    then the sdist (metadata is the same across a release's files in practice)."""
    universal = [f for f in files if f.filename.endswith("-none-any.whl")]
    wheels = [f for f in files if f.is_wheel]
    return (universal or wheels or list(files))[0]


@lru_cache(maxsize=4096)
def _covers(file_requires: str, requires_python: str) -> bool:
    """Whether a file's Requires-Python admits the lowest Python the project (or the
    fork of the lock) supports: its floor is at or below that Python.

    Only the floor counts, as in uv: upper bounds (`<3.14`) are added defensively
    before a Python exists, and exclusions (`!=3.14.1`, torchvision 0.29's) name one
    broken patch release; honouring either would make an open range (`>=3.11`) unable
    to use triton, numba or torchvision at all. Cached: a page lists the same few
    Requires-Python strings on thousands of files."""
    try:
        SpecifierSet(file_requires)
    except ValueError:
        return True  # an unparsable Requires-Python does not exclude the file (pip too)
    floor = specifier_floor(file_requires)
    if floor is None:
        return True
    lowest = specifier_floor(requires_python) or (0, 0, 0)
    return floor <= lowest
