"""`tether fmt / lint / typecheck / test`: ruff, mypy and pytest, run from the project's
environment when the project declares them (synced first, at the locked version), else
from a cached tool environment (ruff, mypy) or an overlay on the project's environment
(pytest, which must import the project), so the commands work in any project.

mypy from a tool environment is pointed at the project's interpreter
(`--python-executable`), so it sees the installed dependencies and their types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.commands.run import RunOptions, ensure_synced, prepare
from tether.project import Project, find_pyproject, load_project, try_find_pyproject
from tether.quality import ml_scan
from tether.quality.ml_checks import MlFinding
from tether.quality.tool_arguments import arguments, has_target, mypy_targets
from tether.quality.tool_command import QualityCommand

CHECKS = {"fmt": "ruff", "lint": "ruff", "typecheck": "mypy", "test": "pytest"}


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityOptions:
    start: Path
    environ: Mapping[str, str]
    check: str  # fmt, lint, typecheck or test
    arguments: Sequence[str] = ()
    fix: bool = False  # lint --fix
    check_only: bool = False  # fmt --check


def prepare_check(options: QualityOptions) -> QualityCommand:
    tool = CHECKS[options.check]
    argv = [
        tool,
        *arguments(
            options.check, options.arguments, fix=options.fix, check_only=options.check_only
        ),
    ]
    pyproject = try_find_pyproject(options.start)
    if tool == "mypy" and pyproject is not None and not has_target(argv[1:], options.start):
        argv += mypy_targets(pyproject.parent, options.start)
    if pyproject is None and tool != "pytest":  # ruff and mypy work without a project too
        return _from_tool_environment(options, tool, argv, options.start)
    project = load_project(pyproject or find_pyproject(options.start))
    in_project = canonicalize_name(tool) in declared(project)
    if in_project or tool == "pytest":
        ready = prepare(
            RunOptions(
                start=project.root,
                environ=options.environ,
                command=argv,
                with_requirements=() if in_project else ("pytest",),
            )
        )
        return QualityCommand(
            program=ready.program,
            argv=ready.argv,
            environ=ready.environ,
            cwd=options.start,
            source="project" if in_project else "overlay",
        )
    if tool == "mypy" and not any(a.startswith("--python-executable") for a in argv):
        argv[1:1] = ["--python-executable", str(synced_python(project, options.environ))]
    return _from_tool_environment(options, tool, argv, project.root)


def _from_tool_environment(
    options: QualityOptions, tool: str, argv: list[str], start: Path
) -> QualityCommand:
    from tether.commands.tool import ToolOptions, prepare_tool  # noqa: PLC0415

    prepared = prepare_tool(
        ToolOptions(start=start, environ=options.environ, spec=tool, command=argv[1:])
    )
    return QualityCommand(
        program=prepared.program,
        argv=prepared.argv,
        environ=prepared.environ,
        cwd=options.start,
        source="tool environment",
    )


def declared(project: Project) -> set[str]:
    """Every package the project names: dependencies, extras and groups."""
    requirements = [
        *project.dependencies,
        *(r for rs in project.optional_dependencies.values() for r in rs),
        *(r for rs in project.dependency_groups.values() for r in rs),
    ]
    return {canonicalize_name(r.name) for r in requirements}


def synced_python(project: Project, environ: Mapping[str, str]) -> Path:
    ensure_synced(project, environ)
    return project.environment(environ) / "bin" / "python"


def ml_findings(options: QualityOptions) -> list[MlFinding]:
    pyproject = try_find_pyproject(options.start)
    return ml_scan.ml_findings(options.start, options.arguments, pyproject)
