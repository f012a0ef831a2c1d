"""`tether deps`: what the code imports against what pyproject.toml declares (see
`tether.quality.deps` for the rules), with the import-name mapping read from the
project environment's installed metadata."""

from __future__ import annotations

import email.parser
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from tether.errors import ProjectError
from tether.fs import relative_posix
from tether.project import Project, find_pyproject, load_project
from tether.quality.deps import RULES, DepsFinding, DepsInputs, Usage, analyse, top_level_names
from tether.quality.imports import imported_modules

SKIPPED_DIRS = {".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox"}


@dataclass(frozen=True, slots=True)
class DepsReport:
    files: int
    findings: tuple[DepsFinding, ...]


def deps(start: Path, environ: Mapping[str, str]) -> DepsReport:
    from tether.commands.quality import synced_python  # noqa: PLC0415 - syncs: slow path

    project = load_project(find_pyproject(start))
    python = synced_python(project, environ)
    site_dirs = sorted(python.parent.parent.glob("lib/python*/site-packages"))
    own, runtime_roots = _own_modules(project.root)
    usages = []
    files = 0
    for path in _python_files(project.root):
        files += 1
        relative = relative_posix(path, project.root)
        in_package = any(path.is_relative_to(root) for root in runtime_roots)
        text = path.read_text(encoding="utf-8", errors="replace")
        usages += [
            Usage(site.module, relative, site.line, in_package)
            for site in imported_modules(text, relative)
        ]
    providers, installed, with_modules = _installed(site_dirs)
    runtime = {canonicalize_name(r.name) for r in project.dependencies} | {
        canonicalize_name(r.name) for rs in project.optional_dependencies.values() for r in rs
    }
    dev = {canonicalize_name(r.name) for rs in project.dependency_groups.values() for r in rs}
    findings = analyse(
        DepsInputs(
            usages=usages,
            runtime=frozenset(runtime),
            dev=frozenset(dev),
            own_modules=frozenset(own),
            stdlib=frozenset(sys.stdlib_module_names) | {"__future__"},
            providers=providers,
            installed=installed,
            provides_modules=frozenset(with_modules),
            ignore=_ignores(project),
        )
    )
    return DepsReport(files=files, findings=tuple(findings))


def _own_modules(root: Path) -> tuple[set[str], list[Path]]:
    """The project's own importable names and the directories (or files) that hold its
    runtime code (src layout or flat). Own names also cover what tests and scripts
    import from the tree itself: top-level directories and modules (`tests`,
    `conftest`), and the modules beside test files (pytest puts their directory on the
    path), so none of those reads as a missing dependency."""
    base = root / "src" if (root / "src").is_dir() else root
    names: set[str] = set()
    roots: list[Path] = []
    for entry in sorted(base.iterdir()):
        if entry.name in SKIPPED_DIRS or entry.name.startswith(".") or entry.name == "tests":
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            names.add(entry.name)
            roots.append(entry)
        elif entry.suffix == ".py" and base != root:
            names.add(entry.stem)
            roots.append(entry)
    for entry in sorted(root.iterdir()):
        if entry.name in SKIPPED_DIRS or entry.name.startswith("."):
            continue
        if entry.is_dir() or entry.suffix == ".py":
            names.add(entry.stem if entry.suffix == ".py" else entry.name)
    for path in _python_files(root):
        if (
            path.name.startswith("test_")
            or path.name.endswith("_test.py")
            or (path.name == "conftest.py")
        ):
            names |= {p.stem for p in path.parent.glob("*.py")}
            names |= {p.parent.name for p in path.parent.glob("*/__init__.py")}
    return names, roots


def _python_files(root: Path) -> list[Path]:
    found = []
    stack = [root]
    while stack:
        directory = stack.pop()
        for entry in directory.iterdir():
            if entry.is_dir():
                if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
                    stack.append(entry)
            elif entry.suffix == ".py":
                found.append(entry)
    return sorted(found)


def _installed(
    site_dirs: list[Path],
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], set[str]]:
    """Import name → distribution; distribution → who requires it; distributions that
    provide importable modules."""
    providers: dict[str, str] = {}
    requires: dict[str, set[str]] = {}
    names: set[str] = set()
    with_modules: set[str] = set()
    parser = email.parser.HeaderParser()
    for site in site_dirs:
        for dist_info in sorted(site.glob("*.dist-info")):
            try:
                meta = parser.parsestr((dist_info / "METADATA").read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            name = canonicalize_name(meta.get("Name", dist_info.name.split("-")[0]))
            names.add(name)
            top = dist_info / "top_level.txt"
            record = dist_info / "RECORD"
            modules = top_level_names(
                top.read_text(encoding="utf-8") if top.is_file() else None,
                (line.split(",", 1)[0] for line in record.read_text(encoding="utf-8").splitlines())
                if record.is_file()
                else (),
            )
            for module in modules:
                providers.setdefault(module, name)
            if modules:
                with_modules.add(name)
            for text in meta.get_all("Requires-Dist") or ():
                try:
                    child = Requirement(text)
                except InvalidRequirement:
                    continue
                if child.marker is not None and "extra" in str(child.marker):
                    continue
                requires.setdefault(canonicalize_name(child.name), set()).add(name)
    installed = {n: tuple(sorted(requires.get(n, set()) & names)) for n in sorted(names)}
    return providers, installed, with_modules


def _ignores(project: Project) -> dict[str, frozenset[str]]:
    table = project.settings.quality.get("deps", {})
    ignores: dict[str, frozenset[str]] = {}
    for key, value in table.items():
        rule = key.removeprefix("ignore-")
        if not key.startswith("ignore-") or rule not in RULES:
            raise ProjectError(
                f"unknown key `tool.tether.deps.{key}`",
                path=project.pyproject_path,
                hint="use " + ", ".join(f"ignore-{r}" for r in RULES),
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProjectError(
                f"`tool.tether.deps.{key}` must be a list of package names",
                path=project.pyproject_path,
            )
        ignores[rule] = frozenset(canonicalize_name(v) for v in value)
    return ignores
