"""`resolve.Provider` over the index client: versions from index pages, dependencies
from core metadata, fetched ahead of the solver by a thread pool.

It also records what the lock needs and the solver does not: each release's files and
index, and every dependency edge with its marker (extras and groups of the project
appear as PEP 751 `extras` / `dependency_groups` markers on the root's edges).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tether.errors import BuildError, IndexFetchError, LockError
from tether.index import Index
from tether.index.client import (
    Found,
    IndexClient,
    MetadataResult,
    MetadataSource,
    NotFound,
    Offline,
)
from tether.index.client import Unavailable as Unbuilt
from tether.index.core_metadata import parse_core_metadata
from tether.index.declared import DeclaredMetadata, declared_metadata
from tether.index.page import DistFile, ProjectPage
from tether.provider.bounds import Bounds, replaced_by, requirements_by_name
from tether.provider.candidates import NO_WHEEL_HERE, Policy, Release, releases
from tether.provider.direct import DirectArchive, DirectBuilds, fetch_direct
from tether.resolve import Available, Dependency, Package, Unavailable
from tether.resolve.condition import Release as PythonRelease
from tether.resolve.markers import PLATFORMS, Grid, conjoin, substitute
from tether.resolve.provider import Edge
from tether.resolve.version_set import exactly, from_specifier

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

    from tether.vcs.git import GitCheckout
    from tether.vcs.reference import GitReference

PREFETCH_THREADS = 16
# After this many releases of one package were asked for, the metadata of the next ones
# (as many as were tried, up to WALK_AHEAD) is fetched ahead (uv batch-prefetches too).
WALK_AHEAD_AFTER = 10
WALK_AHEAD = 32
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class RootRequirement:
    """One requirement of the project: the marker under which it applies (its extra's
    or group's, `'gpu' in extras`), and that extra or group (`("extra", "gpu")`,
    `("group", "dev")`) for messages to name it by."""

    requirement: Requirement
    marker: Marker | None = None
    section: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RootRequirements:
    """What the project asks for."""

    name: NormalizedName
    requirements: tuple[RootRequirement, ...]


@dataclass(slots=True)
class _Listing:
    index: Index | None  # None for a direct reference
    page: ProjectPage
    releases: list[Release]
    direct: DirectArchive | None = None
    # Where each version stands in `releases`, built on first use: the solver asks
    # about a release at every decision, and a scan of hundreds of releases for each
    # question was 6 % of a large lock.
    _positions: dict[Version, int] | None = None

    def position(self, version: Version) -> int | None:
        if self._positions is None:
            self._positions = {}
            for index, release in enumerate(self.releases):
                self._positions.setdefault(release.version, index)
        return self._positions.get(version)

    def release(self, version: Version) -> Release:
        position = self.position(version)
        if position is None:
            msg = f"[bug] no release {version} of {self.page.name}"
            raise LookupError(msg)
        return self.releases[position]


class FetchSession:
    """What the forks of one resolution share: the thread pool, and the index pages and
    release metadata already asked for (a fork's provider filters them by its own
    Python range, but the bytes are the same). Closed once, after the last fork."""

    def __init__(self, client: IndexClient) -> None:
        self.client = client
        self.pool = ThreadPoolExecutor(PREFETCH_THREADS, thread_name_prefix="tether-prefetch")
        self.lock = threading.Lock()
        self.pages: dict[tuple[NormalizedName, str | None], Future[Found | NotFound | Offline]] = {}
        self.metadata: dict[str, Future[MetadataResult | str]] = {}
        self.direct_archives: dict[str, Future[DirectArchive]] = {}

    def find(self, name: NormalizedName, index: str | None) -> Found | NotFound | Offline:
        """The index page, fetched by the first fork that asks, in its own thread (a
        pool task waiting on another pool task could starve the pool)."""
        return _shared(
            self.lock, self.pages, (name, index), lambda: self.client.find(name, index=index)
        )

    def direct(self, reference: Requirement, builds: DirectBuilds) -> DirectArchive:
        url = reference.url or ""
        return _shared(
            self.lock,
            self.direct_archives,
            url,
            lambda: fetch_direct(reference, self.client.http, builds),
        )

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass(slots=True, kw_only=True)
class ProviderOptions:
    grid: Grid
    exclude_newer: datetime | None = None
    # Per package (`exclude-newer-package`): its own cut-off, None for none.
    exclude_newer_package: Mapping[NormalizedName, datetime | None] = field(default_factory=dict)
    prerelease: str = "if-necessary-or-explicit"
    resolution: str = "highest"
    pins: Mapping[NormalizedName, str] = field(default_factory=dict)  # name -> index name
    # name -> `name @ url` for packages with a path or URL source: wherever they appear.
    sources: Mapping[NormalizedName, Requirement] = field(default_factory=dict)
    # `constraint-dependencies` and `override-dependencies`, several per name possible,
    # each applying where its marker holds.
    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    # Metadata the project declares in place of a package's own (dependency-metadata).
    declared: Mapping[NormalizedName, tuple[DeclaredMetadata, ...]] = field(default_factory=dict)
    preferences: Mapping[NormalizedName, frozenset[Version]] = field(default_factory=dict)
    project_python: str = ""  # the project's requires-python, for messages
    # An sdist's core metadata from its build backend (None: sdists whose metadata
    # needs a build are unusable), and which packages must not be built or not be
    # taken as wheels (uv's no-build / no-binary).
    build_metadata: Callable[[Path], bytes] | None = None
    build_directory: Callable[[Path], bytes] | None = None  # a project directory's
    git_checkout: Callable[[GitReference], GitCheckout] | None = None  # a git reference's tree
    required_environments: tuple[Marker, ...] = ()
    no_build: bool = False
    no_binary: bool = False
    no_build_package: frozenset[str] = frozenset()
    no_binary_package: frozenset[str] = frozenset()
    # Called (from worker threads) with each package name as its versions arrive.
    on_package: Callable[[str], None] | None = None


class IndexProvider:
    def __init__(
        self,
        client: IndexClient,
        root: RootRequirements,
        options: ProviderOptions,
        session: FetchSession | None = None,
    ):
        self._client = client
        self._root = root
        self._options = options
        self._own_session = session is None
        self._session = session or FetchSession(client)
        self._pool = self._session.pool
        self._lock = threading.Lock()
        self._pages: dict[NormalizedName, Future[_Listing]] = {}
        self._metadata: dict[tuple[NormalizedName, Version], Future[MetadataResult | str]] = {}
        self._edges: dict[tuple[Package, Version], tuple[Edge, ...]] = {}
        self._answers: dict[tuple[Package, Version], Available | Unavailable] = {}
        self._tried: dict[NormalizedName, int] = {}  # releases asked for, by name
        self._prefetched: set[tuple[NormalizedName, str]] = set()  # (name, specifier)
        # (name, version, why) of each sdist whose metadata build failed
        self.build_failures: list[tuple[str, Version, str]] = []
        self._bounds = Bounds.of(options.constraints, options.grid)
        self._overrides = requirements_by_name(
            o for o in options.overrides if options.grid.possible(o.marker)
        )
        self._required = _required_samples(options.required_environments, options.grid)
        # Only the grid's own platforms, whose wheels tether can tell apart (not a point
        # relabelled `emscripten`, `s390x` or packse's `os1`): where a fork reaches a
        # platform beyond them, a wheel might serve it, so no release is refused for its
        # wheels (uv locks torchvision 0.26, no macOS x86_64 wheel, in lerobot's fork
        # for "macOS x86_64 or any other platform").
        self._platforms = (
            ()
            if options.grid.reaches_unlisted()
            else _samples(p for p in options.grid.points if _listed(p))
        )
        self._by_public: dict[NormalizedName, dict[str, list[Release]]] = {}
        # The OSes this fork serves (a local version's builds are judged against them).
        self._oses = tuple(sorted({p["sys_platform"] for p in options.grid.points}))
        direct = [r.requirement for r in root.requirements]
        self._explicit_pre = frozenset(
            canonicalize_name(r.name)
            for r in direct
            if any(s.version and _is_pre(s.version) for s in r.specifier)
        )
        # Direct dependencies (for `lowest-direct`), as uv counts them: those the
        # project asks for at the fork's lowest Python; `forkdep>=3; python_version >=
        # "3.12"` is not direct in a fork that starts at Python 3.11.
        self._direct = frozenset(
            canonicalize_name(r.name) for r in direct if _asked_at_lowest_python(r, options.grid)
        )
        # `name @ url` at the root, or a path/URL source, decides where `name` comes
        # from for every dependent, however deep in the graph.
        self._references = {
            **dict(options.sources),
            **{canonicalize_name(r.name): r for r in direct if r.url},
        }
        self._pinned_yanked = {
            canonicalize_name(r.name): frozenset(
                Version(s.version)
                for s in r.specifier
                if s.operator in ("==", "===") and "*" not in s.version
            )
            for r in direct
        }

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    @property
    def edges(self) -> dict[tuple[Package, Version], tuple[Edge, ...]]:
        return self._edges

    # ------------------------------------------------------------------ resolve.ForkProvider
    def python_floors_ahead(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> list[PythonRelease]:
        name = canonicalize_name(package.name)
        listing = self.listing(package.name)
        # Those ranked ahead (all of them for a version the listing lacks).
        return [
            release.python_floor
            for release in listing.releases[: listing.position(version)]
            if release.python_floor is not None
            and allowed.contains(release.version, prereleases=True)
            and self._bounds.allows(name, release.version)
        ]

    def base_platforms(
        self, package: Package, version: Version, allowed: VersionRange
    ) -> tuple[str, ...]:
        """For a local version (torch 2.9.0+cpu) whose files miss OSes of this fork that
        the release without the label (2.9.0, the CPU index's macOS build) serves: those
        OSes, where uv forks so that each gets a build it can install."""
        if version.local is None or package.extra is not None:
            return ()
        base = self._base_release(package, version)
        if base is None or not allowed.contains(base.version, prereleases=True):
            return ()
        own = self._served(self.release(package.name, version))
        if not own:
            return ()  # it serves none of them: the base release is taken instead
        theirs = self._served(base)
        return tuple(o for o in self._oses if o not in own and o in theirs)

    def _sibling_serves_instead(self, package: Package, release: Release) -> Version | None:
        """uv's rule for local builds: a release with files for none of this fork's OSes
        gives way to a build of the same public version that serves them (2.9.0 on
        macOS, not 2.9.0+cpu; 2.9.0+cpu elsewhere, not the macOS-only 2.9.0)."""
        if package.extra is not None:
            return None
        siblings = self._builds(package.name).get(release.version.public, ())
        if len(siblings) < 2:  # one build of this version: the common case
            return None
        if self._served(release):
            return None
        return next(
            (
                r.version
                for r in siblings
                if r.version != release.version and r.unusable is None and self._served(r)
            ),
            None,
        )

    def _served(self, release: Release) -> frozenset[str]:
        """The OSes of this fork some file of `release` installs on."""
        served = _oses_served(release.files)
        return frozenset(self._oses) if served is None else served & frozenset(self._oses)

    def _builds(self, name: str) -> dict[str, list[Release]]:
        """The releases of `name` that share a public version with another (local
        builds: torch 2.9.0 and 2.9.0+cpu), by that version; empty for most packages
        (`public` costs 2 µs a call: only asked where a local label exists)."""
        key = canonicalize_name(name)
        found = self._by_public.get(key)
        if found is None:
            found = {}
            releases = self.listing(name).releases
            if any(r.version.local is not None for r in releases):
                for r in releases:
                    found.setdefault(r.version.public, []).append(r)
            self._by_public[key] = found
        return found

    def _base_release(self, package: Package, version: Version) -> Release | None:
        public = Version(version.public)
        builds = self._builds(package.name).get(version.public, ())
        return next((r for r in builds if r.version == public and r.unusable is None), None)

    def wheel_floor(self, package: Package, version: Version) -> PythonRelease | None:
        return self.release(package.name, version).wheel_floor

    def python_floor(self, package: Package, version: Version) -> PythonRelease | None:
        return self.release(package.name, version).python_floor

    def held_back(self, name: str, version: Version) -> bool:
        future = self._pages.get(canonicalize_name(name))
        if future is None or not future.done() or future.exception() is not None:
            return False
        return any(
            release.unusable == NO_WHEEL_HERE
            for release in future.result().releases
            if release.version > version
        )

    def python_floors(self, name: str) -> list[PythonRelease]:
        future = self._pages.get(canonicalize_name(name))
        if future is None or not future.done() or future.exception() is not None:
            return []
        found = []
        for release in future.result().releases:
            if release.unusable is None:
                break
            if release.python_floor is not None:
                found.append(release.python_floor)
        return found

    # ------------------------------------------------------------------ resolve.Provider
    def versions(self, package: Package) -> Sequence[Version]:
        found = [release.version for release in self.listing(package.name).releases]
        name = canonicalize_name(package.name)
        if name in self._bounds.always:  # a constraint bounds a package without requiring it
            found = [v for v in found if self._bounds.allows(name, v)]
        return found

    def dependencies(self, package: Package, version: Version) -> Available | Unavailable:
        # Asked again after every backtrack that undid the decision: answered once.
        known = self._answers.get((package, version))
        if known is None:
            known = self._answers[(package, version)] = self._dependencies(package, version)
            if not package.is_root:
                self._walk_ahead(canonicalize_name(package.name), version)
        return known

    def _walk_ahead(self, name: NormalizedName, version: Version) -> None:
        """uv's batch prefetch: a package whose releases are being tried one after
        another (boto3 walking down to the one whose botocore fits) gets the metadata of
        the next releases fetched in parallel, instead of one round trip per step."""
        tried = self._tried[name] = self._tried.get(name, 0) + 1
        if tried < WALK_AHEAD_AFTER:
            return
        listing = self.listing(name)
        position = listing.position(version)
        if position is None:
            return
        # As far ahead as the walk has come (at most WALK_AHEAD): a short walk fetches
        # little that the answer does not need, a long one soon runs in parallel.
        ahead = min(WALK_AHEAD, tried)
        for release in listing.releases[position + 1 : position + 1 + ahead]:
            # Wheels only: an sdist's metadata is a build, done when the solver asks.
            if release.unusable is None and release.metadata_file().is_wheel:
                self._metadata_future(name, release, listing)

    def _dependencies(self, package: Package, version: Version) -> Available | Unavailable:
        if package.is_root:
            return Available(self._root_dependencies(package, version))
        listing = self.listing(package.name)
        release = listing.release(version)
        if release.unusable is not None:
            return Unavailable(release.unusable)
        sibling = self._sibling_serves_instead(package, release)
        if sibling is not None:
            return Unavailable(
                f"has wheels only for other platforms than this fork's, which {sibling} "
                "serves (a build of the same release)"
            )
        name = canonicalize_name(package.name)
        declared = declared_metadata(self._options.declared.get(name, ()), version)
        if declared is not None:
            result: MetadataResult | str = MetadataResult(declared, MetadataSource.DECLARED)
            if declared.requires_python is not None and not any(
                declared.requires_python.contains(p["python_full_version"], prereleases=True)
                for p in self._options.grid.points
            ):
                return Unavailable(
                    f"requires Python {declared.requires_python} (dependency-metadata), but "
                    f"the project supports {self._options.project_python}"
                )
        else:
            result = self._metadata_future(name, release, listing).result()
        if not isinstance(result, MetadataResult):
            return Unavailable(str(result))
        metadata = result.metadata
        if package.extra is not None and package.extra not in metadata.provides_extra:
            # pip and uv warn and carry on: an unknown extra adds nothing.
            self._edges[(package, version)] = (Edge(package.base, None, exactly(version)),)
            return Available((Dependency(package.base, exactly(version)),))
        dependencies: list[Dependency] = []
        edges: list[Edge] = []
        if package.extra is not None:
            dependencies.append(Dependency(package.base, exactly(version)))
            edges.append(Edge(package.base, None, exactly(version)))
        own = name in self._references  # a workspace member, a path or URL source
        for requirement, marker in self._applicable(metadata.requires_dist, package.extra):
            self._add(requirement, marker, dependencies, edges, own=own)
        self._edges[(package, version)] = tuple(edges)
        return Available(tuple(dependencies))

    def prefetch(self, packages: Iterable[Package]) -> None:
        for package in packages:
            if not package.is_root:
                self._listing_future(canonicalize_name(package.name))

    # ------------------------------------------------------------------ what the lock reads
    def listing(self, name: str) -> _Listing:
        return self._listing_future(canonicalize_name(name)).result()

    def release(self, name: str, version: Version) -> Release:
        return self.listing(name).release(version)

    # ------------------------------------------------------------------ internals
    def _root_dependencies(self, root: Package, version: Version) -> tuple[Dependency, ...]:
        dependencies: list[Dependency] = []
        edges: list[Edge] = []
        # In the order `root` gives them (uv's: dependencies, then each extra and group
        # by name, each sorted by package name): the solver decides packages in the
        # order they are first named, so which of two direct dependencies gives way
        # when they conflict is the one uv would give up.
        for item in self._root.requirements:
            requirement, marker = item.requirement, item.marker
            own = substitute(requirement.marker, extra=None)
            if own is False:
                continue
            combined = conjoin(marker, None if own is True else own)
            environment_part = None if own is True else own
            if environment_part is not None and not self._options.grid.possible(environment_part):
                continue
            via = _via(root.name, item.section)
            self._add(requirement, combined, dependencies, edges, via=via)
        self._edges[(root, version)] = tuple(edges)
        return tuple(dependencies)

    def _add(
        self,
        requirement: Requirement,
        marker: Marker | None,
        dependencies: list[Dependency],
        edges: list[Edge],
        *,
        via: str | None = None,
        own: bool = False,
    ) -> None:
        name = canonicalize_name(requirement.name)
        if name == self._root.name and not requirement.url:
            # A dependency on the project's own name is the project (pydantic-evals
            # pins pydantic-ai-slim to its own version): its version must fit, and no
            # package of that name is taken from an index. The extras it names are the
            # project's, which the root already resolves.
            versions = from_specifier(str(requirement.specifier))
            dependencies.append(Dependency(Package.root(name), versions, via))
            edges.append(Edge(Package.root(name), marker, versions))
            return
        if requirement.url and name not in self._references:
            raise LockError(
                f"a dependency is the direct reference '{requirement}', which only the "
                "project itself may declare",
                hint=f"add '{requirement}' to the project's dependencies",
            )
        for replacement, where in self._overridden(requirement, marker):
            versions = from_specifier(str(replacement.specifier))
            targets = [Package(name)] + [
                Package(name, canonicalize_name(extra)) for extra in sorted(replacement.extras)
            ]
            for target in targets:
                dependencies.append(Dependency(target, versions, via))
                edges.append(Edge(target, where, versions, own))
            # A constraint that holds in part of the fork is a requirement beside this
            # one, under both markers: the fork divides there (`_dividing_markers`).
            for bound_marker, bound in self._bounds.partial.get(name, ()):
                dependencies.append(Dependency(Package(name), bound, via))
                edges.append(Edge(Package(name), conjoin(where, bound_marker), bound, own=True))
            self._fetch_ahead(name, replacement)

    def _applicable(
        self, requirements: Iterable[Requirement], extra: str | None
    ) -> Iterator[tuple[Requirement, Marker | None]]:
        """The requirements that can apply on the lock's platforms with `extra` on, each
        with what is left of its marker (None: always)."""
        for requirement in requirements:
            marker = substitute(requirement.marker, extra=extra)
            if marker is False:
                continue
            kept = None if marker is True else marker
            if kept is None or self._options.grid.possible(kept):
                yield requirement, kept

    def _overridden(
        self, requirement: Requirement, marker: Marker | None
    ) -> list[tuple[Requirement, Marker | None]]:
        """The requirements that stand for `requirement` (itself, or its package's
        overrides: `replaced_by`), each with the marker it is needed under."""
        overrides = self._overrides.get(canonicalize_name(requirement.name))
        if overrides is None:
            return [(requirement, marker)]
        return [(r, conjoin(marker, r.marker)) for r in replaced_by(requirement, overrides)]

    def _fetch_ahead(self, name: NormalizedName, requirement: Requirement) -> None:
        """The package's listing, and the metadata of the release `requirement` will
        most likely get (nothing for the project's own name: it is the project)."""
        if name == self._root.name:
            return
        self._listing_future(name)
        if requirement.specifier:
            self._prefetch_matching(name, requirement)

    def _listing_future(self, name: NormalizedName) -> Future[_Listing]:
        # Read without the lock first (a dict read is atomic): the solver's thread asks
        # hundreds of times, and waiting for a lock that a prefetch thread holds costs a
        # GIL switch interval (5 ms) each time.
        known = self._pages.get(name)
        if known is not None:
            return known
        with self._lock:
            future = self._pages.get(name)
            if future is None:
                future = self._pool.submit(self._fetch_listing, name)
                self._pages[name] = future
            return future

    def _fetch_listing(self, name: NormalizedName) -> _Listing:
        reference = self._references.get(name)
        if reference is not None:
            builds = DirectBuilds(
                self._options.build_metadata,
                self._options.build_directory,
                self._options.git_checkout,
            )
            archive = self._session.direct(reference, builds)
            page = ProjectPage(name=name, url=archive.file.url, files=(archive.file,))
            release = Release(archive.file.version, (archive.file,))
            with self._lock:
                done: Future[MetadataResult | str] = Future()
                done.set_result(MetadataResult(archive.metadata, MetadataSource.DOWNLOAD))
                self._metadata[(name, archive.file.version)] = done
            if self._options.on_package is not None:
                self._options.on_package(name)
            return _Listing(None, page, [release], archive)
        found = self._session.find(name, self._options.pins.get(name))
        if isinstance(found, Offline):
            where = f" from index '{found.index.name}'" if found.index else ""
            raise LockError(
                f"offline, and the cache has no copy of {found.what}{where}",
                hint="run `tether lock` once without --offline to fill the cache",
            )
        if isinstance(found, NotFound):
            return _Listing(found.searched[-1], ProjectPage(name=name, url="", files=()), [])
        assert isinstance(found, Found)  # noqa: S101 - the union is exhausted
        policy = Policy(
            requires_python=self._options.grid.requires_python,
            project_python=self._options.project_python,
            exclude_newer=self._options.exclude_newer_package.get(
                name, self._options.exclude_newer
            ),
            prereleases=self._prereleases(name),
            allow_yanked=self._pinned_yanked.get(name, frozenset()),
            preferred=self._options.preferences.get(name, frozenset()),
            lowest=self._options.resolution == "lowest"
            or (self._options.resolution == "lowest-direct" and name in self._direct),
            required=self._required,
            platforms=self._platforms,
            wheels=not (self._options.no_binary or name in self._options.no_binary_package),
            builds=not (self._options.no_build or name in self._options.no_build_package),
        )
        listing = _Listing(found.index, found.page, releases(found.page, policy))
        if self._options.on_package is not None:
            self._options.on_package(name)
        first = next((r for r in listing.releases if r.unusable is None), None)
        if first is not None:  # the version the solver will most likely try first
            self._metadata_future(name, first, listing)
        return listing

    def _prefetch_matching(self, name: NormalizedName, requirement: Requirement) -> None:
        """Once the listing is in, fetch the metadata of the newest release `requirement`
        admits: a pin below the newest (`pydantic-core==2.50.2`) is what the resolver
        will ask for next, and fetching it only then puts a round trip on the critical
        path."""
        specifier = requirement.specifier
        key = (name, str(specifier))
        if key in self._prefetched:  # asked by another release's requirement already
            return
        self._prefetched.add(key)

        def fetch(done: Future[_Listing]) -> None:
            if done.cancelled() or done.exception() is not None:
                return
            listing = done.result()
            for release in listing.releases:
                if release.unusable is None and specifier.contains(
                    release.version, prereleases=True
                ):
                    with contextlib.suppress(RuntimeError):  # the pool is shutting down
                        self._metadata_future(name, release, listing)
                    return

        self._listing_future(name).add_done_callback(fetch)

    def _prereleases(self, name: NormalizedName) -> str:
        """How pre-releases of `name` are ranked (see `candidates.Policy`)."""
        policy = self._options.prerelease
        if policy == "allow":
            return "allow"
        if policy == "disallow":
            return "never"
        if policy == "explicit" and name not in self._explicit_pre:
            return "never"
        return "last"

    def _metadata_future(
        self, name: NormalizedName, release: Release, listing: _Listing
    ) -> Future[MetadataResult | str]:
        key = (name, release.version)
        known = self._metadata.get(key)  # without the lock first, as in _listing_future
        if known is not None:
            return known
        file = release.metadata_file()
        with self._lock:
            future = self._metadata.get(key)
            if future is None:
                future = self._session.metadata.get(file.url)
                if future is None:
                    future = self._pool.submit(self._fetch_metadata, file, listing.page)
                    self._session.metadata[file.url] = future
                self._metadata[key] = future
            return future

    def _fetch_metadata(self, file: DistFile, page: ProjectPage) -> MetadataResult | str:
        result = self._client.metadata(file, page=page)
        if isinstance(result, Offline):
            return f"has no cached metadata ({file.filename}) and tether is offline"
        if isinstance(result, Unbuilt):
            built = self._built_metadata(file, page.name, result)
            if isinstance(built, str):
                return built
            result = built
        self._speculate(result.metadata.requires_dist)
        return result

    def _built_metadata(
        self, file: DistFile, name: NormalizedName, unbuilt: Unbuilt
    ) -> MetadataResult | str:
        """Metadata an sdist's PEP 517 backend reports (`prepare_metadata_for_build_wheel`),
        kept in the cache under the sdist's hash so no later lock builds it again. A
        failed build makes this release unusable, with the backend's last lines."""
        needs = f"has only an sdist ({file.filename}) whose dependencies need a build"
        build = self._options.build_metadata
        if build is None or unbuilt.archive is None:
            return f"{needs}, which this command does not run"
        if self._options.no_build or name in self._options.no_build_package:
            return f"{needs}, and no-build says not to build {name}"
        try:
            data = build(unbuilt.archive)
            metadata = parse_core_metadata(data, source=file.filename)
        except (BuildError, IndexFetchError) as err:
            lines = [line for line in getattr(err, "output", "").splitlines() if line.strip()]
            detail = " / ".join(line.strip() for line in lines[-3:])
            reason = f"failed to build from its sdist ({file.filename}): {err.message}"
            with self._lock:
                self.build_failures.append((name, file.version, reason))
            return reason + (f": {detail}" if detail else "")
        if canonicalize_name(metadata.name) != name or metadata.version != file.version:
            return (
                f"has an sdist ({file.filename}) whose build reports "
                f"{metadata.name} {metadata.version}"
            )
        self._client.remember_metadata(file, data)
        return MetadataResult(metadata, MetadataSource.BUILD)

    def _speculate(self, requirements: Iterable[Requirement]) -> None:
        """Fetch ahead what a release's dependencies will need, as soon as its metadata
        is in: their listings, and through them their likely releases' metadata, and so
        on down the graph. The solver asks for a package's dependencies only when it
        decides the package; waiting for that puts one round trip per level of the graph
        on the critical path (ai-service's cold lock: 2.28 s -> 1.89 s, the same 264
        requests). Only requirements that can apply are followed (no extras,
        markers possible on the lock's platforms); a guess that the solver does not take
        costs a request, never a wrong answer."""
        for requirement, _ in self._applicable(requirements, extra=None):
            if requirement.url:
                continue
            with contextlib.suppress(RuntimeError):  # the pool is shutting down
                for replacement, _where in self._overridden(requirement, None):
                    self._fetch_ahead(canonicalize_name(replacement.name), replacement)


def _shared(lock: threading.Lock, known: dict[K, Future[V]], key: K, compute: Callable[[], V]) -> V:
    """`compute()` once per key across threads: the first asker computes in its own
    thread, later askers wait for its answer (or its exception)."""
    with lock:
        future = known.get(key)
        owner = future is None
        if future is None:
            future = Future()
            known[key] = future
    if owner:
        try:
            future.set_result(compute())
        except BaseException as err:  # noqa: BLE001 - handed to every waiter
            future.set_exception(err)
    return future.result()


_OS_OF_TAG = (("macosx", "darwin"), ("win", "win32"), ("manylinux", "linux"),
              ("musllinux", "linux"), ("linux", "linux"))  # fmt: skip


def _oses_served(files: Iterable[DistFile]) -> frozenset[str] | None:
    """The OSes (sys_platform) some file installs on, from the wheels' platform tags;
    None (every one) for an sdist or a platform-independent wheel."""
    found: set[str] = set()
    for file in files:
        if not file.is_wheel:
            return None
        for platform in file.filename[:-4].rsplit("-", 1)[-1].split("."):
            if platform == "any":
                return None
            found.update(os for prefix, os in _OS_OF_TAG if platform.startswith(prefix))
    return frozenset(found)


_LISTED = frozenset(
    (p["sys_platform"], p["platform_system"], p["platform_machine"]) for p in PLATFORMS
)
_SAMPLE_KEYS = ("sys_platform", "platform_machine", "implementation_name", "python_version")


def _listed(point: Mapping[str, str]) -> bool:
    """Whether a grid point is one of the grid's own platforms."""
    return (point["sys_platform"], point["platform_system"], point["platform_machine"]) in _LISTED


def _samples(points: Iterable[Mapping[str, str]]) -> tuple[Mapping[str, str], ...]:
    """One point per distinct (OS, CPU, implementation, Python minor)."""
    found: dict[tuple[str, ...], Mapping[str, str]] = {}
    for point in points:
        found.setdefault(tuple(point[k] for k in _SAMPLE_KEYS), point)
    return tuple(found.values())


def _required_samples(
    environments: Sequence[Marker], grid: Grid
) -> tuple[tuple[str, tuple[Mapping[str, str], ...]], ...]:
    """Each required environment this fork reaches, with one sample per distinct
    (OS, CPU, implementation, Python minor) among the grid's points in it."""
    found = []
    for marker in environments:
        samples: dict[tuple[str, ...], Mapping[str, str]] = {}
        for point in grid.points:
            key = tuple(
                point[k]
                for k in (
                    "sys_platform",
                    "platform_machine",
                    "implementation_name",
                    "python_version",
                )
            )
            if key not in samples and marker.evaluate(point):
                samples[key] = point
        if samples:
            found.append((str(marker), tuple(samples.values())))
    return tuple(found)


def _asked_at_lowest_python(requirement: Requirement, grid: Grid) -> bool:
    own = substitute(requirement.marker, extra=None)
    if own is True or own is False:
        return own
    lowest = min((Version(p["python_full_version"]) for p in grid.points), default=None)
    return any(Version(p["python_full_version"]) == lowest and own.evaluate(p) for p in grid.points)


def _is_pre(version: str) -> bool:
    try:
        return Version(version.rstrip(".*")).is_prerelease
    except ValueError:
        return False


def _via(project: str, section: tuple[str, str] | None) -> str | None:
    """How messages name the part of the project a root requirement comes from: its
    extra (`svc[gpu]`) or dependency group (`svc:dev`, uv's spelling); None for the
    project's own dependencies."""
    if section is None:
        return None
    kind, name = section
    return f"{project}[{name}]" if kind == "extra" else f"{project}:{name}"
