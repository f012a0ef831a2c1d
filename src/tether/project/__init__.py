"""The project model: `pyproject.toml` read into typed, immutable values (DESIGN.md §2, L3)."""

from tether.index.config import Index
from tether.project.discovery import PYPROJECT, find_pyproject, try_find_pyproject
from tether.project.pyproject import BuildSystem, Project, Selection, load_project
from tether.project.settings import (
    ConflictItem,
    PrereleasePolicy,
    ResolutionStrategy,
    Settings,
    Source,
)

__all__ = [
    "PYPROJECT",
    "BuildSystem",
    "ConflictItem",
    "Index",
    "PrereleasePolicy",
    "Project",
    "ResolutionStrategy",
    "Selection",
    "Settings",
    "Source",
    "find_pyproject",
    "load_project",
    "try_find_pyproject",
]
