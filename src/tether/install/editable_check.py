"""Does an editable install still point at importable code? Reads the install's own
files, runs nothing.

An editable wheel (PEP 660) installs no code, only a way to find it: a `.pth` file
naming source directories (hatchling, flit, pdm), or a `.pth` that imports a finder
module mapping package names to directories (setuptools). Either can point at nothing:
a moved or deleted source tree, a backend that exposes no package. Then the
environment's metadata says the project is installed while `import` fails, and only
looking at those paths tells.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tether.install.wheel import Installed

_MAPPING = re.compile(r"^MAPPING\s*(?::[^=]*)?=\s*(\{.*?\})\s*$", re.MULTILINE | re.DOTALL)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]\s*:\s*['"]([^'"]+)['"]""")


def editable_problems(dist: Installed, site: Path) -> list[str]:
    """What is wrong with the editable install `dist` in `site` (empty: nothing)."""
    targets = _targets(dist, site)
    if not targets:
        return [
            f"{dist.name} {dist.version} is installed editable but exposes no source "
            "directory: run `tether sync --reinstall-package " + dist.name + "`"
        ]
    problems = []
    for name, path in targets:
        what = f"package {name!r} at {path}" if name else f"source directory {path}"
        if not path.exists():
            problems.append(
                f"{dist.name} {dist.version} is installed editable, but its {what} is "
                "missing: its files were moved or deleted"
            )
        elif not name and not _has_code(path):
            problems.append(
                f"{dist.name} {dist.version} is installed editable, but its {what} holds "
                "no Python package or module"
            )
    return problems


def _targets(dist: Installed, site: Path) -> list[tuple[str, Path]]:
    """(package name or "", path) for every place the editable install points at."""
    found: list[tuple[str, Path]] = []
    for relative in _recorded(dist):
        path = (site / relative).resolve()
        if path.suffix == ".pth" and path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                entry = line.strip()
                if entry and not entry.startswith(("#", "import ", "import\t")):
                    found.append(("", Path(entry)))
        elif path.suffix == ".py" and path.name.startswith("__editable__") and path.is_file():
            match = _MAPPING.search(path.read_text(encoding="utf-8", errors="replace"))
            if match:
                found += [(n, Path(p)) for n, p in _QUOTED.findall(match.group(1))]
    return found


def _recorded(dist: Installed) -> list[str]:
    record = dist.dist_info / "RECORD"
    try:
        with record.open(encoding="utf-8", newline="") as stream:
            return [row[0] for row in csv.reader(stream) if row]
    except OSError:
        return []


def _has_code(directory: Path) -> bool:
    try:
        return any(
            entry.suffix == ".py" or (entry.is_dir() and not entry.name.startswith("."))
            for entry in directory.iterdir()
        )
    except OSError:
        return False
