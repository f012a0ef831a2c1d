"""The partial solution: PubGrub's ordered list of decisions and derivations.

It answers the three questions the solver asks of it: how do the assignments so far
relate to a term, which assignment first satisfied a term (the "satisfier"), and which
packages still need a decision. Backtracking drops every assignment above a decision
level and recomputes the per-package summaries from what remains.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from packaging.ranges import VersionRange
from packaging.version import Version

from tether.resolve.incompatibility import Incompatibility
from tether.resolve.package import Package
from tether.resolve.term import Relation, Term
from tether.resolve.version_set import exactly, is_singleton


@dataclass(frozen=True, slots=True)
class Assignment:
    term: Term
    decision_level: int
    index: int
    cause: Incompatibility | None  # None: a decision

    @property
    def is_decision(self) -> bool:
        return self.cause is None


class PartialSolution:
    def __init__(self) -> None:
        self.assignments: list[Assignment] = []
        # The same assignments by package, in order, each with the intersection of the
        # package's assignments up to it: `satisfier` binary-searches these.
        self._by_package: dict[Package, list[tuple[Assignment, Term]]] = {}
        self.decisions: dict[Package, Version] = {}
        # The intersection of all assignments of a package, split by whether one of
        # them is positive (then the package must be selected).
        self._positive: dict[Package, Term] = {}
        self._negative: dict[Package, Term] = {}
        self.attempted_solutions = 1
        self._backtracking = False
        # For `next_undecided` without a scan of every package per decision (quadratic
        # at thousands of packages): when each package entered `_positive` (the order
        # `undecided` reports), that order as a list read from a cursor, and the
        # packages whose positive term admits a single version.
        self._position: dict[Package, int] = {}
        self._order: list[tuple[Package, int]] = []
        self._cursor = 0
        self._stamp = 0  # the next entry's mark in `_order` (never reused)
        # Where each package stands in the decision order, kept across backtracks (uv's
        # priorities are first-seen and survive backtracking too): its name's place
        # (an extra stands with its package, as uv orders by name), then its own. A
        # package is seen when a chosen version names it as a dependency (`see`, in
        # the order the metadata lists them) or, failing that, when it must be selected.
        self._first_seen: dict[Package, tuple[int, int]] = {}
        self._names: dict[str, int] = {}
        self._pinned: set[Package] = set()
        # Packages to decide before any other (after pinned ones), in the order they
        # were marked: the solver's conflict tracking puts them here.
        self._early: list[Package] = []

    @property
    def decision_level(self) -> int:
        return len(self.decisions)

    def decision_level_of(self, package: Package) -> int | None:
        """The level at which `package` was decided (None: not decided)."""
        if package not in self.decisions:
            return None
        for assignment in self.assignments:
            if assignment.is_decision and assignment.term.package == package:
                return assignment.decision_level
        return None

    def see(self, package: Package) -> None:
        """Give `package` its place in the decision order if it has none yet."""
        if package not in self._first_seen:
            name = self._names.setdefault(package.name, len(self._names))
            self._first_seen[package] = (name, len(self._first_seen))

    def prioritise(self, package: Package) -> bool:
        """Decide `package` before the others from now on; False if it already is."""
        if package in self._early:
            return False
        self._early.append(package)
        return True

    def decide(self, package: Package, version: Version) -> None:
        if self._backtracking:
            self.attempted_solutions += 1
        self._backtracking = False
        self.decisions[package] = version
        # The decision's level counts itself: the root decision is level 1 (pub).
        term = Term(package, exactly(version))
        self._pinned.discard(package)  # decided: no longer a candidate
        self._assign(Assignment(term, self.decision_level, len(self.assignments), None))

    def derive(self, term: Term, cause: Incompatibility) -> None:
        self._assign(Assignment(term, self.decision_level, len(self.assignments), cause))

    def backtrack(self, decision_level: int) -> None:
        self._backtracking = True
        touched: set[Package] = set()
        while self.assignments and self.assignments[-1].decision_level > decision_level:
            removed = self.assignments.pop()
            touched.add(removed.term.package)
            self._by_package[removed.term.package].pop()
            if removed.is_decision:
                del self.decisions[removed.term.package]
        for package in touched:
            self._positive.pop(package, None)
            self._negative.pop(package, None)
            self._position.pop(package, None)
            self._pinned.discard(package)
        self._cursor = 0  # undone decisions may lie behind it
        # Each touched package's summary is the last intersection its history kept;
        # those that are positive re-enter the order, which is then put back in
        # first-seen order (without walking the whole solution per backtrack). Entries
        # of packages re-registered here (or no longer positive) are stale: dropped, so
        # that the scan from the start does not grow with every backtrack.
        for package in touched:
            history = self._by_package.get(package)
            if not history:
                continue
            summary = history[-1][1]
            if not summary.positive:
                self._negative[package] = summary
                continue
            placed = self._stamp
            self._stamp += 1
            self._position[package] = placed
            self._order.append((package, placed))
            self._set_positive(package, summary)
        position, seen = self._position, self._first_seen
        self._order = sorted(
            ((p, mark) for p, mark in self._order if position.get(p) == mark),
            key=lambda entry: seen[entry[0]],
        )

    def positive_versions(self, package: Package) -> VersionRange | None:
        """The versions `package` may still take when it must be selected (None: it
        need not be, or nothing is known)."""
        found = self._positive.get(package)
        return None if found is None else found.versions

    def relation(self, term: Term) -> Relation:
        decided = self.decisions.get(term.package)
        if decided is not None:
            # A decided package is exactly its version (nothing narrows it after the
            # decision): one membership test instead of set algebra, which unit
            # propagation would otherwise do for every fact about the package.
            inside = term.versions.contains(decided, prereleases=True)
            return Relation.SUBSET if inside is term.positive else Relation.DISJOINT
        accumulated = self._positive.get(term.package) or self._negative.get(term.package)
        if accumulated is None:
            return Relation.OVERLAPPING
        return accumulated.relation(term)

    def satisfies(self, term: Term) -> bool:
        return self.relation(term) is Relation.SUBSET

    def satisfier(self, term: Term) -> Assignment:
        """The earliest assignment after which the assignments so far satisfy `term`."""
        history = self._by_package.get(term.package, [])
        # Assignments only narrow what a package may be: once satisfied, always
        # satisfied, so the first satisfying prefix is found by bisection.
        low, high = 0, len(history)
        while low < high:
            middle = (low + high) // 2
            if history[middle][1].satisfies(term):
                high = middle
            else:
                low = middle + 1
        if low == len(history):
            msg = f"[bug] {term} is not satisfied by the partial solution"
            raise AssertionError(msg)
        return history[low][0]

    def undecided(self) -> list[Term]:
        """Packages that must be selected but have no decision yet, in the order their
        first positive derivation appeared (stable, so resolutions are reproducible)."""
        return [term for package, term in self._positive.items() if package not in self.decisions]

    def next_undecided(self) -> Term | None:
        """Which undecided package to decide next: the root, then the earliest one
        pinned to a single version (it cannot branch), then the earliest (stable and
        breadth-first). The same choice as scanning `undecided()`, in amortised O(1)."""
        pinned = [p for p in self._pinned if p not in self.decisions]
        if pinned:
            roots = [p for p in pinned if p.is_root]
            chosen = roots[0] if roots else min(pinned, key=self._first_seen.__getitem__)
            return self._positive[chosen]
        for package in self._early:
            if package not in self.decisions and package in self._positive:
                return self._positive[package]
        order, decisions, position = self._order, self.decisions, self._position
        while self._cursor < len(order):
            package, placed = order[self._cursor]
            if position.get(package) == placed and package not in decisions:
                return self._positive[package]
            self._cursor += 1
        return None

    def _assign(self, assignment: Assignment) -> None:
        self.assignments.append(assignment)
        history = self._by_package.setdefault(assignment.term.package, [])
        term = assignment.term
        history.append((assignment, term if not history else history[-1][1].intersect(term)))
        self._register(assignment.term)

    def _register(self, term: Term) -> None:
        package = term.package
        positive = self._positive.get(package)
        if positive is not None:
            self._set_positive(package, positive.intersect(term))
            return
        negative = self._negative.get(package)
        merged = term if negative is None else negative.intersect(term)
        if merged.positive:
            self._negative.pop(package, None)
            placed = self._stamp
            self._stamp += 1
            self._position[package] = placed
            self.see(package)
            first = self._first_seen[package]
            seen_of = self._seen
            if not self._order or seen_of(self._order[-1]) <= first:
                self._order.append((package, placed))
            else:  # seen earlier (named by a dependent, or before a backtrack)
                at = bisect.bisect_right(self._order, first, key=seen_of)
                self._order.insert(at, (package, placed))
                self._cursor = min(self._cursor, at)
            self._set_positive(package, merged)
        else:
            self._negative[package] = merged

    def _seen(self, entry: tuple[Package, int]) -> tuple[int, int]:
        return self._first_seen[entry[0]]

    def _set_positive(self, package: Package, term: Term) -> None:
        self._positive[package] = term
        if package not in self.decisions and is_singleton(term.versions):
            self._pinned.add(package)
        else:
            self._pinned.discard(package)
