"""What every verb handler receives from the CLI besides its own arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tether.cli.console import Console


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """The global options, resolved: who prints, where we are, which project."""

    console: Console
    cwd: Path
    environ: Mapping[str, str]
    project: Path | None

    @property
    def project_start(self) -> Path:
        """Where project discovery starts: `--project`, else the working directory."""
        return self.project if self.project is not None else self.cwd

    def shown(self, path: Path) -> str:
        """`path` as a message shows it: relative to the working directory when inside
        it (and not the directory itself), else as given."""
        try:
            relative = path.relative_to(self.cwd)
        except ValueError:
            return str(path)
        return str(relative) if str(relative) != "." else str(path)
