"""What a sync tells the user about where it installed: an active virtual environment that
is not the project's (ignored), and a cache on another filesystem than the environment
(files copied instead of hard-linked, as uv warns)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tether.install.wheel import same_filesystem
from tether.project import Project


def copy_warning(cache_root: Path, environment: Path) -> str | None:
    """Hard links cannot cross filesystems: say so once, as uv does, since copying is
    slower and doubles the disk used."""
    if same_filesystem(cache_root, environment):
        return None
    return (
        f"the cache ({cache_root}) and the environment are on different filesystems, so "
        "files were copied instead of hard-linked; set TETHER_CACHE_DIR to a directory on "
        "the environment's filesystem for faster installs"
    )


def environment_warning(project: Project, environ: Mapping[str, str]) -> str | None:
    """An active virtual environment that is not the project's is ignored, and said so."""
    active = environ.get("VIRTUAL_ENV")
    if not active:
        return None
    if project.script is not None:
        return None  # a script's environment is its own, whatever is active
    if Path(active).resolve() == project.environment(environ).resolve():
        return None
    return f"ignoring VIRTUAL_ENV={active}: it is not the project's environment"
