"""A PubGrub term: a statement about one package, `foo >=1.0` or `not foo >=1.0`.

As sets (pub's solver.md, "Term"): a positive term is its versions; a negative term is
every other version *and* the package not being selected at all. All of PubGrub's term
relations follow from that reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

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
        mine, theirs = self.versions, other.versions
        key = (id(mine), self.positive, id(theirs), other.positive)
        entry = _INTERSECTIONS.get(key)
        if entry is not None and entry[0] is mine and entry[1] is theirs:
            return Term(self.package, entry[2], entry[3])
        if self.positive and other.positive:
            versions, positive = mine & theirs, True
        elif self.positive:
            versions, positive = mine - theirs, True
        elif other.positive:
            versions, positive = theirs - mine, True
        else:
            versions, positive = mine | theirs, False
        if len(_INTERSECTIONS) > _RELATIONS_KEPT:
            _INTERSECTIONS.clear()
        _INTERSECTIONS[key] = (mine, theirs, versions, positive)
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
        mine, theirs = self.versions, other.versions
        key = (id(mine), self.positive, id(theirs), other.positive)
        entry = _RELATIONS.get(key)
        if entry is not None and entry[0] is mine and entry[1] is theirs:
            return entry[2]
        if self.satisfies(other):
            found = Relation.SUBSET
        elif self.is_disjoint(other):
            found = Relation.DISJOINT
        else:
            found = Relation.OVERLAPPING
        if len(_RELATIONS) > _RELATIONS_KEPT:
            _RELATIONS.clear()
        _RELATIONS[key] = (mine, theirs, found)
        return found

    def __str__(self) -> str:
        text = f"{self.package} {describe(self.versions)}"
        return text if self.positive else f"not {text}"


_RELATIONS: dict[tuple[int, bool, int, bool], tuple[VersionRange, VersionRange, Relation]] = {}
_RELATIONS_KEPT = 500_000
_INTERSECTIONS: dict[
    tuple[int, bool, int, bool], tuple[VersionRange, VersionRange, VersionRange, bool]
] = {}


def empty_negative(package: Package) -> Term:
    """`not foo ∅`: true of every selection; the identity for intersection."""
    return Term(package, EMPTY, positive=False)
