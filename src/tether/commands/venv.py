"""`tether venv [PATH]`: a virtual environment for the project's (or the requested)
Python, in milliseconds and without pip."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tether.commands.python import find_python
from tether.project import load_project, try_find_pyproject
from tether.python.interpreter import Interpreter
from tether.python.venv import VirtualEnv, create


@dataclass(frozen=True, slots=True, kw_only=True)
class VenvOptions:
    start: Path
    environ: Mapping[str, str]
    path: Path | None = None
    python: str | None = None
    prompt: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VenvResult:
    environment: VirtualEnv
    interpreter: Interpreter


def make_venv(options: VenvOptions) -> VenvResult:
    pyproject = try_find_pyproject(options.start)
    project = load_project(pyproject) if pyproject is not None else None
    requires_python = str(project.requires_python) if project is not None else ""
    interpreter = find_python(options.python, options.environ, requires_python)
    default_root = project.root if project is not None else options.start
    target = options.path or Path(
        options.environ.get("TETHER_PROJECT_ENVIRONMENT") or default_root / ".venv"
    )
    prompt = options.prompt or (project.display_name if project is not None else None)
    environment = create(
        target if target.is_absolute() else options.start / target, interpreter, prompt=prompt
    )
    return VenvResult(environment=environment, interpreter=interpreter)
