"""Where a project's lock lives: `pylock.toml` beside `pyproject.toml`, or, for a
PEP 723 script, the file its caller chose (beside the script, or in the cache)."""

from __future__ import annotations

from pathlib import Path

from tether.lock import LOCK_NAME
from tether.project import Project


def lock_location(project: Project) -> Path:
    return project.lock_file if project.lock_file is not None else project.root / LOCK_NAME
