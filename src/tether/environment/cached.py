"""Environments kept in the cache (tools, `run --with` overlays): built in place under a
file lock and marked complete last, so an interrupted build is redone, never used."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import FileLock
from packaging.requirements import Requirement

from tether.build.backend import Installer
from tether.python.interpreter import Interpreter
from tether.python.venv import VirtualEnv, create

COMPLETE = ".tether-complete"


def cached_environment(
    root: Path,
    interpreter: Interpreter,
    requirements: Sequence[Requirement],
    *,
    install: Installer,
    prompt: str,
    refresh: bool = False,
    finish: Callable[[VirtualEnv], None] | None = None,
) -> Path:
    """The environment at `root` (in the cache) holding `requirements`, built now when
    missing, unfinished or `refresh`ed. Built in place under a file lock and marked
    complete last, so an interrupted build is redone rather than used; `finish` runs on
    the filled environment before the mark (an overlay's .pth file)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root) + ".lock"):
        if (root / COMPLETE).exists() and not refresh:
            return root
        shutil.rmtree(root, ignore_errors=True)
        environment = create(root, interpreter, prompt=prompt)
        install(list(requirements), environment)
        if finish is not None:
            finish(environment)
        (root / COMPLETE).write_text("\n".join(str(r) for r in requirements), encoding="utf-8")
    return root
