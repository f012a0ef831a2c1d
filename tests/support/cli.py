"""Run `tether` as a user does: a subprocess, its exit code and its two streams."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RunResult:
    exit_code: int
    stdout: str
    stderr: str


def run_tether(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> RunResult:
    """`python -m tether ARGS` in `cwd`, without colour, with tether's own interpreter."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    environ.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    environ.pop("FORCE_COLOR", None)
    if env:
        environ.update(env)
    completed = subprocess.run(
        [sys.executable, "-m", "tether", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return RunResult(completed.returncode, completed.stdout, completed.stderr)
