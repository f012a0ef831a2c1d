"""Package indexes: PEP 503/691 pages, PEP 658 metadata, auth, retries (DESIGN.md §2, L2).

Importing this package is cheap: the HTTP stack loads only when a client is created.
"""

from tether.index.config import PYPI, Index

__all__ = ["PYPI", "Index"]
