"""What the resolver chooses versions for: real packages, extras, and the root.

An extra is its own PubGrub package, `foo[gpu]` (as in uv and Poetry): choosing
`foo[gpu] 2.1` means choosing `foo 2.1` plus the extra's requirements, so different
dependents can ask for different extras of one `foo` and still agree on its version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    ROOT = 0
    PACKAGE = 1


@dataclass(frozen=True, slots=True, order=True)
class Package:
    """A node of the resolution: `name` is normalised (PEP 503); `extra` likewise."""

    name: str
    extra: str | None = None
    kind: Kind = Kind.PACKAGE

    @classmethod
    def root(cls, name: str) -> Package:
        return cls(name, None, Kind.ROOT)

    @property
    def is_root(self) -> bool:
        return self.kind is Kind.ROOT

    @property
    def base(self) -> Package:
        """The package an extra belongs to (itself for a plain package)."""
        return Package(self.name) if self.extra is not None else self

    def __str__(self) -> str:
        return f"{self.name}[{self.extra}]" if self.extra is not None else self.name
