"""`tether init`: create a new project (PEP 621 pyproject.toml, src layout, dev tools)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tether.errors import ProjectError, UsageError
from tether.fs import atomic_write
from tether.project import PYPROJECT, load_project
from tether.project.scaffold import ProjectKind, requires_python_for, scaffold
from tether.project.workspace import join_workspace


@dataclass(frozen=True, slots=True, kw_only=True)
class InitOptions:
    path: Path
    name: str | None = None
    python: str | None = None
    kind: ProjectKind = ProjectKind.APP
    description: str | None = None
    default_python: str = "3.11"


@dataclass(frozen=True, slots=True, kw_only=True)
class InitResult:
    root: Path
    name: str
    kind: ProjectKind
    created: tuple[Path, ...]
    kept: tuple[Path, ...]
    workspace: Path | None = None  # the workspace the new project joined as a member


def init(options: InitOptions) -> InitResult:
    """Write the project; refuse to touch an existing `pyproject.toml`.

    Other files that already exist (a README, a .gitignore) are kept as they are, so
    `init` can adopt a directory that has some files but no project yet.
    """
    root = options.path.absolute()
    if root.exists() and not root.is_dir():
        raise ProjectError("exists and is not a directory", path=root)
    pyproject = root / PYPROJECT
    if pyproject.exists():
        raise ProjectError(
            "already exists; tether init will not overwrite it",
            path=pyproject,
            hint="the project is already initialised: run `tether project` to see it, or "
            "choose another directory",
        )
    name = options.name or root.name
    plan = scaffold(
        name=name,
        requires_python=requires_python_for(options.python or options.default_python),
        kind=options.kind,
        description=options.description,
    )
    created: list[Path] = []
    kept: list[Path] = []
    for relative, content in plan.files:
        target = root / relative
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, content)
        created.append(target)
    # Read back what we wrote: a template that tether itself cannot read is a bug here,
    # not a surprise for the user at their first `tether lock`.
    load_project(pyproject)
    return InitResult(
        root=root,
        name=name,
        kind=options.kind,
        created=tuple(created),
        kept=tuple(kept),
        workspace=join_workspace(root),
    )


def init_script(path: Path, *, python: str) -> Path:
    """A new PEP 723 script at `path`; an existing file is never overwritten."""
    from tether.project.script import new_script  # noqa: PLC0415

    if path.exists():
        raise UsageError(
            f"{path} already exists",
            hint=f"add dependencies to it with `tether add --script {path.name} PKG`",
        )
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} is not a directory")
    atomic_write(path, new_script(requires_python_for(python), []))
    return path
