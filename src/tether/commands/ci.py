"""`tether ci init`: write `.github/workflows/ci.yml` for the project (see
`tether.quality.ci_workflow`), never over an existing file unless forced."""

from __future__ import annotations

from pathlib import Path

from tether.errors import UsageError
from tether.fs import atomic_write
from tether.project import find_pyproject, load_project
from tether.quality.ci_workflow import pinned_source_problem, supported_pythons, workflow

WORKFLOW = Path(".github") / "workflows" / "ci.yml"


def own_source() -> str | None:
    """Where the running tether was installed from, when pinned (PEP 610
    direct_url.json: a VCS commit, or an archive with its hash); None otherwise."""
    import json  # noqa: PLC0415
    from importlib.metadata import PackageNotFoundError, distribution  # noqa: PLC0415

    try:
        text = distribution("tether").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    try:
        direct = json.loads(text or "")
    except ValueError:
        return None
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        return f"{vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}"
    archive = direct.get("archive_info")
    hashes = archive.get("hashes", {}) if isinstance(archive, dict) else {}
    if isinstance(hashes, dict) and hashes.get("sha256") and url.startswith("https://"):
        return f"{url}#sha256={hashes['sha256']}"
    return None


def ci_init(start: Path, *, install: str | None = None, force: bool = False) -> Path:
    """`install`: where CI installs tether from; by default where this tether came from,
    when that is pinned (a git commit, a hashed archive)."""
    project = load_project(find_pyproject(start))
    target = project.root / WORKFLOW
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists", hint="pass --force to replace it, or edit it by hand"
        )
    source = install if install is not None else own_source()
    if source is None:
        raise UsageError(
            "no pinned source to install tether from in CI",
            hint="pass --install with a git URL at a commit "
            "(git+https://host/org/tether@<40-hex sha>), an archive URL ending in "
            "#sha256=<hash>, or a wheel committed with the project (./tools/tether-…whl)",
        )
    problem = pinned_source_problem(source)
    if problem is not None:
        raise UsageError(
            f"--install {source!r} is not pinned: {problem}",
            hint="CI must install exactly the tether you reviewed; `tether` is not a name "
            "this project owns on PyPI",
        )
    text = workflow(
        project=project.display_name,
        pythons=supported_pythons(str(project.requires_python)),
        install=source,
        torch_backends=bool(project.settings.torch_backends),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, text)
    return target
