"""Finding the project a command applies to.

Like git, uv and Poetry, tether walks up from the working directory to the nearest
`pyproject.toml`, so every command works from any subdirectory of a project.
"""

from __future__ import annotations

from pathlib import Path

from tether.errors import ProjectError

PYPROJECT = "pyproject.toml"


def find_pyproject(start: Path) -> Path:
    """The nearest `pyproject.toml` at or above `start` (a directory or the file itself)."""
    start = start.absolute()
    if start.is_file():
        if start.name != PYPROJECT:
            raise ProjectError(
                "not a pyproject.toml file",
                path=start,
                hint="pass the project's directory or its pyproject.toml",
            )
        return start
    if not start.exists():
        raise ProjectError(
            "project directory does not exist",
            path=start,
            hint="check the path given to --project or --directory",
        )
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    raise ProjectError(
        f"no pyproject.toml found in {start} or any parent directory",
        hint="run `tether init` to create a project here, or pass --project PATH",
    )


def try_find_pyproject(start: Path) -> Path | None:
    """Like `find_pyproject`, but None when there is no project (for commands that work
    inside or outside one)."""
    start = start.absolute()
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def project_name_at(directory: Path) -> str | None:
    """`[project].name` of the project in `directory`; None when it has no readable
    pyproject.toml with one (callers say what that means where they are)."""
    import tomllib  # noqa: PLC0415 - only for commands that point at other projects

    try:
        data = tomllib.loads((directory / "pyproject.toml").read_text(encoding="utf-8"))
        name = data["project"]["name"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None
