"""The in-sync `tether run` (and the no-op `tether sync`) in a handful of milliseconds:
no argument parser, no TOML, no `packaging`, no resolver, index or HTTP code.

`tether sync` records in the environment's state file the sha256 of `pyproject.toml`
and of `pylock.toml` it synced from, when the lock was fresh for that pyproject and the
selection was the default one. If both files still hash the same, nothing a `run` would
check can have changed: set PATH and VIRTUAL_ENV and become the command. Anything else
(other options, `TETHER_*` overrides that change the answer, a missing or different
state) returns, and the full `tether run` decides.
"""

# os.path, not pathlib: importing pathlib alone costs milliseconds this path must not pay.
# ruff: noqa: PTH100, PTH109, PTH110, PTH111, PTH113, PTH118, PTH119, PTH120, PTH123

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence

from tether.install.script_runs import STATE, ready_environment
from tether.install.site_listing import site_listing

# Settings the full path would honour differently: leave those runs to it.
_OVERRIDES = ("TETHER_PROJECT_ENVIRONMENT", "TETHER_TORCH_BACKEND", "TETHER_PYTHON")


def try_exec(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Become `args` (after an optional `--`) when the project is in sync; else return."""
    if len(args) >= 2 and args[0] == "--script" and args[1] != "-":
        _try_script(args[1], list(args[2:]), environ)
        return
    command = list(args[1:]) if args and args[0] == "--" else list(args)
    if not command or command[0].startswith("-"):
        return
    if command[0].endswith((".py", ".pyw")) and os.path.isfile(command[0]):
        text = _read(command[0])
        if text is None:
            return
        if "# /// script" in text or _project_root(os.getcwd()) is None:
            _try_script(command[0], command[1:], environ, text)
            return
        command = ["python", *command]  # a plain file in a project: its Python runs it
    found = _in_sync(environ)
    if found is None:
        return
    environment, _state = found
    bin_dir = os.path.join(environment, "bin")
    if not os.path.exists(os.path.join(bin_dir, "python")):
        return
    env = dict(environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = environment
    env.pop("PYTHONHOME", None)
    program = _which(command[0], env["PATH"])
    if program is None:
        return  # the full path says "command not found", with its hint
    if os.path.dirname(program) != bin_dir and _locked_name(environment, command[0]):
        return  # locked but not installed here: the full path explains
    os.execve(program, command, env)  # noqa: S606 - running the user's command is the job


def _locked_name(environment: str, command: str) -> bool:
    """Whether the lock beside the environment has a package named like `command`."""
    name = os.path.basename(command).lower().replace("_", "-").replace(".", "-")
    try:
        with open(os.path.join(os.path.dirname(environment), "pylock.toml"), "rb") as stream:
            return f'\nname = "{name}"\n'.encode() in stream.read()
    except OSError:
        return True  # unknown: let the full path decide


def _try_script(
    script: str, arguments: list[str], environ: Mapping[str, str], text: str | None = None
) -> None:
    """Become the script's Python when the memo of its last full run still holds."""
    if "TETHER_PYTHON" in environ:
        return
    text = _read(script) if text is None else text
    cache = _cache_root(environ)
    if text is None:
        return
    environment = ready_environment(cache, script, text)
    if environment is None:
        return
    env = dict(environ)
    env["PATH"] = os.path.join(environment, "bin") + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = environment
    env.pop("PYTHONHOME", None)
    python = os.path.join(environment, "bin", "python")
    os.execve(python, ["python", os.path.abspath(script), *arguments], env)  # noqa: S606


def _cache_root(environ: Mapping[str, str]) -> str:
    """TETHER_CACHE_DIR, else where platformdirs puts it on Linux and macOS (without
    importing it: a wrong guess only misses the memo)."""
    if configured := environ.get("TETHER_CACHE_DIR"):
        return os.path.expanduser(configured)
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "tether")
    base = environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(home, ".cache")
    return os.path.join(base, "tether")


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except (OSError, UnicodeDecodeError):
        return None


def try_noop_sync(args: Sequence[str], environ: Mapping[str, str]) -> int | None:
    """Exit status of a `tether sync [--frozen|--locked]` with nothing to do: the project
    in sync and site-packages holding the same distributions as after the last sync
    (without torch backends, whose choice a sync re-detects). None: do the real sync."""
    if set(args) - {"--frozen", "--locked"}:
        return None
    found = _in_sync(environ)
    if found is None:
        return None
    environment, state = found
    if state.get("default-selection") is False:
        return None  # synced with more groups or extras: a plain sync removes them
    site = state.get("site")
    active = environ.get("VIRTUAL_ENV")
    if not isinstance(site, dict) or (active and os.path.realpath(active) != environment):
        return None
    listing, count = site_listing(environment)
    if listing is None or site.get("listing") != listing:
        return None
    sys.stderr.write(f"{environment} is in sync ({site.get('packages', count)} packages)\n")
    return 0


def _in_sync(environ: Mapping[str, str]) -> tuple[str, dict[str, object]] | None:
    """The environment and its state when pyproject.toml and pylock.toml are byte for
    byte what the last default sync recorded."""
    if any(k in environ for k in _OVERRIDES):
        return None
    root = _project_root(os.getcwd())
    if root is None:
        return None
    environment = os.path.join(root, ".venv")
    try:
        with open(os.path.join(environment, STATE), encoding="utf-8") as stream:
            state = json.load(stream)
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not state.get("pyproject-sha256"):
        return None
    if state.get("pyproject-sha256") != _sha256(os.path.join(root, "pyproject.toml")):
        return None
    if state.get("lock-sha256") != _sha256(os.path.join(root, "pylock.toml")):
        return None
    return environment, state


def _project_root(start: str) -> str | None:
    directory = start
    while True:
        if os.path.isfile(os.path.join(directory, "pyproject.toml")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def _which(name: str, path: str) -> str | None:
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    for directory in path.split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None
