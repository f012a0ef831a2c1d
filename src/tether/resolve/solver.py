"""PubGrub version solving (pub's doc/solver.md), pure: all I/O is the provider's.

Unit propagation derives what must hold; decision making picks a version of one package
whose selection is still open; conflict resolution learns the root cause of a dead end
as a new incompatibility and backjumps. When the root itself is ruled out, the learned
incompatibility's derivation is the explanation shown to the user.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from packaging.ranges import VersionRange
from packaging.specifiers import InvalidSpecifier
from packaging.version import Version

from tether.errors import ResolutionError
from tether.resolve.incompatibility import (
    ConflictCause,
    DependencyCause,
    Incompatibility,
    NoVersionsCause,
    RootCause,
    UnavailableCause,
)
from tether.resolve.package import Package
from tether.resolve.partial_solution import PartialSolution
from tether.resolve.provider import Provider, Unavailable
from tether.resolve.report import explain
from tether.resolve.term import Relation, Term
from tether.resolve.version_set import FULL, exactly, from_specifier


@dataclass(frozen=True, slots=True)
class Resolution:
    """The chosen version of every selected package (extras included, root excluded)."""

    versions: Mapping[Package, Version]
    attempted_solutions: int


class _Failed(Exception):
    """Internal control flow: caught in `solve`, never escapes this module."""

    def __init__(self, incompatibility: Incompatibility) -> None:
        super().__init__(str(incompatibility))
        self.incompatibility = incompatibility


class Stopped(Exception):
    """`stop` asked to end the solve at a decision: `decided` holds the versions
    decided before it, in order (the caller solves again, differently)."""

    def __init__(self, decided: Mapping[Package, Version]) -> None:
        super().__init__("stopped")
        self.decided = decided


# Asked before each decision (package, version, the versions still allowed): True
# stops the solve there (the universal resolution forks at that point, as uv does).
StopAt = Callable[[Package, Version, VersionRange], bool]


def solve(
    root: Package, version: Version, provider: Provider, *, stop: StopAt | None = None
) -> Resolution:
    """Choose versions for everything `root` (at `version`) needs, or raise a
    `ResolutionError` whose explanation says why no choice exists."""
    return _Solver(root, version, provider, stop).solve()


class _Solver:
    def __init__(
        self, root: Package, version: Version, provider: Provider, stop: StopAt | None = None
    ) -> None:
        self._root = root
        self._root_version = version
        self._provider = provider
        self._stop = stop
        self._solution = PartialSolution()
        self._incompatibilities: dict[Package, list[Incompatibility]] = {}
        self._known: dict[Package, Sequence[Version]] = {}
        # `_known` sorted, and the range each fact about a version speaks for: asked on
        # every decision, the same answer each time.
        self._ordered: dict[Package, list[Version]] = {}
        self._depender_ranges: dict[tuple[Package, Version], VersionRange] = {}
        # How often a version of the first package was rejected at once because of the
        # second's decision (uv's conflict tracking, below).
        self._rejections: dict[tuple[Package, Package], int] = {}
        self._facts: dict[tuple[object, ...], Incompatibility] = {}
        self._prefetched: set[tuple[Package, Version]] = set()

    def solve(self) -> Resolution:
        self._add(
            Incompatibility.of(
                [Term(self._root, exactly(self._root_version), positive=False)], RootCause()
            )
        )
        try:
            package: Package | None = self._root
            while package is not None:
                self._propagate(package)
                package = self._choose_package_version()
        except _Failed as failure:
            raise ResolutionError(
                "no versions satisfy the requirements",
                explanation=explain(failure.incompatibility),
                hint=_hint(failure.incompatibility),
                packages=_involved(failure.incompatibility),
            ) from None
        versions = {p: v for p, v in self._solution.decisions.items() if not p.is_root}
        return Resolution(versions, self._solution.attempted_solutions)

    # ------------------------------------------------------------------ unit propagation
    def _propagate(self, package: Package) -> None:
        changed = {package}
        while changed:
            current = changed.pop()
            for incompatibility in reversed(list(self._incompatibilities.get(current, ()))):
                result = self._propagate_incompatibility(incompatibility)
                if result is _CONFLICT:
                    root_cause = self._resolve_conflict(incompatibility)
                    changed.clear()
                    derived = self._propagate_incompatibility(root_cause)
                    assert isinstance(derived, Package)  # noqa: S101 - PubGrub guarantees it
                    changed.add(derived)
                    break
                if isinstance(result, Package):
                    changed.add(result)

    def _propagate_incompatibility(
        self, incompatibility: Incompatibility
    ) -> Package | object | None:
        unsatisfied: Term | None = None
        for term in incompatibility.terms:
            relation = self._solution.relation(term)
            if relation is Relation.DISJOINT:
                return None
            if relation is Relation.OVERLAPPING:
                if unsatisfied is not None:
                    return None
                unsatisfied = term
        if unsatisfied is None:
            return _CONFLICT
        self._solution.derive(unsatisfied.negate(), incompatibility)
        return unsatisfied.package

    # ------------------------------------------------------------------ conflict resolution
    def _resolve_conflict(self, incompatibility: Incompatibility) -> Incompatibility:
        original = incompatibility
        while not incompatibility.is_failure():
            most_recent_term: Term | None = None
            most_recent = None
            difference: Term | None = None
            previous_level = 1
            for term in incompatibility.terms:
                satisfier = self._solution.satisfier(term)
                if most_recent is None:
                    most_recent_term, most_recent = term, satisfier
                elif most_recent.index < satisfier.index:
                    previous_level = max(previous_level, most_recent.decision_level)
                    most_recent_term, most_recent = term, satisfier
                    difference = None
                else:
                    previous_level = max(previous_level, satisfier.decision_level)
                if most_recent_term is term:
                    # The satisfier may satisfy the term only together with earlier
                    # assignments; those then bound how far we can backjump.
                    rest = most_recent.term.difference(term)
                    difference = None if rest.is_empty else rest
                    if difference is not None:
                        earlier = self._solution.satisfier(difference.negate())
                        previous_level = max(previous_level, earlier.decision_level)
            assert most_recent is not None  # noqa: S101 - there is at least one term
            assert most_recent_term is not None  # noqa: S101
            if most_recent.is_decision or previous_level != most_recent.decision_level:
                if incompatibility is not original:
                    self._add(incompatibility)
                self._solution.backtrack(previous_level)
                return incompatibility
            cause = most_recent.cause
            assert cause is not None  # noqa: S101 - a derivation has a cause
            terms = [t for t in incompatibility.terms if t is not most_recent_term]
            terms += [t for t in cause.terms if t.package != most_recent.term.package]
            if difference is not None:
                terms.append(difference.negate())
            incompatibility = Incompatibility.of(terms, ConflictCause(incompatibility, cause))
        raise _Failed(incompatibility)

    # ------------------------------------------------------------------ decision making
    def _choose_package_version(self) -> Package | None:
        term = self._solution.next_undecided()
        if term is None:
            return None
        package = term.package
        if package.extra is not None and self._tie_to_base(term):
            return package
        if package.is_root:
            candidates: Sequence[Version] = [self._root_version]
        else:
            candidates = self._known.get(package) or self._provider.versions(package)
            self._known[package] = candidates
        version = next((v for v in candidates if term.versions.contains(v, prereleases=True)), None)
        if version is None:
            self._add(Incompatibility.of([term], NoVersionsCause()))
            return package
        if (
            self._stop is not None
            and not package.is_root
            and package.extra is None
            and self._stop(package, version, term.versions)
        ):
            raise Stopped({p: v for p, v in self._solution.decisions.items() if not p.is_root})
        answer = self._provider.dependencies(package, version)
        if isinstance(answer, Unavailable):
            unusable = Term(package, self._depender_range(package, version))
            self._add_fact(Incompatibility.of([unusable], UnavailableCause(answer.reason)))
            return package
        for dependency in answer.dependencies:
            self._solution.see(dependency.package)
        culprits: list[Package] = []
        depender = Term(package, self._depender_range(package, version))
        for dependency in answer.dependencies:
            incompatibility = self._add_fact(
                Incompatibility.of(
                    [depender, Term(dependency.package, dependency.versions, positive=False)],
                    DependencyCause(dependency.via),
                )
            )
            if all(
                t.package == package or self._solution.satisfies(t) for t in incompatibility.terms
            ):
                culprits.append(dependency.package)
        if (package, version) not in self._prefetched:  # once: decided again after backjumps
            self._prefetched.add((package, version))
            self._provider.prefetch(d.package for d in answer.dependencies)
        if not culprits:
            self._solution.decide(package, version)
        elif self._reprioritise(package, culprits):
            return self._restart_propagation()
        return package

    def _reprioritise(self, affected: Package, culprits: list[Package]) -> bool:
        """uv's conflict tracking: when the versions of `affected` keep being rejected
        because of an earlier decision (torch decided at its newest, so vllm walks down
        its releases to one built for that torch), decide `affected` first instead:
        backjump to before the culprit's decision. Learned incompatibilities stay (they
        are facts), so nothing is searched twice. True when it backjumped."""
        for culprit in culprits:
            key = (affected, culprit)
            self._rejections[key] = count = self._rejections.get(key, 0) + 1
            level = self._solution.decision_level_of(culprit)
            if count == REJECTIONS_BEFORE_REORDERING and level is not None and level > 1:
                if not self._solution.prioritise(affected):
                    continue
                self._solution.backtrack(level - 1)
                return True
        return False

    def _restart_propagation(self) -> Package | None:
        """After a backjump of our own choosing, propagate every incompatibility again
        (some were learned above the level now current), then go on deciding."""
        for package in list(self._incompatibilities):
            self._propagate(package)
        return self._choose_package_version()

    def _tie_to_base(self, term: Term) -> bool:
        """`foo[x]` at version V depends on `foo==V`: an extra can only take a version
        its package may take. When `foo` is already bounded, say so at once for every
        version outside the bound ("foo[x] in S depends on foo in S", true of each V in
        S), and let propagation narrow the extra; otherwise the solver would fetch and
        reject the extra's releases one by one (dask decided at 2026.11 while
        dask[distributed] walked down to 0.2). True when it added that fact."""
        allowed = self._solution.positive_versions(term.package.base)
        if allowed is None:
            return False
        outside = term.versions - allowed
        if outside.is_empty:
            return False
        self._add(
            Incompatibility.of(
                [Term(term.package, outside), Term(term.package.base, outside, positive=False)],
                DependencyCause(),
            )
        )
        return True

    def _depender_range(self, package: Package, version: Version) -> VersionRange:
        """The versions a fact about `version` speaks for: from this version up
        to the next known one (pub's package lister does the same). Only `version` of
        the known versions is inside, so the statement is exact for every candidate,
        and messages read "foo <1.1.0 depends on ..." or "every version of foo ..."
        rather than listing gaps between releases."""
        if package not in self._known:  # (not cached: the versions may become known)
            return self._range_of(package, version)
        cached = self._depender_ranges.get((package, version))
        if cached is None:
            cached = self._depender_ranges[(package, version)] = self._range_of(package, version)
        return cached

    def _range_of(self, package: Package, version: Version) -> VersionRange:
        ordered = self._ordered.get(package)
        if ordered is None:
            ordered = sorted(self._known.get(package, ()))
            if package in self._known:
                self._ordered[package] = ordered
        if package.is_root or not ordered:
            return exactly(version)
        position = bisect.bisect_left(ordered, version)
        if position == len(ordered) or ordered[position] != version:
            return exactly(version)
        versions = FULL
        try:
            if position > 0:
                versions = versions & from_specifier(f">={version}")
            if position + 1 < len(ordered):
                # Everything below the next version, its pre-releases included, so
                # neighbouring ranges tile with no gap between them.
                versions = versions - from_specifier(f">={ordered[position + 1]}")
        except InvalidSpecifier:  # local labels cannot be bounds
            return exactly(version)
        return versions if versions.contains(version, prereleases=True) else exactly(version)

    def _add(self, incompatibility: Incompatibility) -> None:
        for term in incompatibility.terms:
            self._incompatibilities.setdefault(term.package, []).append(incompatibility)

    def _add_fact(self, incompatibility: Incompatibility) -> Incompatibility:
        """Add a fact about a range of versions, merged with an earlier fact that says
        the same of other versions (pubgrub-rs's `merge_dependents`): "fastapi
        >=0.126,<0.127 depends on pydantic>=2.7" and the same of 0.127 become one
        statement about both, so a failure is explained in one line per distinct
        requirement, not one per release. The union is as true as its parts."""
        key = _fact_key(incompatibility)
        if key is None:
            self._add(incompatibility)
            return incompatibility
        past = self._facts.get(key)
        if past is not None and incompatibility.terms[0].versions.is_subset(past.terms[0].versions):
            # Known already: the same release decided again after a backjump.
            return past
        if past is not None:
            # The first fact's cause stays: the newest release's (the solver tries
            # those first), whose details a merged "failed to build" line shows.
            first, *rest = incompatibility.terms
            merged_first = Term(first.package, past.terms[0].versions | first.versions)
            incompatibility = Incompatibility.of([merged_first, *rest], past.cause)
            for term in past.terms:
                known = self._incompatibilities.get(term.package, [])
                self._incompatibilities[term.package] = [i for i in known if i is not past]
        self._facts[key] = incompatibility
        self._add(incompatibility)
        return incompatibility


_CONFLICT = object()
REJECTIONS_BEFORE_REORDERING = 5  # uv's threshold


def _fact_key(incompatibility: Incompatibility) -> tuple[object, ...] | None:
    """What makes two external facts mergeable: the same depender and dependency, or
    the same package unusable for the same reason."""
    terms, cause = incompatibility.terms, incompatibility.cause
    if isinstance(cause, DependencyCause) and len(terms) == 2 and terms[0].positive:
        return ("depends", terms[0].package, terms[1].package, terms[1].versions)
    if isinstance(cause, UnavailableCause) and len(terms) == 1:
        return ("unusable", terms[0].package, reason_kind(cause.reason))
    return None


def reason_kind(reason: str) -> str:
    """What a reason says without its particulars (the file, the build's output):
    "failed to build from its sdist (foo-1.0.tar.gz): ..." → "failed to build from
    its sdist". Releases unusable for the same kind of reason are one fact, so twenty
    failed sdist builds read as one line (with the newest one's details)."""
    return _ARCHIVE.sub("", reason).split(": ", 1)[0]


# The file a reason names: "(foo-1.0.tar.gz)". Other parentheses say why ("was yanked
# (broken build)"), and stay.
_ARCHIVE = re.compile(r" \([^()]*\.(?:tar\.gz|tar\.bz2|tgz|zip|whl)\)")


def _hint(failure: Incompatibility) -> str:
    """What to do: when requirements of two extras or groups of the project clash, they
    may be alternatives never installed together (`cpu` / `cu126`), which the project
    can declare; otherwise loosen a requirement."""
    loosen = (
        "loosen one of the requirements named above, or check which versions the index "
        "has with `tether index versions NAME`"
    )
    sections = sorted(_vias(failure))
    if len(sections) < 2:
        return loosen
    tables = ", ".join(_conflict_entry(via) for via in sections)
    return (
        f"{' and '.join(sections)} cannot be installed together; if they are never meant "
        f"to be, declare them as conflicting in pyproject.toml: `[tool.tether] conflicts = "
        f"[[{tables}]]`; otherwise {loosen}"
    )


def _conflict_entry(via: str) -> str:
    if via.endswith("]"):
        return f'{{ extra = "{via[via.index("[") + 1 : -1]}" }}'
    return f'{{ group = "{via.split(":", 1)[1]}" }}'


def _vias(incompatibility: Incompatibility) -> set[str]:
    """The extras and groups of the project whose requirements the failure uses."""
    found: set[str] = set()
    pending, seen = [incompatibility], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        cause = current.cause
        if isinstance(cause, ConflictCause):
            pending += [cause.conflict, cause.other]
        elif isinstance(cause, DependencyCause) and cause.via is not None:
            found.add(cause.via)
    return found


def _involved(incompatibility: Incompatibility) -> frozenset[str]:
    """The names of every package in the derivation of `incompatibility`."""
    found: set[str] = set()
    stack = [incompatibility]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        found |= {t.package.name for t in current.terms if not t.package.is_root}
        if isinstance(current.cause, ConflictCause):
            stack += [current.cause.conflict, current.cause.other]
    return frozenset(found)
