"""Why no solution exists, in sentences: pub's error-reporting algorithm (solver.md).

The derivation graph of the failure is walked depth first, external facts before what
they imply; a derived incompatibility that is used more than once gets a line number so
later lines can refer back to it. Phrasing follows pub ("depends on both", "which
depends on", "So, because ...") with PEP 440 ranges (`foo>=1.0,<2.0`) and the project
as the root.
"""

from __future__ import annotations

from collections.abc import Callable

from tether.resolve.incompatibility import (
    ConflictCause,
    DependencyCause,
    Incompatibility,
    NoVersionsCause,
    RootCause,
    UnavailableCause,
)
from tether.resolve.term import Term
from tether.resolve.version_set import describe, is_full


def explain(failure: Incompatibility) -> str:
    """The explanation of `failure` (an incompatibility that rules out the root)."""
    return _Writer(failure).write()


class _Phrases:
    """How incompatibilities and terms read in English."""

    @staticmethod
    def covers_all(term: Term) -> bool:
        return is_full(term.versions)

    def terse(self, term: Term, *, allow_every: bool = False) -> str:
        if term.package.is_root:
            return str(term.package)
        if self.covers_all(term):
            return f"every version of {term.package}" if allow_every else str(term.package)
        text = describe(term.versions)
        if " or " in text:
            return f"{term.package} ({text})"
        return f"{term.package}{text}"

    def subject(self, incompatibility: Incompatibility, term: Term) -> str:
        """`term` as the subject of `incompatibility`: the project's extra or group
        that asks (`svc[gpu]`) where one does, so that a clash between two extras says
        which two."""
        cause = incompatibility.cause
        if term.package.is_root and isinstance(cause, DependencyCause) and cause.via:
            return cause.via
        return self.terse(term, allow_every=True)

    def describe(self, incompatibility: Incompatibility) -> str:
        cause = incompatibility.cause
        terms = incompatibility.terms
        if isinstance(cause, DependencyCause) and len(terms) == 2:
            depender, dependee = terms
            return (
                f"{self.subject(incompatibility, depender)} depends on "
                f"{self.terse(dependee.negate())}"
            )
        if isinstance(cause, NoVersionsCause):
            (term,) = terms
            if self.covers_all(term):
                return f"there is no version of {term.package}"
            return f"no versions of {term.package} match {describe(term.versions)}"
        if isinstance(cause, UnavailableCause):
            (term,) = terms
            return f"{self.terse(term, allow_every=True)} {cause.reason}"
        if isinstance(cause, RootCause):
            return f"{terms[0].package} is selected"
        if incompatibility.is_failure():
            return "version solving failed"
        if len(terms) == 1:
            (term,) = terms
            verdict = "forbidden" if term.positive else "required"
            return f"{self.terse(term)} is {verdict}"
        if len(terms) == 2 and terms[0].positive == terms[1].positive:
            first, second = terms
            if first.positive:
                return f"{self.terse(first)} is incompatible with {self.terse(second)}"
            return f"either {self.terse(first)} or {self.terse(second)}"
        positive = [t for t in terms if t.positive]
        negative = [self.terse(t.negate()) for t in terms if not t.positive]
        if positive and negative:
            if len(positive) == 1:
                return (
                    f"{self.terse(positive[0], allow_every=True)} requires {' or '.join(negative)}"
                )
            joined = " and ".join(self.terse(t) for t in positive)
            return f"if {joined} then {' or '.join(negative)}"
        if positive:
            return f"one of {' or '.join(self.terse(t) for t in positive)} must be false"
        return f"one of {' or '.join(negative)} must be true"

    def both(
        self,
        this: Incompatibility,
        other: Incompatibility,
        this_line: int | None = None,
        other_line: int | None = None,
    ) -> str:
        """ "this and other", phrased as pub does when a pattern allows."""
        for attempt in (self._requires_both, self._requires_through, self._requires_forbidden):
            phrase = attempt(this, other, this_line, other_line)
            if phrase is not None:
                return phrase
        first, second = self.describe(this), self.describe(other)
        if first == second:
            return _line(first, this_line or other_line)
        return f"{_line(first, this_line)} and {_line(second, other_line)}"

    def _requires_both(
        self,
        this: Incompatibility,
        other: Incompatibility,
        this_line: int | None,
        other_line: int | None,
    ) -> str | None:
        if len(this.terms) == 1 or len(other.terms) == 1:
            return None
        this_positive = _single(this, positive=True)
        other_positive = _single(other, positive=True)
        if this_positive is None or other_positive is None:
            return None
        if this_positive != other_positive:  # "X depends on both" needs one X
            return None
        this_negatives = " or ".join(self.terse(t.negate()) for t in this.terms if not t.positive)
        other_negatives = " or ".join(self.terse(t.negate()) for t in other.terms if not t.positive)
        verb = "depends on" if _both_dependencies(this, other) else "requires"
        subject = self.subject(this, this_positive)
        if subject != self.subject(other, other_positive):  # two extras: say each
            return None
        if this_negatives == other_negatives:  # never "both X and X"
            return f"{subject} {verb} {_line(this_negatives, this_line or other_line)}"
        return (
            f"{subject} {verb} both {_line(this_negatives, this_line)} and "
            f"{_line(other_negatives, other_line)}"
        )

    def _requires_through(
        self,
        this: Incompatibility,
        other: Incompatibility,
        this_line: int | None,
        other_line: int | None,
    ) -> str | None:
        if len(this.terms) == 1 or len(other.terms) == 1:
            return None
        this_negative = _single(this, positive=False)
        other_negative = _single(other, positive=False)
        if this_negative is None and other_negative is None:
            return None
        this_positive = _single(this, positive=True)
        other_positive = _single(other, positive=True)
        if (
            this_negative is not None
            and other_positive is not None
            and this_negative.package == other_positive.package
            and this_negative.negate().satisfies(other_positive)
        ):
            prior, prior_negative, prior_line, latter, latter_line = (
                this, this_negative, this_line, other, other_line
            )  # fmt: skip
        elif (
            other_negative is not None
            and this_positive is not None
            and other_negative.package == this_positive.package
            and other_negative.negate().satisfies(this_positive)
        ):
            prior, prior_negative, prior_line, latter, latter_line = (
                other, other_negative, other_line, this, this_line
            )  # fmt: skip
        else:
            return None
        prior_positives = [t for t in prior.terms if t.positive]
        if len(prior_positives) > 1:
            text = f"if {' or '.join(self.terse(t) for t in prior_positives)} then "
        else:
            verb = _verb(prior)
            text = f"{self.subject(prior, prior_positives[0])} {verb} "
        text += _line(self.terse(prior_negative.negate()), prior_line)
        latter_negatives = " or ".join(
            self.terse(t.negate()) for t in latter.terms if not t.positive
        )
        return f"{text} which {_verb(latter)} {_line(latter_negatives, latter_line)}"

    def _requires_forbidden(
        self,
        this: Incompatibility,
        other: Incompatibility,
        this_line: int | None,
        other_line: int | None,
    ) -> str | None:
        if len(this.terms) != 1 and len(other.terms) != 1:
            return None
        if len(this.terms) == 1:
            prior, latter, latter_line = other, this, this_line
        else:
            prior, latter, latter_line = this, other, other_line
        negative = _single(prior, positive=False)
        if negative is None or not negative.negate().satisfies(latter.terms[0]):
            return None
        positives = [t for t in prior.terms if t.positive]
        if len(positives) > 1:
            text = f"if {' or '.join(self.terse(t) for t in positives)} then "
        else:
            text = f"{self.subject(prior, positives[0])} {_verb(prior)} "
        if isinstance(latter.cause, NoVersionsCause):
            text += f"{self.terse(negative.negate())} which doesn't match any versions"
        elif isinstance(latter.cause, UnavailableCause):
            text += f"{self.terse(negative.negate())} which {latter.cause.reason}"
        else:
            text += f"{self.terse(negative.negate())} which is forbidden"
        return _line(text, latter_line)


def _line(text: str, line: int | None) -> str:
    """`text`, with the number of the line that explained it, if it has one."""
    return text if line is None else f"{text} ({line})"


def _single(incompatibility: Incompatibility, *, positive: bool) -> Term | None:
    found = [t for t in incompatibility.terms if t.positive == positive]
    return found[0] if len(found) == 1 else None


def _verb(incompatibility: Incompatibility) -> str:
    return "depends on" if isinstance(incompatibility.cause, DependencyCause) else "requires"


def _both_dependencies(this: Incompatibility, other: Incompatibility) -> bool:
    return isinstance(this.cause, DependencyCause) and isinstance(other.cause, DependencyCause)


def _causes(incompatibility: Incompatibility) -> ConflictCause:
    cause = incompatibility.cause
    assert isinstance(cause, ConflictCause)  # noqa: S101 - only derived ones are visited
    return cause


class _Writer:
    def __init__(self, root: Incompatibility) -> None:
        self._root = root
        self._phrases = _Phrases()
        self._derivations: dict[int, int] = {}
        self._lines: list[tuple[str, int | None]] = []
        self._numbers: dict[int, int] = {}
        self._count(root)

    def _count(self, incompatibility: Incompatibility) -> None:
        key = id(incompatibility)
        if key in self._derivations:
            self._derivations[key] += 1
            return
        self._derivations[key] = 1
        if isinstance(incompatibility.cause, ConflictCause):
            self._count(incompatibility.cause.conflict)
            self._count(incompatibility.cause.other)

    def write(self) -> str:
        if isinstance(self._root.cause, ConflictCause):
            self._visit(self._root)
        else:
            self._write(
                self._root, f"Because {self._phrases.describe(self._root)}, version solving failed."
            )
        width = len(f"({max(self._numbers.values())}) ") if self._numbers else 0
        out: list[str] = []
        for message, number in self._lines:
            if not message:
                if out and out[-1] != "":
                    out.append("")
                continue
            prefix = f"({number}) ".ljust(width) if number is not None else " " * width
            out.append(prefix + message)
        return "\n".join(out)

    def _write(
        self, incompatibility: Incompatibility, message: str, *, numbered: bool = False
    ) -> None:
        if numbered:
            number = len(self._numbers) + 1
            self._numbers[id(incompatibility)] = number
            self._lines.append((message, number))
        else:
            self._lines.append((message, None))

    def _line(self, incompatibility: Incompatibility) -> int | None:
        return self._numbers.get(id(incompatibility))

    def _visit(self, incompatibility: Incompatibility, *, conclusion: bool = False) -> None:
        phrases = self._phrases
        numbered = conclusion or self._derivations[id(incompatibility)] > 1
        conjunction = "So," if conclusion or incompatibility is self._root else "And"
        text = phrases.describe(incompatibility)
        cause = _causes(incompatibility)
        conflict, other = cause.conflict, cause.other
        write: Callable[[str], None] = lambda message: self._write(  # noqa: E731
            incompatibility, message, numbered=numbered
        )
        if conflict.is_derived and other.is_derived:
            conflict_line, other_line = self._line(conflict), self._line(other)
            if conflict_line is not None and other_line is not None:
                write(
                    f"Because {phrases.both(conflict, other, conflict_line, other_line)}, {text}."
                )
            elif conflict_line is not None or other_line is not None:
                with_line, without_line = (
                    (conflict, other) if conflict_line is not None else (other, conflict)
                )
                self._visit(without_line)
                line = self._line(with_line)
                write(f"{conjunction} because {phrases.describe(with_line)} ({line}), {text}.")
            else:
                single_conflict = _single_line(conflict)
                single_other = _single_line(other)
                if single_conflict or single_other:
                    first, second = (conflict, other) if single_other else (other, conflict)
                    self._visit(first)
                    self._visit(second)
                    write(f"Thus, {text}.")
                else:
                    self._visit(conflict, conclusion=True)
                    self._lines.append(("", None))
                    self._visit(other)
                    line = self._line(conflict)
                    write(f"{conjunction} because {phrases.describe(conflict)} ({line}), {text}.")
        elif conflict.is_derived or other.is_derived:
            derived, external = (conflict, other) if conflict.is_derived else (other, conflict)
            derived_line = self._line(derived)
            if derived_line is not None:
                write(f"Because {phrases.both(external, derived, None, derived_line)}, {text}.")
            elif self._collapsible(derived):
                inner = _causes(derived)
                collapsed_derived, collapsed_external = (
                    (inner.conflict, inner.other)
                    if inner.conflict.is_derived
                    else (inner.other, inner.conflict)
                )
                self._visit(collapsed_derived)
                write(
                    f"{conjunction} because {phrases.both(collapsed_external, external)}, {text}."
                )
            else:
                self._visit(derived)
                write(f"{conjunction} because {phrases.describe(external)}, {text}.")
        else:
            write(f"Because {phrases.both(conflict, other)}, {text}.")

    def _collapsible(self, incompatibility: Incompatibility) -> bool:
        if self._derivations[id(incompatibility)] > 1:
            return False
        cause = _causes(incompatibility)
        if cause.conflict.is_derived and cause.other.is_derived:
            return False
        if not cause.conflict.is_derived and not cause.other.is_derived:
            return False
        complex_ = cause.conflict if cause.conflict.is_derived else cause.other
        return id(complex_) not in self._numbers


def _single_line(incompatibility: Incompatibility) -> bool:
    cause = _causes(incompatibility)
    return not cause.conflict.is_derived and not cause.other.is_derived
