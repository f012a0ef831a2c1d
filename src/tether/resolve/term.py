"""A PubGrub term: a statement about one package, `foo >=1.0` or `not foo >=1.0`.

As sets (pub's solver.md, "Term"): a positive term is its versions; a negative term is
every other version *and* the package not being selected at all. All of PubGrub's term
relations follow from that reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from packaging.ranges import VersionRange

from tether.resolve.package import Package
from tether.resolve.version_set import EMPTY, describe


class Relation(Enum):
    SUBSET = "subset"  # the partial solution satisfies the term
    DISJOINT = "disjoint"  # ... contradicts it
    OVERLAPPING = "overlapping"  # ... is inconclusive


@dataclass(frozen=True, slots=True)
class Term:
    package: Package
    versions: VersionRange
    positive: bool = True

    def negate(self) -> Term:
        return Term(self.package, self.versions, not self.positive)

    def intersect(self, other: Term) -> Term:
        """Both terms at once (same package). Memoised by the identity of the two
        ranges, as `relation` is: after a backjump the solver assigns the same terms
        again, and a result that is the same object as before lets `relation`'s memo
        answer for it too."""
        versions, positive = _recalled(_INTERSECTIONS, self, other, _intersection)
        return Term(self.package, versions, positive)

    def difference(self, other: Term) -> Term:
        return self.intersect(other.negate())

    @property
    def is_empty(self) -> bool:
        """No selection satisfies it (a negative term always allows "not selected")."""
        return self.positive and self.versions.is_empty

    def satisfies(self, other: Term) -> bool:
        """self ⊆ other."""
        if self.positive and other.positive:
            return self.versions.is_subset(other.versions)
        if self.positive:
            return self.versions.is_disjoint(other.versions)
        if other.positive:
            return False
        return other.versions.is_subset(self.versions)

    def is_disjoint(self, other: Term) -> bool:
        if self.positive and other.positive:
            return self.versions.is_disjoint(other.versions)
        if self.positive:
            return self.versions.is_subset(other.versions)
        if other.positive:
            return other.versions.is_subset(self.versions)
        return False

    def relation(self, other: Term) -> Relation:
        """How this (accumulated) term relates to `other`. Memoised by the identity of
        the two ranges (kept alive in the entry, so an id is never reused while it is
        there): unit propagation asks the same question of the same range objects
        hundreds of thousands of times in a large graph, the set algebra is pure
        Python, and hashing a range by value costs as much as the question."""
        return _recalled(_RELATIONS, self, other, _relation)

    def __str__(self) -> str:
        text = f"{self.package} {describe(self.versions)}"
        return text if self.positive else f"not {text}"


def _intersection(mine: Term, other: Term) -> tuple[VersionRange, bool]:
    if mine.positive and other.positive:
        return mine.versions & other.versions, True
    if mine.positive:
        return mine.versions - other.versions, True
    if other.positive:
        return other.versions - mine.versions, True
    return mine.versions | other.versions, False


def _relation(mine: Term, other: Term) -> Relation:
    if mine.satisfies(other):
        return Relation.SUBSET
    if mine.is_disjoint(other):
        return Relation.DISJOINT
    return Relation.OVERLAPPING


_Answer = TypeVar("_Answer")
# (id of one range, its sign, id of the other, its sign) -> (both ranges, the answer):
# the ranges are kept alive in the entry, so an id is never reused while it is there.
_Memo = dict[tuple[int, bool, int, bool], tuple[VersionRange, VersionRange, _Answer]]
_RELATIONS: _Memo[Relation] = {}
_INTERSECTIONS: _Memo[tuple[VersionRange, bool]] = {}
_KEPT = 500_000  # entries per memo before it starts afresh


def _recalled(
    memo: _Memo[_Answer], mine: Term, other: Term, compute: Callable[[Term, Term], _Answer]
) -> _Answer:
    """`compute(mine, other)`, remembered by the identity of the two terms' ranges."""
    key = (id(mine.versions), mine.positive, id(other.versions), other.positive)
    entry = memo.get(key)
    if entry is not None and entry[0] is mine.versions and entry[1] is other.versions:
        return entry[2]
    answer = compute(mine, other)
    if len(memo) > _KEPT:
        memo.clear()
    memo[key] = (mine.versions, other.versions, answer)
    return answer


def empty_negative(package: Package) -> Term:
    """`not foo ∅`: true of every selection; the identity for intersection."""
    return Term(package, EMPTY, positive=False)
