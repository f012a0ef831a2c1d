"""Which of a release's wheels an interpreter should install: the one whose tag it ranks
highest (its most specific), among those its version may run (Requires-Python)."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import parse_wheel_filename

from tether.index.page import DistFile
from tether.python.interpreter import Interpreter


def best_wheel(files: Iterable[DistFile], interpreter: Interpreter) -> DistFile | None:
    """The wheel this interpreter takes with its most specific tag; None when none fits."""
    rank = {str(tag): position for position, tag in enumerate(interpreter.tags())}
    best: tuple[int, DistFile] | None = None
    for file in files:
        if not file.is_wheel or not runs_on(file, interpreter):
            continue
        tags = parse_wheel_filename(file.filename)[3]
        ranks = [rank[str(t)] for t in tags if str(t) in rank]
        if ranks and (best is None or min(ranks) < best[0]):
            best = (min(ranks), file)
    return None if best is None else best[1]


def runs_on(file: DistFile, interpreter: Interpreter) -> bool:
    """Whether the file's Requires-Python admits the interpreter (an unreadable one does)."""
    if not file.requires_python:
        return True
    try:
        allowed = SpecifierSet(file.requires_python)
    except InvalidSpecifier:
        return True
    return allowed.contains(interpreter.version, prereleases=True)
