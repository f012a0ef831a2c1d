"""`tether task NAME [ARGS]`: run a `[tool.tether.tasks]` entry in the project's
environment (locked and synced first, as `tether run`), its `depends` first, each step
in order, stopping at the first that fails with that step's exit status.

Extra arguments go to the named task's own commands (not to the tasks it depends on
or calls). Tasks run from the project's root unless they say `cwd`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tether.commands.run import ensure_synced
from tether.environment.tasks import TaskRunner, find_task
from tether.project import find_pyproject, load_project
from tether.project.tasks import Task


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskOptions:
    start: Path
    environ: Mapping[str, str]
    name: str
    arguments: Sequence[str] = ()
    on_step: Callable[[str, str], None] | None = None  # (task, command) as each starts


def list_tasks(start: Path) -> list[Task]:
    project = load_project(find_pyproject(start))
    return sorted(project.settings.tasks.values(), key=lambda t: t.name)


def run_task(options: TaskOptions) -> int:
    """The exit status of the task: 0, or that of the first step that failed."""
    project = load_project(find_pyproject(options.start))
    task = find_task(project, options.name)
    ensure_synced(project, options.environ)
    runner = TaskRunner(project, options.environ, options.on_step)
    return runner.run(task, list(options.arguments))
