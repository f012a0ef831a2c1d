"""Other tools' task tables in tether's terms, for `tether migrate`: PDM's
`[tool.pdm.scripts]` and taskipy's `[tool.taskipy.tasks]` become `[tool.tether.tasks]`
entries (plain data, written by the caller with tomlkit). What has no equivalent is
named in a warning, never dropped silently.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Characters that only mean something to a shell: taskipy runs every task through one.
_SHELL = re.compile(r"[|&;<>()$`*?~\n]")
_CALL = re.compile(r"^(?P<module>[\w.]+):(?P<function>\w+)(?P<args>\(.*\))?$", re.DOTALL)


@dataclass(slots=True)
class Imported:
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def from_pdm(scripts: Mapping[str, Any]) -> Imported:
    """`[tool.pdm.scripts]`: `cmd` (string or list), `shell`, `call`, `composite`,
    `env`, `env_file`, `help`, `working_dir`, shared options under `_`, and
    `pre_*`/`post_*` hooks."""
    found = Imported()
    shared = scripts.get("_", {})
    shared = shared if isinstance(shared, Mapping) else {}
    for name, spec in scripts.items():
        if name == "_":
            continue
        where = f"[tool.pdm.scripts] {name}"
        options: dict[str, Any] = {**shared, **spec} if isinstance(spec, Mapping) else dict(shared)
        task: dict[str, Any] = {}
        if isinstance(spec, str | list):
            task.update(_command(spec, shell=False))
        elif "cmd" in options:
            task.update(_command(options["cmd"], shell=False))
        elif "shell" in options:
            task.update({"cmd": str(options["shell"]), "shell": True})
        elif "call" in options:
            task.update(_call(str(options["call"]), where, found.warnings))
        elif "composite" in options:
            task["sequence"] = [str(step) for step in options["composite"]]
            _note_composite_args(task["sequence"], scripts, where, found.warnings)
        else:
            found.warnings.append(f"{where}: nothing to run that tether understands; skipped")
            continue
        _options(task, options, where, found.warnings, env_file="env_file", cwd="working_dir")
        found.tasks[name] = task
    _hooks(found, where="[tool.pdm.scripts]")
    return found


def from_taskipy(tasks: Mapping[str, Any], settings: Mapping[str, Any]) -> Imported:
    """`[tool.taskipy.tasks]`: strings or `{ cmd, help, cwd }` tables, run through a
    shell by taskipy (so here too when they use shell syntax), `pre_*`/`post_*` hooks."""
    found = Imported()
    for key in sorted(set(settings) - {"cwd"}):
        found.warnings.append(f"[tool.taskipy.settings] {key}: no tether equivalent; not kept")
    for name, spec in tasks.items():
        where = f"[tool.taskipy.tasks] {name}"
        options: dict[str, Any] = dict(spec) if isinstance(spec, Mapping) else {"cmd": spec}
        command = str(options.get("cmd", ""))
        if not command:
            found.warnings.append(f"{where}: no cmd; skipped")
            continue
        task: dict[str, Any] = {"cmd": command}
        if _SHELL.search(command):
            task["shell"] = True
        if "{" in command and options.get("use_vars", settings.get("use_vars")):
            found.warnings.append(f"{where}: uses [tool.taskipy.variables]; expand them by hand")
        cwd = options.get("cwd", settings.get("cwd"))
        _options(task, {**options, "cwd": cwd} if cwd else options, where, found.warnings)
        found.tasks[name] = task
    _hooks(found, where="[tool.taskipy.tasks]")
    return found


def _command(value: object, *, shell: bool) -> dict[str, Any]:
    if isinstance(value, list):
        return {"cmd": [str(word) for word in value]}
    task: dict[str, Any] = {"cmd": str(value)}
    if shell:
        task["shell"] = True
    return task


def _call(text: str, where: str, warnings: list[str]) -> dict[str, Any]:
    """`call = "pkg.mod:main('x')"`: Python runs the function and exits with its result."""
    match = _CALL.match(text.strip())
    if match is None:
        warnings.append(f"{where}: cannot read call = {text!r}; kept as a python -c command")
        return {"cmd": ["python", "-c", text]}
    module, function = match.group("module"), match.group("function")
    arguments = match.group("args") or "()"
    code = f"import sys; from {module} import {function}; sys.exit({function}{arguments})"
    return {"cmd": ["python", "-c", code]}


def _note_composite_args(
    steps: list[str], scripts: Mapping[str, Any], where: str, warnings: list[str]
) -> None:
    for step in steps:
        words = step.split()
        if len(words) > 1 and words[0] in scripts:
            warnings.append(
                f"{where}: step {step!r} passes arguments to the task {words[0]!r}; "
                "tether runs a step with arguments as a command, so write the full command"
            )


def _options(
    task: dict[str, Any],
    options: Mapping[str, Any],
    where: str,
    warnings: list[str],
    *,
    env_file: str = "env_file",
    cwd: str = "cwd",
) -> None:
    if isinstance(options.get("help"), str):
        task["help"] = options["help"]
    if isinstance(options.get("env"), Mapping):
        task["env"] = {str(k): str(v) for k, v in options["env"].items()}
    file = options.get(env_file)
    if isinstance(file, Mapping):  # PDM's { override = ".env" }
        file = file.get("override") or file.get("default")
    if isinstance(file, str):
        task["env-file"] = file
    if isinstance(options.get(cwd), str):
        task["cwd"] = options[cwd]
    command = task.get("cmd")
    if isinstance(command, str) and "{args" in command:
        warnings.append(
            f"{where}: the {{args}} placeholder is not supported; tether appends a task's "
            "arguments to its command"
        )
    warnings.extend(
        f"{where}: {key} has no tether equivalent; not kept"
        for key in ("site_packages", "keep_going", "use_vars")
        if options.get(key)
    )


def _hooks(found: Imported, *, where: str) -> None:
    """`pre_X` runs before X (a dependency), `post_X` after it (a last step)."""
    for name in list(found.tasks):
        for prefix in ("pre_", "post_"):
            target = name.removeprefix(prefix)
            if not name.startswith(prefix) or target not in found.tasks:
                continue
            task = found.tasks[target]
            if prefix == "pre_":
                task["depends"] = [*task.get("depends", []), name]
                continue
            if "sequence" not in task:
                command = task.pop("cmd", None)
                if command is None:
                    continue
                if task.pop("shell", False):
                    found.tasks[f"{target}-main"] = {"cmd": command, "shell": True}
                    command = f"{target}-main"
                elif isinstance(command, list):
                    command = shlex.join(command)
                task["sequence"] = [command]
            task["sequence"].append(name)
            found.warnings.append(f"{where} {name}: now the last step of {target!r}")


def imported_tasks(data: Mapping[str, Any]) -> Imported | None:
    """PDM's scripts and taskipy's tasks as tether tasks; None when there are neither."""
    tool = data.get("tool", {})
    pdm = tool.get("pdm", {}).get("scripts")
    taskipy = tool.get("taskipy", {})
    if not isinstance(pdm, Mapping) and not isinstance(taskipy.get("tasks"), Mapping):
        return None
    found = Imported()
    for part in (
        from_pdm(pdm) if isinstance(pdm, Mapping) else None,
        from_taskipy(taskipy["tasks"], taskipy.get("settings", {}))
        if isinstance(taskipy.get("tasks"), Mapping)
        else None,
    ):
        if part is None:
            continue
        for name, task in part.tasks.items():
            if name in found.tasks:
                found.warnings.append(f"task {name!r} is defined twice; the first is kept")
                continue
            found.tasks[name] = task
        found.warnings += part.warnings
    return found


def with_tasks(text: str, imported: Imported) -> str:
    """`text` with the imported tasks under `[tool.tether.tasks]` (one already there
    wins) and the tables they came from removed; comments elsewhere kept."""
    import tomlkit  # noqa: PLC0415 - only for this verb

    document = tomlkit.parse(text)
    tool = document["tool"]
    pdm = tool.get("pdm")
    if pdm is not None and "scripts" in pdm:
        del pdm["scripts"]
        if not pdm:
            del tool["pdm"]
    if "taskipy" in tool:
        for key in ("tasks", "settings"):
            if key in tool["taskipy"]:
                del tool["taskipy"][key]
        if not tool["taskipy"]:
            del tool["taskipy"]
    if "tether" not in tool:
        tool.add("tether", tomlkit.table())
    if "tasks" not in tool["tether"]:
        tool["tether"].add("tasks", tomlkit.table())
    tasks = tool["tether"]["tasks"]
    for name, task in imported.tasks.items():
        if name in tasks:
            imported.warnings.append(f"task {name!r} is already in [tool.tether.tasks]; kept")
            continue
        if set(task) == {"cmd"} and isinstance(task["cmd"], str):
            tasks.add(name, task["cmd"])
            continue
        inline = tomlkit.inline_table()
        inline.update(task)
        tasks.add(name, inline)
    return tomlkit.dumps(document)
