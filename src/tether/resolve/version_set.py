"""Version sets for the resolver: `packaging.ranges.VersionRange`, plus how to say them.

PubGrub needs exact set algebra (union, intersection, complement) over versions;
`VersionRange` provides it with PEP 440 semantics. What it lacks is a short human form
for error messages, which `describe` provides.
"""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.ranges import VersionRange
from packaging.specifiers import SpecifierSet
from packaging.version import Version

# Only PEP 440 versions: `SpecifierSet("")` also admits arbitrary strings, and mixing
# the two kinds of "full" breaks subset tests (`full() ⊄ full(admit_arbitrary=False)`),
# which PubGrub's satisfier search relies on.
FULL = VersionRange.full(admit_arbitrary=False)
EMPTY = VersionRange.empty()
_BOUND_MARK = re.compile(r"\[[A-Z_]+\]$")


@lru_cache(maxsize=8192)
def from_specifier(specifier: str) -> VersionRange:
    """The range a specifier string admits (cached: parsing dominates otherwise)."""
    return SpecifierSet(specifier).to_range() & FULL


@lru_cache(maxsize=65536)
def exactly(version: Version) -> VersionRange:
    """`==version` (cached: one object per version, so the solver's memos, keyed by
    identity, recognise a decision taken again after a backjump)."""
    return VersionRange.singleton(version)


def describe(versions: VersionRange) -> str:
    """A short form for messages: `>=1.0,<2.0`, `==1.2.3`, `*` for every version,
    `<1.0 or >=2.0` for a union.

    An exclusive upper bound at `X.dev0` is what `<X` means in PEP 440 (no pre-release
    of X), so it is shown as `<X`; bounds just after X's local or post releases are
    what `<=X` and `>X` mean, and are shown so.
    """
    if versions.is_empty:
        return "∅"
    if is_full(versions):
        return "*"
    # repr is `<VersionRange 'INTERVALS'>`, possibly followed by ` pre-region='...'`.
    body = repr(versions).split("'")[1]
    parts = [_describe_interval(part) for part in body.split(" | ")]
    return " or ".join(parts)


def _describe_interval(part: str) -> str:
    opening, closing = part[0], part[-1]
    low, _, high = part[1:-1].partition(", ")
    low, high = _BOUND_MARK.sub("", low), _BOUND_MARK.sub("", high)
    if opening == "[" and closing == "]" and low == high:
        return f"=={low}"
    bounds = []
    if low != "-inf":
        bounds.append(f"{'>=' if opening == '[' else '>'}{low}")
    if high != "+inf":
        bounds.append(f"<={high}" if closing == "]" else f"<{high.removesuffix('.dev0')}")
    return ",".join(bounds) if bounds else "*"


@lru_cache(maxsize=16384)
def is_full(versions: VersionRange) -> bool:
    """Whether every PEP 440 version is admitted (set algebra can drop `full()`'s
    non-version strings, which no package version is)."""
    return FULL.is_subset(versions)


@lru_cache(maxsize=16384)
def is_singleton(versions: VersionRange) -> bool:
    """Whether exactly one version is admitted (`==X`, with no local variants). Cached:
    the solver asks it of every undecided package at every decision."""
    text = describe(versions)
    return text.startswith("==") and " or " not in text


@lru_cache(maxsize=8192)
def same_top(first: VersionRange, second: VersionRange) -> bool:
    """Whether two ranges end the same way at the top (both open, or both below one
    bound): the newest version one admits is then, in practice, the newest the other
    admits, so requirements that differ only lower down need no fork of their own."""
    return _top(first) == _top(second)


def _top(versions: VersionRange) -> tuple[Version | None, str]:
    """The upper bound (None: open) and what closes it (`)`, `]`, a bound mark), the
    version parsed so that `<3` and `<3.0.0` end alike."""
    if versions.is_empty:
        return None, ""
    body = repr(versions).split("'")[1]
    high = body.split(" | ")[-1].partition(", ")[2]
    closing = high[-1]
    bound = high[:-1]
    mark = _BOUND_MARK.search(bound)
    if mark is not None:
        bound, closing = bound[: mark.start()], mark.group() + closing
    return (None if bound == "+inf" else Version(bound)), closing
