"""`tether ci init`: write `.github/workflows/ci.yml` for the project (see
`tether.quality.ci_workflow`), never over an existing file unless forced."""

from __future__ import annotations

from pathlib import Path

from tether.errors import UsageError
from tether.fs import atomic_write
from tether.project import find_pyproject, load_project
from tether.quality.ci_workflow import supported_pythons, workflow

WORKFLOW = Path(".github") / "workflows" / "ci.yml"


def ci_init(start: Path, *, install: str = "tether", force: bool = False) -> Path:
    project = load_project(find_pyproject(start))
    target = project.root / WORKFLOW
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists", hint="pass --force to replace it, or edit it by hand"
        )
    text = workflow(
        project=project.display_name,
        pythons=supported_pythons(str(project.requires_python)),
        install=install,
        torch_backends=bool(project.settings.torch_backends),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, text)
    return target
