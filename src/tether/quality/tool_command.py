"""A quality tool ready to run: the program, its argv and environment, and where it came
from (the project's environment, or a cached tool environment)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityCommand:
    program: str
    argv: list[str]
    environ: dict[str, str]
    cwd: Path
    source: str  # "project" or "tool environment"
