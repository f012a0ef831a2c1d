"""`tether deps`: what the code imports against what pyproject.toml declares (see
`tether.quality.deps` for the rules), with the import-name mapping read from the
project environment's installed metadata."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.fs import relative_posix
from tether.project import find_pyproject, load_project
from tether.quality.deps import DepsFinding, DepsInputs, Usage, analyse
from tether.quality.deps_inputs import ignores, installed_distributions, own_modules, python_files
from tether.quality.imports import imported_modules


@dataclass(frozen=True, slots=True)
class DepsReport:
    files: int
    findings: tuple[DepsFinding, ...]


def deps(start: Path, environ: Mapping[str, str]) -> DepsReport:
    from tether.commands.quality import synced_python  # noqa: PLC0415 - syncs: slow path

    project = load_project(find_pyproject(start))
    python = synced_python(project, environ)
    site_dirs = sorted(python.parent.parent.glob("lib/python*/site-packages"))
    own, runtime_roots = own_modules(project.root)
    usages = []
    files = 0
    for path in python_files(project.root):
        files += 1
        relative = relative_posix(path, project.root)
        in_package = any(path.is_relative_to(root) for root in runtime_roots)
        text = path.read_text(encoding="utf-8", errors="replace")
        usages += [
            Usage(site.module, relative, site.line, in_package)
            for site in imported_modules(text, relative)
        ]
    providers, installed, with_modules = installed_distributions(site_dirs)
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
            ignore=ignores(project.settings.quality.get("deps", {}), project.pyproject_path),
        )
    )
    return DepsReport(files=files, findings=tuple(findings))
