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
from tether.provider.wheel_fit import fits, fits_platform
from tether.resolve.condition import Release as PythonRelease
from tether.resolve.condition import specifier_floor

# Why a release with wheels only, none for the fork's platforms, is left out there.
NO_WHEEL_HERE = "has no wheel for the platforms this lock serves here, and no sdist"


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
    # The environments this lock (or fork) serves, one sample per OS, CPU,
    # implementation and Python: a release with wheels only, none for any of them, is
    # unusable here (uv's rule for wheels whose implied platforms miss the fork).
    platforms: tuple[Mapping[str, str], ...] = ()
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
    """One version the resolver may consider. Judged (Requires-Python, wheels for the
    platforms served) and its files made objects on first use: of the hundreds of
    releases a page lists, the resolver looks at a few, and judging every file of
    every release was 1.5 s of a cold lock of ml-research."""

    __slots__ = (
        "_files",
        "_policy",
        "_python_floor",
        "_rows",
        "_unusable",
        "_wheel_floor",
        "version",
    )

    def __init__(
        self,
        version: Version,
        files: tuple[DistFile, ...] = (),
        unusable: str | None = None,  # why the resolver must not pick it, for messages
        *,
        rows: tuple[Row, ...] | None = None,
        python_floor: PythonRelease | None = None,
        wheel_floor: PythonRelease | None = None,
        policy: Policy | None = None,  # given: `rows` are judged against it on first use
    ) -> None:
        self.version = version
        self._wheel_floor = wheel_floor
        self._unusable = unusable
        self._python_floor = python_floor
        self._rows = rows
        self._files = files if rows is None else None
        self._policy = policy

    @property
    def unusable(self) -> str | None:
        """Why the resolver must not pick it (for messages); None when it may."""
        self._settle()
        return self._unusable

    @property
    def python_floor(self) -> PythonRelease | None:
        """Kept out by Requires-Python only: the lowest Python its files admit, where a
        fork of the lock above it could use it."""
        self._settle()
        return self._python_floor

    @property
    def wheel_floor(self) -> PythonRelease | None:
        """Usable, but its wheels (no sdist) start above the lowest Python served."""
        self._settle()
        return self._wheel_floor

    @property
    def files(self) -> tuple[DistFile, ...]:
        self._settle()
        if self._files is None:
            self._files = tuple(file_of(row, self.version) for row in self._rows or ())
        return self._files

    def metadata_file(self) -> DistFile:
        """`best_file` of the release, without making an object of each of its files (a
        torch release lists 30 wheels, and the resolver reads one)."""
        self._settle()
        rows = self._rows
        if self._files is not None or not rows:
            return best_file(self.files)
        return file_of(rows[_best_index([row[0] for row in rows])], self.version)

    def _settle(self) -> None:
        if self._policy is not None:
            self._judge(self._policy)

    def _judge(self, policy: Policy) -> None:
        # The provider's threads may judge one release at once: both get the same
        # answer, and `_policy` is cleared only after the answer is in place.
        rows, self._unusable, self._python_floor, self._wheel_floor = _judged(
            self._rows or (), policy, self.version
        )
        self._rows = rows
        self._policy = None

    def __repr__(self) -> str:
        return f"Release({self.version!s}, unusable={self.unusable!r})"


def releases(page: ProjectPage, policy: Policy) -> list[Release]:
    """The releases in the order the resolver tries them, most preferred first. Works
    on the page's rows (thousands of files, and asked again for each fork of the lock):
    a release is left out only when all its files came after `exclude-newer`, which the
    first in-time file settles; everything else is judged when the release is asked."""
    found: list[Release] = []
    cutoff = None if policy.exclude_newer is None else micros(policy.exclude_newer)
    never = policy.prereleases == "never"
    for version, rows in page.groups:
        if never and version.is_prerelease:
            continue
        if cutoff is not None and not _any_in_time(rows, cutoff):
            continue
        found.append(Release(version, rows=rows, policy=policy))
    found.sort(key=lambda r: r.version, reverse=not policy.lowest)
    if policy.prereleases == "last":
        found.sort(key=lambda r: r.version.is_prerelease)  # stable: keeps the order within
    if policy.preferred:
        # A preferred release this fork cannot use keeps its place ahead of the others:
        # the solver skips it, and the universal resolution sees that a fork above its
        # Python floor would take it (so a re-lock forks as the first lock did).
        found.sort(key=lambda r: r.version not in policy.preferred)
    return found


def _any_in_time(rows: tuple[Row, ...], cutoff: int) -> bool:
    first = rows[0][UPLOADED] if rows else None  # the common answer, without a generator
    if first is None or first <= cutoff:
        return bool(rows)
    return any(row[UPLOADED] is None or row[UPLOADED] <= cutoff for row in rows)


_Judged = tuple[tuple[Row, ...], str | None, PythonRelease | None, PythonRelease | None]


def _judged(rows: Sequence[Row], policy: Policy, version: Version) -> _Judged:
    """(the rows to use, why unusable, python floor, wheel floor) of a release whose
    files are `rows`: yanked files (PEP 592) only when pinned, files uploaded after
    `exclude-newer` never, then Requires-Python and the wheels' platforms."""
    cutoff = None if policy.exclude_newer is None else micros(policy.exclude_newer)
    in_time = tuple(
        row for row in rows if cutoff is None or row[UPLOADED] is None or row[UPLOADED] <= cutoff
    )
    yanked_ok = version in policy.allow_yanked
    kept: Sequence[Row] = tuple(row for row in in_time if row[YANKED] is False or yanked_ok)
    if not kept:  # every file yanked: kept, unusable, so that errors say it exists
        return in_time, _yanked(in_time), None, None
    requires_python = policy.requires_python
    if not (policy.wheels and policy.builds):
        kinds = tuple(row for row in kept if row[0].endswith(".whl") == policy.wheels)
        if not kinds:
            return tuple(kept), _why_no_kind(policy), None, None
        kept = kinds
    usable = tuple(
        row
        for row in kept
        if not row[REQUIRES_PYTHON]
        or not requires_python
        or _covers(row[REQUIRES_PYTHON], requires_python)
    )
    if not usable:
        pythons = sorted({row[REQUIRES_PYTHON] or "" for row in kept})
        floors = [f for f in map(specifier_floor, pythons) if f is not None]
        needs = (
            f"requires Python {' or '.join(pythons)}, but the project "
            f"supports {policy.project_python or policy.requires_python}"
        )
        return tuple(kept), needs, min(floors) if floors else None, None
    wheels_only = all(row[0].endswith(".whl") for row in usable)
    span = _wheel_span(usable) if wheels_only else None
    lowest = _lowest(requires_python)
    floor = None if span is None else span[0]
    misfit = None if span is None else _misfit(span, requires_python)
    if misfit is not None:
        # No sdist, and no wheel for any Python this lock (or fork) serves (uv's
        # rule): torch 1.10 (cp36-cp39) for >=3.10. Wheels above the range name a
        # floor where a fork could use them.
        above = floor if floor is not None and floor > lowest else None
        return usable, misfit, above, None
    if wheels_only and not _fits_somewhere(usable, policy.platforms):
        return (
            usable,
            NO_WHEEL_HERE,
            None,
            None,
        )
    lacking = _lacking(usable, policy.required) if wheels_only else None
    why = (
        None
        if lacking is None
        else f"has no wheel for {lacking} (required-environments) and no sdist"
    )
    # Wheels only from a Python above the range's lowest, no sdist (onnxruntime 1.20
    # ships cp310+, says no Requires-Python): the universal resolution splits there, so
    # the Pythons below get a release they can install.
    return usable, why, None, floor if floor is not None and floor > lowest else None


def _wheel_span(rows: Sequence[Row]) -> tuple[PythonRelease, PythonRelease | None] | None:
    """(lowest, highest) CPython minor a wheel-only release's wheels (`rows`) are
    built for; the highest is None when an abi3 wheel serves every later Python too.
    None when there is an any-Python (py3) wheel, or no wheel CPython can use."""
    floors: list[PythonRelease] = []
    ceilings: list[PythonRelease | None] = []
    for row in rows:
        parts = row[0][:-4].split("-")
        if len(parts) < 5:
            continue
        stable = parts[-2] == "abi3"
        for tag in parts[-3].split("."):
            if tag.startswith("py3") and len(tag) <= 3:
                return None
            digits = tag[3:] if tag.startswith(("cp3", "py3")) else ""
            if digits.isdigit():
                minor: PythonRelease = (3, int(digits), 0)
                floors.append(minor)
                ceilings.append(None if stable or tag.startswith("py") else minor)
    if not floors:
        return None
    return min(floors), None if None in ceilings else max(c for c in ceilings if c is not None)


def _misfit(span: tuple[PythonRelease, PythonRelease | None], requires_python: str) -> str | None:
    """Why no wheel of the span fits any Python `requires_python` admits (None: one
    does)."""
    if not requires_python:
        return None
    # Only wheels that all start above the range count: ones that stop below it (none
    # yet for a new Python) are kept, as uv keeps torchvision 0.29 for Python >= 3.15;
    # refusing them would fail the whole lock for a Python few run yet.
    floor = span[0]
    upper = _upper(requires_python)
    if upper is not None and floor >= upper:
        return f"has wheels only for Python {_release_text(floor)} and newer, and no sdist"
    return None


def _lowest(requires_python: str) -> PythonRelease:
    found = specifier_floor(requires_python)
    return (0, 0, 0) if found is None else (found[0], found[1], 0)


def _upper(requires_python: str) -> PythonRelease | None:
    """The exclusive upper bound of `requires_python` as a minor (`<3.11` → 3.11;
    `<3.11.5` → 3.12: Python 3.11.0 to 3.11.4 run cp311 wheels)."""
    bounds = []
    for single in SpecifierSet(requires_python):
        if single.operator in ("<", "<="):
            release = Version(single.version.removesuffix(".*")).release
            padded = (*release, 0, 0)
            within = single.operator == "<=" or any(padded[2:])
            bounds.append((padded[0], padded[1] + (1 if within else 0), 0))
    return min(bounds) if bounds else None


def _release_text(release: PythonRelease) -> str:
    return f"{release[0]}.{release[1]}"


def _fits_somewhere(rows: Sequence[Row], platforms: tuple[Mapping[str, str], ...]) -> bool:
    """Whether some wheel of a wheel-only release installs in some of `platforms` (no
    platforms given: anything goes)."""
    if not platforms:
        return True
    return any(fits_platform(row[0], env) for row in rows for env in platforms)


def _lacking(
    rows: Sequence[Row], required: tuple[tuple[str, tuple[Mapping[str, str], ...]], ...]
) -> str | None:
    """The first required environment no wheel of a wheel-only release installs in;
    None when every one is served."""
    if not required:
        return None
    for name, environments in required:
        if not any(fits(row[0], env) for row in rows for env in environments):
            return name
    return None


def _yanked(rows: Sequence[Row]) -> str:
    reasons = sorted({r[YANKED] for r in rows if isinstance(r[YANKED], str) and r[YANKED]})
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return f"was yanked{why}; only an exact pin (==) selects a yanked release"


def _why_no_kind(policy: Policy) -> str:
    if not policy.wheels:
        return "has no sdist, and no-binary says to build it from one"
    return "has only an sdist, and no-build says not to build it"


def best_file(files: Sequence[DistFile]) -> DistFile:
    """The file whose metadata stands for the release: a universal wheel, any wheel,
    then the sdist (metadata is the same across a release's files in practice)."""
    return files[_best_index([f.filename for f in files])]


def _best_index(filenames: Sequence[str]) -> int:
    """Where `best_file`'s choice stands among `filenames`."""
    for suffix in ("-none-any.whl", ".whl"):
        found = next((i for i, name in enumerate(filenames) if name.endswith(suffix)), None)
        if found is not None:
            return found
    return 0


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
