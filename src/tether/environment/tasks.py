"""Running `[tool.tether.tasks]` entries in the project's environment: each dependency
once, the steps in order, stopping at the first that fails with its exit status (130 on
Ctrl-C, as a shell reports it); extra arguments go to the named task's own commands, and
each task runs from the project's root unless it says `cwd`, with its env-file and env."""

from __future__ import annotations

import difflib
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tether.errors import ProjectError, UsageError
from tether.project import Project
from tether.project.tasks import Task

INTERRUPTED = 130


def find_task(project: Project, name: str) -> Task:
    tasks = project.settings.tasks
    if name in tasks:
        return tasks[name]
    if not tasks:
        raise UsageError(
            f"no task named {name!r}: the project defines no tasks",
            hint='add some under [tool.tether.tasks], e.g. test = "pytest -q"',
        )
    near = difflib.get_close_matches(name, list(tasks), n=1)
    raise UsageError(
        f"no task named {name!r}",
        hint=f"did you mean {near[0]!r}?" if near else f"the tasks: {', '.join(sorted(tasks))}",
    )


class TaskRunner:
    """Runs tasks for one invocation: each dependency once, steps in order."""

    def __init__(
        self,
        project: Project,
        environ: Mapping[str, str],
        on_step: Callable[[str, str], None] | None = None,  # (task, command) as each starts
    ) -> None:
        self.project = project
        self.on_step = on_step
        self.done: set[str] = set()
        environment = project.environment(environ)
        environ = dict(environ)
        environ["PATH"] = os.pathsep.join([str(environment / "bin"), environ.get("PATH", "")])
        environ["VIRTUAL_ENV"] = str(environment)
        environ.pop("PYTHONHOME", None)
        self.environ = environ

    def run(self, task: Task, arguments: list[str]) -> int:
        for dependency in task.depends:
            if dependency in self.done:
                continue
            status = self.run(self.project.settings.tasks[dependency], [])
            if status != 0:
                return status
        environ = self._environ(task)
        cwd = self._cwd(task)
        for step in task.steps:
            if step.task is not None:
                status = self.run(self.project.settings.tasks[step.task], [])
            else:
                argv = list(step.argv)
                if arguments:
                    argv = (
                        [*argv[:-1], f"{argv[-1]} {_quoted(arguments)}"]
                        if task.shell
                        else [*argv, *arguments]
                    )
                shown = f"{step.text} {_quoted(arguments)}" if arguments else step.text
                status = self._execute(task, argv, environ, cwd, shown)
            if status != 0:
                return status
        self.done.add(task.name)
        return 0

    def _execute(
        self, task: Task, argv: list[str], environ: dict[str, str], cwd: Path, shown: str
    ) -> int:
        program = shutil.which(argv[0], path=environ["PATH"])
        if program is None:
            raise UsageError(
                f"task `{task.name}`: command not found: {argv[0]}",
                hint="is it a dependency of the project (in a synced group)? "
                "add it, or fix the task in [tool.tether.tasks]",
            )
        if self.on_step is not None:
            self.on_step(task.name, shown)
        try:
            process = subprocess.Popen(argv, executable=program, env=environ, cwd=cwd)
        except OSError as err:
            raise UsageError(
                f"task `{task.name}`: cannot run {argv[0]}: {err.strerror or err}"
            ) from None
        try:
            status = process.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to the step too: let it finish its own way.
            process.wait()
            return INTERRUPTED
        return INTERRUPTED if status == -signal.SIGINT else (128 - status if status < 0 else status)

    def _environ(self, task: Task) -> dict[str, str]:
        environ = dict(self.environ)
        if task.env_file is not None:
            environ.update(_read_env_file(self.project.root / task.env_file, task))
        environ.update(task.env)
        return environ

    def _cwd(self, task: Task) -> Path:
        if task.cwd is None:
            return self.project.root
        cwd = self.project.root / task.cwd
        if not cwd.is_dir():
            raise ProjectError(
                f"task `{task.name}`: cwd {task.cwd!r} is not a directory",
                path=self.project.pyproject_path,
                hint="cwd is relative to the project's root",
            )
        return cwd


def _read_env_file(path: Path, task: Task) -> dict[str, str]:
    """A dotenv file: `KEY=VALUE` lines (`export ` allowed, quotes stripped, `#`
    comments and blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ProjectError(
            f"task `{task.name}`: cannot read its env-file: {err.strerror or err}",
            path=path,
            hint="create the file, or fix `env-file` (relative to the project's root)",
        ) from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip().replace("_", "").isalnum():
            raise ProjectError(
                "not a KEY=VALUE line", path=path, line=number, hint="dotenv format: KEY=VALUE"
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _quoted(words: Sequence[str]) -> str:
    return shlex.join(words)
