"""`tether project`: read and validate pyproject.toml, and report what tether sees."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tether.project import Project, find_pyproject, load_project


@dataclass(frozen=True, slots=True, kw_only=True)
class ShowOptions:
    start: Path


def show(options: ShowOptions) -> Project:
    """The project found at or above `start`, fully validated."""
    return load_project(find_pyproject(options.start))
