"""Virtual environments created directly, without running `python -m venv` or pip.

A virtual environment is a directory with a `pyvenv.cfg` naming the base interpreter's
home, links to that interpreter, an empty site-packages and activation scripts (PEP 405).
Writing those files ourselves takes milliseconds; the stdlib module starts the target
interpreter and copies pip. The environment is built beside its final place and renamed
into it, so an interrupted creation never leaves half an environment behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tether import __version__
from tether.errors import InstallError
from tether.fs import atomic_write
from tether.python.interpreter import Interpreter

# The standard library's activation scripts, found beside `os` (the `venv` package sits in
# the same directory); importing `venv` only to find them cost 9 ms on every sync.
_TEMPLATES = Path(os.__file__).parent / "venv" / "scripts"
_ACTIVATORS = {
    "activate": _TEMPLATES / "common" / "activate",
    "Activate.ps1": _TEMPLATES / "common" / "Activate.ps1",
    "activate.fish": _TEMPLATES / "posix" / "activate.fish",
    "activate.csh": _TEMPLATES / "posix" / "activate.csh",
}


@dataclass(frozen=True, slots=True)
class VirtualEnv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def config(self) -> Path:
        return self.root / "pyvenv.cfg"


def create(root: Path, interpreter: Interpreter, *, prompt: str | None = None) -> VirtualEnv:
    """A fresh environment at `root` for `interpreter` (replacing whatever was there)."""
    if sys.platform == "win32":  # pragma: no cover - tether targets POSIX first
        raise InstallError(
            "creating virtual environments on Windows is not supported yet",
            hint="use `python -m venv` for now",
        )
    base = _base_executable(interpreter)
    version = f"{interpreter.version.major}.{interpreter.version.minor}"
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a venv is not
        bin_dir = staging / "bin"
        bin_dir.mkdir()
        for name in ("python", "python3", f"python{version}"):
            (bin_dir / name).symlink_to(base)
        site_packages = staging / "lib" / f"python{version}" / "site-packages"
        site_packages.mkdir(parents=True)
        if interpreter.pointer_bits == 64 and sys.platform != "darwin":
            (staging / "lib64").symlink_to("lib")
        (staging / "pyvenv.cfg").write_text(
            f"home = {base.parent}\n"
            "include-system-site-packages = false\n"
            f"version = {interpreter.version}\n"
            f"executable = {base}\n"
            f"tether = {__version__}\n",
            encoding="utf-8",
        )
        # Nothing in an environment belongs in version control (uv does the same).
        (staging / ".gitignore").write_text("*\n", encoding="utf-8")
        _write_activators(staging, root, prompt or root.name)
        _replace(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return VirtualEnv(root)


def base_of(root: Path) -> Path | None:
    """The base interpreter an existing environment was made for (None: not one)."""
    try:
        lines = (root / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "executable":
            return Path(value.strip())
    return None


def _base_executable(interpreter: Interpreter) -> Path:
    """The real interpreter binary: an environment's base, with links resolved."""
    if interpreter.is_virtualenv:
        base = Path(interpreter.base_prefix) / "bin" / f"python{interpreter.version.major}"
        if base.exists():
            return base.resolve()
    return Path(interpreter.executable).resolve()


def _write_activators(staging: Path, root: Path, prompt: str) -> None:
    replacements = {
        "__VENV_DIR__": str(root),
        "__VENV_NAME__": root.name,
        "__VENV_PROMPT__": f"({prompt}) ",
        "__VENV_BIN_NAME__": "bin",
        "__VENV_PYTHON__": str(root / "bin" / "python"),
    }
    for name, template in _ACTIVATORS.items():
        if not template.exists():
            continue
        text = template.read_text(encoding="utf-8")
        for key, value in replacements.items():
            text = text.replace(key, value)
        # Into the staging directory, renamed into place whole: no fsync needed per file.
        atomic_write(staging / "bin" / name, text, mode=0o644, durable=False)


def _replace(staging: Path, root: Path) -> None:
    """Swap `staging` into `root`: the old environment is moved aside first, then
    removed, so `root` is never a mix of both."""
    old: Path | None = None
    if root.exists() or root.is_symlink():
        old = root.with_name(f".{root.name}.old-{os.getpid()}")
        root.rename(old)
    try:
        staging.rename(root)
    except BaseException:
        if old is not None:
            with contextlib.suppress(OSError):
                old.rename(root)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
