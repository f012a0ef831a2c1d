"""The pre-commit and commit-msg hook scripts: written so that they call tether (the
interpreter that installed them first), recognised by their mark, and never written
over a foreign hook without being asked (which is then kept as `<hook>.legacy`)."""

from __future__ import annotations

import shlex
import stat
import sys
from pathlib import Path

from tether.errors import UsageError
from tether.fs import atomic_write
from tether.quality.git_repo import hooks_dir

MARK = "# tether-managed hook"
HOOKS = ("pre-commit", "commit-msg")


def install(start: Path, *, force: bool = False) -> list[Path]:
    """Write the pre-commit and commit-msg hooks; a foreign hook is kept unless `force`,
    and then saved beside it as `<hook>.legacy`."""
    directory = hooks_dir(start)
    directory.mkdir(parents=True, exist_ok=True)
    foreign = [
        directory / h for h in HOOKS if (directory / h).exists() and not _ours(directory / h)
    ]
    if foreign and not force:
        names = ", ".join(str(p) for p in foreign)
        raise UsageError(
            f"{names} already exist and were not written by tether",
            hint="pass --force to replace them (they are kept as <hook>.legacy), or merge "
            "them by hand with `tether hooks run`",
        )
    written = []
    for hook in HOOKS:
        path = directory / hook
        if path in foreign:
            path.replace(path.with_name(f"{hook}.legacy"))
        argument = ' "$1"' if hook == "commit-msg" else ""
        script = (
            f"#!/bin/sh\n{MARK}: written by `tether hooks install`; "
            "`tether hooks uninstall` removes it.\n"
            f"if [ -x {shlex.quote(sys.executable)} ]; then\n"
            f"    exec {shlex.quote(sys.executable)} -m tether hooks run --hook {hook}{argument}\n"
            "fi\n"
            f"exec tether hooks run --hook {hook}{argument}\n"
        )
        atomic_write(path, script)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def uninstall(start: Path) -> list[Path]:
    directory = hooks_dir(start)
    removed = []
    for hook in HOOKS:
        path = directory / hook
        if path.exists() and _ours(path):
            path.unlink()
            legacy = path.with_name(f"{hook}.legacy")
            if legacy.exists():
                legacy.replace(path)
            removed.append(path)
    return removed


def _ours(path: Path) -> bool:
    try:
        return MARK in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
