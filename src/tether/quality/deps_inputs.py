"""What `tether deps` reads besides the imports: the project's own module names and
runtime code roots (src or flat layout, and what tests import from beside them), the
installed distributions' import names and who requires whom, and the ignores configured
under `[tool.tether.deps]`."""

from __future__ import annotations

import email.parser
from collections.abc import Mapping
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from tether.errors import ProjectError
from tether.quality.deps import RULES, top_level_names

SKIPPED_DIRS = {".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox"}


def own_modules(root: Path) -> tuple[set[str], list[Path]]:
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
    for path in python_files(root):
        if (
            path.name.startswith("test_")
            or path.name.endswith("_test.py")
            or (path.name == "conftest.py")
        ):
            names |= {p.stem for p in path.parent.glob("*.py")}
            names |= {p.parent.name for p in path.parent.glob("*/__init__.py")}
    return names, roots


def python_files(root: Path) -> list[Path]:
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


def installed_distributions(
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


def ignores(table: Mapping[str, object], pyproject: Path) -> dict[str, frozenset[str]]:
    """`ignore-<rule> = [names]` under `[tool.tether.deps]` (read from `pyproject`)."""
    ignores: dict[str, frozenset[str]] = {}
    for key, value in table.items():
        rule = key.removeprefix("ignore-")
        if not key.startswith("ignore-") or rule not in RULES:
            raise ProjectError(
                f"unknown key `tool.tether.deps.{key}`",
                path=pyproject,
                hint="use " + ", ".join(f"ignore-{r}" for r in RULES),
            )
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProjectError(
                f"`tool.tether.deps.{key}` must be a list of package names",
                path=pyproject,
            )
        ignores[rule] = frozenset(canonicalize_name(v) for v in value)
    return ignores
