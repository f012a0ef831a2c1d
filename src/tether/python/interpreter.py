"""What a Python interpreter is: asked once, remembered by path and modification time.

The target interpreter describes itself (its marker environment, install scheme paths,
ABI facts) by running `probe.SOURCE`, which needs only its standard library, so any
Python from 3.6 on can be asked. Its supported wheel tags are then computed with
`packaging.tags` from those facts and the machine's platform tags (the target runs on
this machine, so its platforms are ours, narrowed for a 32-bit build).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging import tags
from packaging.version import Version

from tether.cache import Bucket, Cache, digest
from tether.errors import PythonNotFound
from tether.python.probe import SOURCE

PROBE_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Interpreter:
    path: Path  # as found (a venv's python, a pyenv shim target, ...)
    executable: str  # what sys.executable says
    version: Version
    implementation: str  # "cpython", "pypy", ...
    markers: Mapping[str, str]
    paths: Mapping[str, str]  # sysconfig scheme: purelib, platlib, scripts, data, include
    prefix: str
    base_prefix: str
    soabi: str
    debug: bool
    free_threaded: bool
    pointer_bits: int

    @property
    def is_virtualenv(self) -> bool:
        return self.prefix != self.base_prefix

    def tags(self) -> list[tags.Tag]:
        """The wheel tags this interpreter installs, most specific first (PEP 425)."""
        platforms = list(tags.platform_tags())
        if self.pointer_bits == 32:
            platforms = [
                p for p in platforms if not p.endswith(("x86_64", "aarch64", "amd64"))
            ] or platforms
        major, minor = self.version.major, self.version.minor
        if self.implementation == "cpython":
            abi = f"cp{major}{minor}{'d' if self.debug else ''}{'t' if self.free_threaded else ''}"
            if (major, minor) < (3, 8) and not self.debug:
                abi = f"cp{major}{minor}m"
            found = list(tags.cpython_tags((major, minor), [abi], platforms))
            interpreter = f"cp{major}{minor}"
        else:
            short = {"pypy": "pp", "graalpy": "graalpy"}.get(
                self.implementation, self.implementation
            )
            interpreter = f"{short}{major}{minor}"
            abis = [self.soabi.replace("-", "_").replace(".", "_")] if self.soabi else []
            found = list(tags.generic_tags(interpreter, abis, platforms))
        found += list(tags.compatible_tags((major, minor), interpreter, platforms))
        return found


def describe(path: Path, cache: Cache | None = None) -> Interpreter:
    """Ask the interpreter at `path` about itself (or reuse the cached answer)."""
    try:
        stat = path.stat()
    except OSError as err:
        raise PythonNotFound(
            f"no Python interpreter at {path}: {err.strerror or err}",
            hint="check the path given to --python or TETHER_PYTHON",
        ) from None
    key = f"{digest(str(path.absolute()), 24)}-{stat.st_mtime_ns}-{stat.st_size}.json"
    if cache is not None:
        cached = cache.read(Bucket.INTERPRETERS, key)
        if cached is not None:
            try:
                return _from_probe(path, json.loads(cached))
            except (ValueError, KeyError, TypeError):
                pass  # a damaged entry is asked again
    try:
        done = subprocess.run(
            # -I: ignore the environment and user site; site itself must run, as it
            # is what sets sys.prefix inside a virtual environment.
            [str(path), "-I", "-c", SOURCE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PythonNotFound(
            f"cannot run {path} as a Python interpreter: {err}",
            hint="check that it is an executable Python",
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PythonNotFound(
            f"{path} failed to describe itself: {last}",
            hint="tether supports CPython and PyPy 3.6 and newer",
        )
    try:
        data = json.loads(done.stdout)
        interpreter = _from_probe(path, data)
    except (ValueError, KeyError, TypeError):
        raise PythonNotFound(
            f"{path} did not answer like a Python interpreter",
            hint="check the path given to --python or TETHER_PYTHON",
        ) from None
    if cache is not None:
        cache.write(Bucket.INTERPRETERS, key, data=json.dumps(data, sort_keys=True).encode())
    return interpreter


def _from_probe(path: Path, data: dict[str, Any]) -> Interpreter:
    return Interpreter(
        path=path,
        executable=str(data["executable"]),
        version=Version(".".join(str(p) for p in data["version"])),
        implementation=str(data["markers"]["implementation_name"]),
        markers=dict(data["markers"]),
        paths=dict(data["paths"]),
        prefix=str(data["prefix"]),
        base_prefix=str(data["base_prefix"]),
        soabi=str(data["soabi"]),
        debug=bool(data["debug"]),
        free_threaded=bool(data["free_threaded"]),
        pointer_bits=int(data["pointer_bits"]),
    )
