"""Whether a wheel can be installed in an environment described by marker values (a
point of the lock's grid), from its file name alone. Pure.

For `required-environments` (uv's name): a release the lock takes must have, for each
required environment, a wheel some interpreter of that environment can install, or an
sdist to build. The check reads the wheel's tags (PEP 425) against the environment's
OS, CPU, implementation and Python: `cp312-abi3-win_amd64` fits Windows on AMD64 with
CPython 3.12 or newer; `py3-none-macosx_10_0_ppc64` fits no environment of the grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

_LINUX = ("manylinux", "musllinux", "linux_")
_ARCHES = {
    "x86_64": ("x86_64", "amd64"),
    "AMD64": ("amd64", "x86_64"),
    "aarch64": ("aarch64", "arm64"),
    "arm64": ("arm64", "aarch64"),
    "ARM64": ("arm64",),
}


def fits(filename: str, environment: Mapping[str, str]) -> bool:
    """Whether the wheel `filename` installs in `environment` (PEP 508 marker values:
    sys_platform, platform_machine, implementation_name, python_full_version)."""
    return any(_tag_fits(tag, environment) for tag in _tags(filename))


def fits_platform(filename: str, environment: Mapping[str, str]) -> bool:
    """Whether the wheel `filename` is built for `environment`'s OS and CPU, whatever
    its Python (which the Requires-Python and wheel-floor rules judge)."""
    return any(_platform_fits(tag.platform, environment) for tag in _tags(filename))


@lru_cache(maxsize=8192)
def _tags(filename: str) -> frozenset[Tag]:
    try:
        return parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return frozenset()


def _tag_fits(tag: Tag, environment: Mapping[str, str]) -> bool:
    return _platform_fits(tag.platform, environment) and _python_fits(tag, environment)


def _platform_fits(platform: str, environment: Mapping[str, str]) -> bool:
    if platform == "any":
        return True
    system = environment.get("sys_platform", "")
    machine = environment.get("platform_machine", "")
    arches = _ARCHES.get(machine, (machine.lower(),))
    if system == "linux":
        return platform.startswith(_LINUX) and platform.endswith(arches)
    if system == "darwin":
        fat = ("universal2", "universal", *(("intel",) if machine == "x86_64" else ()))
        return platform.startswith("macosx_") and platform.endswith((*arches, *fat))
    if system == "win32":
        wanted = {"AMD64": "win_amd64", "ARM64": "win_arm64", "x86": "win32"}.get(machine)
        return platform == wanted
    return False


def _python_fits(tag: Tag, environment: Mapping[str, str]) -> bool:
    minor = _minor(environment.get("python_full_version", ""))
    implementation = environment.get("implementation_name", "cpython")
    interpreter, abi = tag.interpreter, tag.abi
    if interpreter.startswith("py"):
        if not interpreter[2:].startswith("3"):
            return False
        return abi == "none" or _abi_fits(abi, minor, implementation)
    if interpreter.startswith("cp"):
        built = _minor(interpreter[3:]) if interpreter[2:3] == "3" else None
        if implementation != "cpython" or built is None or minor is None:
            return False
        if abi == "abi3":
            return minor >= built
        return minor == built and (abi == "none" or _abi_fits(abi, minor, implementation))
    if interpreter.startswith("pp"):
        return implementation == "pypy"
    return False  # graalpy, ironpython, ...: not in the grid


def _abi_fits(abi: str, minor: int | None, implementation: str) -> bool:
    if abi == "abi3":
        return implementation == "cpython"
    if abi.startswith("cp3") and implementation == "cpython":
        return _minor(abi[3:].rstrip("dmut")) == minor
    return abi.startswith("pypy") and implementation == "pypy"


def _minor(text: str) -> int | None:
    """The minor version in "3.12.1" or in a tag's "12" (after "cp3"/"py3")."""
    if "." in text:
        parts = text.split(".")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return int(text) if text.isdigit() else None
