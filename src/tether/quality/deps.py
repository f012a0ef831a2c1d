"""Dependency hygiene from the code's imports, as a pure function of what was read:

- missing: runtime code imports a package the project does not declare (and that is not
  installed at all);
- transitive: ... that is installed only because something declared depends on it (it
  works today and breaks when that dependency drops it);
- dev-only: runtime code imports a package declared only in a dependency group;
- unused: a declared runtime dependency that no code imports.

Import names map to distributions through installed metadata (`top_level.txt`, else the
top-level entries of RECORD), so `import yaml` is PyYAML and `import sklearn` is
scikit-learn; names nothing installed provides fall back to the import name itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.utils import canonicalize_name

RULES = ("missing", "transitive", "dev-only", "unused")


@dataclass(frozen=True, slots=True)
class Usage:
    module: str
    path: str  # relative to the project
    line: int
    runtime: bool  # in the project's package (not tests, scripts, docs)


@dataclass(frozen=True, slots=True)
class DepsFinding:
    rule: str
    package: str
    where: str  # "path:line" of the first import, or "pyproject.toml"
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DepsInputs:
    usages: Sequence[Usage]
    runtime: frozenset[str]  # [project].dependencies (and extras), normalised
    dev: frozenset[str]  # every dependency group's packages, normalised
    own_modules: frozenset[str]  # the project's own top-level modules
    stdlib: frozenset[str]
    providers: Mapping[str, str]  # import name -> distribution (normalised), from metadata
    installed: Mapping[str, tuple[str, ...]]  # distribution -> who requires it (normalised)
    provides_modules: frozenset[str]  # distributions that install importable modules
    ignore: Mapping[str, frozenset[str]]  # rule -> package names not to report


def analyse(inputs: DepsInputs) -> list[DepsFinding]:
    findings: list[DepsFinding] = []
    reported: set[tuple[str, str]] = set()
    used: set[str] = set()
    for usage in sorted(inputs.usages, key=lambda u: (not u.runtime, u.path, u.line)):
        if usage.module in inputs.stdlib or usage.module in inputs.own_modules:
            continue
        if usage.module.startswith("_") and usage.module not in inputs.providers:
            continue  # private interpreter modules (_thread, __future__)
        package = inputs.providers.get(usage.module, canonicalize_name(usage.module))
        used.add(package)
        declared = package in inputs.runtime or (not usage.runtime and package in inputs.dev)
        if declared:
            continue
        where = f"{usage.path}:{usage.line}"
        if usage.runtime and package in inputs.dev:
            rule, detail = (
                "dev-only",
                (f"runtime code imports {usage.module}, which only a dependency group declares"),
            )
        elif package in inputs.installed:
            parents = ", ".join(inputs.installed[package]) or "nothing declared"
            rule, detail = (
                "transitive",
                (f"{usage.module} is installed only as a dependency of {parents}; declare it"),
            )
        else:
            rule, detail = "missing", f"{usage.module} is imported but no dependency provides it"
        if (rule, package) in reported or package in inputs.ignore.get(rule, frozenset()):
            continue
        reported.add((rule, package))
        findings.append(DepsFinding(rule, package, where, detail))
    for package in sorted(inputs.runtime - used):
        if package in inputs.ignore.get("unused", frozenset()):
            continue
        if package in inputs.installed and package not in inputs.provides_modules:
            continue  # a tool or plugin with nothing to import (a CLI, a stub package)
        findings.append(
            DepsFinding(
                "unused", package, "pyproject.toml", f"{package} is declared but never imported"
            )
        )
    return findings


def top_level_names(top_level_txt: str | None, record_paths: Iterable[str]) -> set[str]:
    """The import names a distribution provides."""
    if top_level_txt is not None:
        names = {line.strip().split("/")[0] for line in top_level_txt.splitlines() if line.strip()}
        if names:
            return names
    names = set()
    for path in record_paths:
        first = path.split("/", 1)[0]
        if first.endswith((".dist-info", ".data", ".pth")) or first in ("..", "__pycache__", ""):
            continue
        if "/" not in path and not path.endswith((".py", ".so", ".pyd")):
            continue
        names.add(first.split(".", 1)[0])
    return names
