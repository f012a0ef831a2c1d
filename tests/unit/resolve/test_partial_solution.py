"""The partial solution's answers for decided packages: a membership test stands in for
the set algebra, and must give the same relation for every term."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from tether.resolve import Package
from tether.resolve.partial_solution import PartialSolution
from tether.resolve.term import Relation, Term
from tether.resolve.version_set import exactly, from_specifier

FOO = Package("foo")
VERSIONS = ["0.9", "1.0", "1.0.post1", "1.5", "2.0rc1", "2.0", "2.0+local", "3.0"]
SPECIFIERS = [">=1.0", "<2.0", "==1.5", "!=1.5", ">=1.0,<2.0", "~=1.0", ">2.0", "==2.0.*", ""]


@given(
    version=st.sampled_from(VERSIONS),
    specifiers=st.lists(st.sampled_from(SPECIFIERS), min_size=1, max_size=3),
    positive=st.booleans(),
)
def test_a_decided_package_relates_to_a_term_as_its_single_version_does(
    version: str, specifiers: list[str], positive: bool
) -> None:
    decided = Version(version)
    versions = from_specifier(specifiers[0])
    for specifier in specifiers[1:]:
        versions = versions | from_specifier(specifier)
    term = Term(FOO, versions, positive)
    solution = PartialSolution()
    solution.decide(FOO, decided)
    assert solution.relation(term) is Term(FOO, exactly(decided)).relation(term)


def test_a_decided_package_satisfies_or_contradicts_every_term() -> None:
    solution = PartialSolution()
    solution.decide(FOO, Version("1.5"))
    assert solution.relation(Term(FOO, from_specifier(">=1.0"))) is Relation.SUBSET
    assert solution.relation(Term(FOO, from_specifier(">=2.0"))) is Relation.DISJOINT
    assert solution.relation(Term(FOO, from_specifier(">=2.0"), positive=False)) is Relation.SUBSET
    assert solution.relation(Term(FOO, from_specifier(">=1.0"), positive=False)) is (
        Relation.DISJOINT
    )
