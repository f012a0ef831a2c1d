"""Byte-compiling an environment's site-packages with its own interpreter, so that the
first imports of a fresh container or CI image skip compiling."""

from __future__ import annotations

import subprocess

from tether.install.wheel import Target


def compile_site(target: Target) -> None:
    """Byte-compile_site site-packages with the environment's own interpreter (first imports
    of a fresh container or CI image then skip compiling)."""
    subprocess.run(
        [str(target.python), "-m", "compileall", "-q", "-j", "0", str(target.purelib)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
