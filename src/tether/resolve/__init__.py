"""The resolver (DESIGN.md §2, L2): PubGrub over a `Provider`, pure, no I/O of its own."""

from tether.resolve.package import Package
from tether.resolve.provider import Available, Dependency, Provider, Unavailable
from tether.resolve.solver import Resolution, solve

__all__ = [
    "Available",
    "Dependency",
    "Package",
    "Provider",
    "Resolution",
    "Unavailable",
    "solve",
]
