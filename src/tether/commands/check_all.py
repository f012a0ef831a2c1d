"""`tether check-all`: every gate a change must pass (format, lint, types, dependency
hygiene, known vulnerabilities, tests), one after another, each as its own `tether`
command with its output shown as it runs, then one summary. The same gates run the same
way locally, in hooks and in CI."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tether.errors import UsageError
from tether.project import find_pyproject

STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fmt", ("fmt", "--check")),
    ("lint", ("lint",)),
    ("typecheck", ("typecheck",)),
    ("deps", ("deps",)),
    ("audit", ("audit",)),
    ("test", ("test",)),
)


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    command: str
    exit_code: int
    seconds: float

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def check_all(
    start: Path, environ: Mapping[str, str], *, skip: Sequence[str] = ()
) -> list[StepResult]:
    known = {name for name, _ in STEPS}
    unknown = sorted(set(skip) - known)
    if unknown:
        raise UsageError(
            f"unknown check {', '.join(unknown)}", hint=f"checks: {', '.join(n for n, _ in STEPS)}"
        )
    root = find_pyproject(start).parent
    # Lock and sync once, first: when that fails every check would fail the same way.
    prepared = _step("sync", ("sync", "--quiet"), root, environ)
    if not prepared.passed:
        return [prepared]
    return [_step(name, arguments, root, environ) for name, arguments in STEPS if name not in skip]


def _step(
    name: str, arguments: tuple[str, ...], root: Path, environ: Mapping[str, str]
) -> StepResult:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tether", *arguments], cwd=root, env=dict(environ), check=False
    )
    return StepResult(
        name=name,
        command="tether " + " ".join(arguments),
        exit_code=done.returncode,
        seconds=time.monotonic() - began,
    )
