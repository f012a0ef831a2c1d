"""Incompatibilities: sets of terms that must not all be true, and why.

External ones state facts (the root must be chosen, foo 1.0 depends on bar >=2, no
version of baz matches, a version is unusable); derived ones come from conflict
resolution and remember their two causes, which is what error reports explain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tether.resolve.package import Package
from tether.resolve.term import Term


@dataclass(frozen=True, slots=True)
class RootCause:
    """The root package must be selected."""


@dataclass(frozen=True, slots=True)
class DependencyCause:
    """terms[0] (the depender) depends on the complement of terms[1] (the dependee).
    `via`: how messages name the depender when an extra or group of the project asks
    (`svc[gpu]`), else None."""

    via: str | None = None


@dataclass(frozen=True, slots=True)
class NoVersionsCause:
    """No version in the term's range exists (or survives the policies)."""


@dataclass(frozen=True, slots=True)
class UnavailableCause:
    """The versions exist but cannot be used: `reason` says why (requires-python,
    missing metadata, a build that failed)."""

    reason: str


@dataclass(frozen=True, slots=True, eq=False)
class ConflictCause:
    conflict: Incompatibility
    other: Incompatibility


Cause = RootCause | DependencyCause | NoVersionsCause | UnavailableCause | ConflictCause


@dataclass(frozen=True, slots=True, eq=False)
class Incompatibility:
    """Compared by identity: two derivations with equal terms are distinct proofs."""

    terms: tuple[Term, ...]
    cause: Cause

    @classmethod
    def of(cls, terms: Iterable[Term], cause: Cause) -> Incompatibility:
        """Normalised: one term per package; a derived incompatibility drops positive
        root terms (they always hold) unless that would leave nothing."""
        merged: dict[Package, Term] = {}
        for term in terms:
            previous = merged.get(term.package)
            merged[term.package] = term if previous is None else previous.intersect(term)
        result = list(merged.values())
        if isinstance(cause, ConflictCause) and len(result) > 1:
            kept = [t for t in result if not (t.positive and t.package.is_root)]
            result = kept or result
        return cls(tuple(result), cause)

    @property
    def is_derived(self) -> bool:
        return isinstance(self.cause, ConflictCause)

    def is_failure(self) -> bool:
        """No terms, or only "the root is selected": version solving has failed."""
        return not self.terms or (
            len(self.terms) == 1 and self.terms[0].positive and self.terms[0].package.is_root
        )

    def term_for(self, package: Package) -> Term | None:
        for term in self.terms:
            if term.package == package:
                return term
        return None

    def __str__(self) -> str:
        return "{" + ", ".join(str(t) for t in self.terms) + "}"
