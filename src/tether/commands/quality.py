"""`tether fmt / lint / typecheck / test`: ruff, mypy and pytest, run from the project's
environment when the project declares them (synced first, at the locked version), else
from a cached tool environment (ruff, mypy) or an overlay on the project's environment
(pytest, which must import the project), so the commands work in any project.

mypy from a tool environment is pointed at the project's interpreter
(`--python-executable`), so it sees the installed dependencies and their types.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.commands.run import RunOptions, ensure_synced, prepare
from tether.project import Project, find_pyproject, load_project, try_find_pyproject
from tether.quality.ml_checks import MlFinding
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
    argv = [tool, *_arguments(options)]
    pyproject = try_find_pyproject(options.start)
    if tool == "mypy" and pyproject is not None and not _has_target(argv[1:], options.start):
        argv += _mypy_targets(pyproject.parent, options.start)
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


def _arguments(options: QualityOptions) -> list[str]:
    extra = list(options.arguments)
    if options.check == "fmt":
        return ["format", *(["--check"] if options.check_only else []), *extra]
    if options.check == "lint":
        return ["check", *(["--fix"] if options.fix else []), *extra]
    return extra


def _has_target(arguments: Sequence[str], cwd: Path) -> bool:
    """Whether mypy was given something to check (a path, `-m`, `-p`, `-c`)."""
    if any(a in ("-m", "-p", "-c", "--module", "--package", "--command") for a in arguments):
        return True
    return any(not a.startswith("-") and (cwd / a).exists() for a in arguments)


def _mypy_targets(root: Path, cwd: Path) -> list[str]:
    """What mypy checks when neither the command line nor its configuration says
    (`files` in [tool.mypy], mypy.ini, .mypy.ini, setup.cfg): the project's package
    (`src/`, or its package directories) and `tests/`, as `tether init` lays them out."""
    import configparser  # noqa: PLC0415
    import tomllib  # noqa: PLC0415

    try:
        tool = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        tool = {}
    if tool.get("mypy", {}).get("files"):
        return []
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        config = configparser.ConfigParser()
        try:
            config.read(root / name, encoding="utf-8")
        except configparser.Error:
            continue
        if config.has_option("mypy", "files"):
            return []
    if (root / "src").is_dir():
        found = [root / "src"]
    else:
        found = [
            entry
            for entry in sorted(root.iterdir())
            if entry.is_dir() and (entry / "__init__.py").exists() and entry.name != "tests"
        ]
    if (root / "tests").is_dir():
        found.append(root / "tests")
    return [os.path.relpath(path, cwd) for path in found]


SKIPPED_DIRS = frozenset(
    {".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox", ".nox"}
)


def ml_findings(options: QualityOptions) -> list[MlFinding]:
    """tether's ML security checks (quality/ml_checks.py) on what `tether lint` lints:
    the paths given, else the project (or the working directory), skipping virtual
    environments, build output, hidden directories and ruff's `exclude`s."""
    from fnmatch import fnmatch  # noqa: PLC0415

    from tether.quality.ml_checks import check_source  # noqa: PLC0415

    pyproject = try_find_pyproject(options.start)
    root = pyproject.parent if pyproject is not None else options.start
    given = [
        options.start / a for a in options.arguments if not a.startswith("-")
    ]  # fmt: skip
    targets = [p for p in given if p.exists()] or [root]
    excluded = _ruff_excludes(pyproject)
    findings: list[MlFinding] = []
    for path in _python_files(targets):
        shown = os.path.relpath(path, options.start)
        relative = os.path.relpath(path, root)
        if any(fnmatch(relative, pattern) or fnmatch(shown, pattern) for pattern in excluded):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        findings += check_source(shown, text)
    return findings


def _ruff_excludes(pyproject: Path | None) -> list[str]:
    import tomllib  # noqa: PLC0415

    if pyproject is None:
        return []
    try:
        ruff = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("ruff", {})
    except (OSError, tomllib.TOMLDecodeError):
        return []
    patterns = [*ruff.get("exclude", []), *ruff.get("extend-exclude", [])]
    return [p.rstrip("/") + suffix for p in patterns if isinstance(p, str) for suffix in ("", "/*")]


def _python_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_file():
            found.append(target)
            continue
        for directory, dirs, files in os.walk(target):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
            found += [Path(directory, f) for f in sorted(files) if f.endswith((".py", ".pyi"))]
    return found


def synced_python(project: Project, environ: Mapping[str, str]) -> Path:
    ensure_synced(project, environ)
    return project.environment(environ) / "bin" / "python"
