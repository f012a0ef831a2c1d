"""`[tool.tether.tasks]`: named commands a project runs in its environment (what PDM's
`[tool.pdm.scripts]` and taskipy do), read into plain values; running them is
commands/task.py's job.

    test = "pytest -q"                                   # one command
    lint = ["ruff check .", "mypy"]                      # a sequence (a task's name runs it)
    serve = { cmd = "uvicorn app:app", env = { PORT = "8000" }, help = "dev server" }
    ci = { depends = ["lint", "test"] }                  # other tasks first

Commands are split like a POSIX shell splits words (quotes work) but no shell runs
them unless `shell = true`, so quoting means the same on every platform.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tether.project.fields import expect_bool, expect_str, expect_str_list, expect_table
from tether.project.toml_source import TomlDocument

TASK_KEYS = frozenset({"cmd", "sequence", "depends", "env", "env-file", "cwd", "help", "shell"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One thing a task does: run a command, or run another task."""

    text: str  # as written
    argv: tuple[str, ...] = ()  # the command's words (empty for a task reference)
    task: str | None = None  # the task this step runs, when it names one


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    name: str
    steps: tuple[Step, ...] = ()
    depends: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    env_file: str | None = None
    cwd: str | None = None
    help: str | None = None
    shell: bool = False

    def describe(self) -> str:
        """What `tether task` lists for it: its help, else what it runs."""
        if self.help:
            return self.help
        parts = [s.text for s in self.steps]
        if self.depends:
            parts.insert(0, f"(after {', '.join(self.depends)})")
        return "; ".join(parts)


def parse_tasks(doc: TomlDocument, value: object) -> Mapping[str, Task]:
    """Read `[tool.tether.tasks]`, checking that every task it names exists and that
    no task ends up running itself."""
    table = expect_table(doc, value, "tool.tether.tasks")
    raw = {name: _raw(doc, name, spec) for name, spec in table.items()}
    tasks = {name: _linked(doc, task, raw) for name, task in raw.items()}
    for name in tasks:
        _check_cycle(doc, name, tasks, ())
    return MappingProxyType(tasks)


def _raw(doc: TomlDocument, name: str, spec: object) -> Task:
    where = f"tool.tether.tasks.{name}"
    if isinstance(spec, str):
        return Task(name=name, steps=(_step(doc, spec, where, shell=False),))
    if isinstance(spec, list):
        texts = expect_str_list(doc, spec, where)
        return Task(name=name, steps=tuple(_step(doc, t, where, shell=False) for t in texts))
    data = expect_table(doc, spec, where)
    unknown = sorted(set(data) - TASK_KEYS)
    if unknown:
        raise doc.error(
            f"unknown key `{unknown[0]}` in task `{name}`",
            at=doc.locate_key(unknown[0]),
            hint=f"a task table takes {', '.join(sorted(TASK_KEYS))}",
        )
    if "cmd" in data and "sequence" in data:
        raise doc.error(
            f"task `{name}` has both `cmd` and `sequence`",
            at=doc.locate_key(name),
            hint="give one command (`cmd`) or several (`sequence`)",
        )
    shell = expect_bool(doc, data.get("shell", False), f"{where}.shell")
    steps = _steps(doc, data, where, shell=shell)
    if not steps and "depends" not in data:
        raise doc.error(
            f"task `{name}` runs nothing",
            at=doc.locate_key(name),
            hint="give it a `cmd`, a `sequence` or `depends`",
        )
    env = expect_table(doc, data.get("env", {}), f"{where}.env")
    return Task(
        name=name,
        steps=steps,
        depends=expect_str_list(doc, data.get("depends", []), f"{where}.depends"),
        env=MappingProxyType({k: expect_str(doc, v, f"{where}.env.{k}") for k, v in env.items()}),
        env_file=_optional_str(doc, data, "env-file", where),
        cwd=_optional_str(doc, data, "cwd", where),
        help=_optional_str(doc, data, "help", where),
        shell=shell,
    )


def _steps(doc: TomlDocument, data: dict[str, Any], where: str, *, shell: bool) -> tuple[Step, ...]:
    if "sequence" in data:
        texts = expect_str_list(doc, data["sequence"], f"{where}.sequence")
        return tuple(_step(doc, t, where, shell=shell) for t in texts)
    if "cmd" not in data:
        return ()
    cmd = data["cmd"]
    if isinstance(cmd, list):  # the words themselves: nothing is split
        words = expect_str_list(doc, cmd, f"{where}.cmd")
        if not words:
            raise doc.error(f"`{where}.cmd` is empty", at=doc.locate_key("cmd"))
        return (Step(text=shlex.join(words), argv=words),)
    return (_step(doc, expect_str(doc, cmd, f"{where}.cmd"), where, shell=shell),)


def _step(doc: TomlDocument, text: str, where: str, *, shell: bool) -> Step:
    if shell:
        return Step(text=text, argv=("sh", "-c", text))
    try:
        words = tuple(shlex.split(text))
    except ValueError as err:
        raise doc.error(
            f"cannot split the command of `{where}`: {err}",
            at=doc.locate_string(text),
            hint="close the quote, or write the command as a list of words (cmd = [...])",
        ) from None
    if not words:
        raise doc.error(
            f"an empty command in `{where}`", at=doc.locate_key(where.rsplit(".", maxsplit=1)[-1])
        )
    return Step(text=text, argv=words)


def _linked(doc: TomlDocument, task: Task, tasks: Mapping[str, Task]) -> Task:
    """Steps that are exactly another task's name run that task; `depends` must name
    tasks."""
    for dependency in task.depends:
        if dependency not in tasks:
            raise doc.error(
                f"task `{task.name}` depends on `{dependency}`, which is not a task",
                at=doc.locate_string(dependency),
                hint=f"the tasks are: {', '.join(sorted(tasks))}",
            )
    steps = tuple(
        Step(text=s.text, task=s.text.strip())
        if not task.shell and s.text.strip() in tasks and s.text.strip() != task.name
        else s
        for s in task.steps
    )
    return Task(
        name=task.name,
        steps=steps,
        depends=task.depends,
        env=task.env,
        env_file=task.env_file,
        cwd=task.cwd,
        help=task.help,
        shell=task.shell,
    )


def _check_cycle(
    doc: TomlDocument, name: str, tasks: Mapping[str, Task], path: tuple[str, ...]
) -> None:
    if name in path:
        cycle = " -> ".join([*path[path.index(name) :], name])
        raise doc.error(
            f"the tasks call each other in a circle: {cycle}",
            at=doc.locate_key(name),
            hint="remove one of those `depends` or steps",
        )
    task = tasks[name]
    for called in [*task.depends, *(s.task for s in task.steps if s.task)]:
        _check_cycle(doc, called, tasks, (*path, name))


def _optional_str(doc: TomlDocument, data: dict[str, Any], key: str, where: str) -> str | None:
    return expect_str(doc, data[key], f"{where}.{key}") if key in data else None
