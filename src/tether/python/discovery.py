"""Finding Python interpreters: on PATH, and where pyenv, asdf and mise install them.

Candidates are returned in preference order (PATH first, as a shell would find them;
then managed installs, newest first) and deduplicated by real path. Which one is used
is `select`'s job: the first that satisfies both the request and `requires-python`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from tether.cache import Cache
from tether.errors import PythonNotFound
from tether.python.interpreter import Interpreter, describe

NAMES = ("python3", "python", *(f"python3.{minor}" for minor in range(16, 5, -1)))
_VERSION_DIR = re.compile(r"^(?:cpython-?|python-?)?(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPath:
    """Where to look: the PATH directories and the managers' version directories
    (`~/.pyenv/versions`, `~/.asdf/installs/python`, `~/.local/share/mise/installs/python`)."""

    path: tuple[Path, ...] = ()
    managed: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonRequest:
    """`--python`: a version or specifier (`3.12`, `>=3.11`), an implementation
    (`cpython@3.11`, `pypy3.10`), or a path to an interpreter."""

    text: str
    specifier: SpecifierSet
    implementation: str | None = None
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> PythonRequest:
        value = text.strip()
        if os.sep in value or "/" in value or value.startswith("."):
            return cls(text=text, specifier=SpecifierSet(), path=Path(value).expanduser())
        implementation = None
        lowered = value.lower()
        for name in ("cpython", "pypy", "graalpy"):
            if lowered.startswith(name):
                implementation = name
                value = value[len(name) :].lstrip("@-")
                break
        if lowered.startswith("python"):
            value = value[len("python") :]
        if not value:
            return cls(text=text, specifier=SpecifierSet(), implementation=implementation)
        try:
            if value[0].isdigit():
                Version(value)
                parts = value.count(".")
                spec = f"=={value}.*" if parts < 2 else f"=={value}"
            else:
                spec = value
            return cls(text=text, specifier=SpecifierSet(spec), implementation=implementation)
        except (InvalidVersion, InvalidSpecifier):
            raise PythonNotFound(
                f"cannot understand the Python request '{text}'",
                hint="use a version (3.12), a specifier (>=3.11), an implementation "
                "(cpython@3.11, pypy3.10) or a path to an interpreter",
            ) from None

    def admits(self, interpreter: Interpreter) -> bool:
        if self.implementation is not None and interpreter.implementation != self.implementation:
            return False
        return self.specifier.contains(interpreter.version, prereleases=True)


def candidates(search: SearchPath) -> Iterator[Path]:
    """Interpreter executables, preferred first, each real file once. Lazily: a search
    stops at the first fit, and resolving every link on PATH and in pyenv costs more
    than the probe of a cached interpreter."""
    seen: set[Path] = set()

    def fresh(path: Path) -> bool:
        try:
            real = path.resolve()
        except OSError:
            return False
        if real in seen or not real.is_file() or not os.access(real, os.X_OK):
            return False
        seen.add(real)
        return True

    for directory in search.path:
        if directory.name == "shims":  # pyenv/asdf shims re-dispatch; the installs follow
            continue
        yield from (directory / name for name in NAMES if fresh(directory / name))
    for root in search.managed:
        for install in _versions_newest_first(root):
            yield from (
                install / "bin" / n for n in ("python3", "python") if fresh(install / "bin" / n)
            )


def discover(search: SearchPath, cache: Cache | None = None) -> list[Interpreter]:
    """Every interpreter found that answers, in preference order."""
    interpreters = []
    for path in candidates(search):
        try:
            interpreters.append(describe(path, cache))
        except PythonNotFound:
            continue  # not a working interpreter (a broken link, Python 2): skip it
    return interpreters


def select(
    request: PythonRequest | None,
    requires_python: SpecifierSet,
    search: SearchPath,
    cache: Cache | None = None,
) -> Interpreter:
    """The interpreter to use, or a `PythonNotFound` listing what was found."""
    if request is not None and request.path is not None:
        interpreter = describe(request.path, cache)
        _check_project(interpreter, requires_python)
        return interpreter
    # Probed one at a time, stopping at the first fit: each unknown interpreter costs a
    # subprocess (~30 ms), and a machine with pyenv has a dozen.
    found = []
    for path in candidates(search):
        try:
            interpreter = describe(path, cache)
        except PythonNotFound:
            continue
        if (request is None or request.admits(interpreter)) and requires_python.contains(
            interpreter.version, prereleases=True
        ):
            return interpreter
        found.append(interpreter)
    wanted = " and ".join(
        part
        for part in (
            f"'{request.text}'" if request is not None else "",
            f"requires-python {requires_python}" if str(requires_python) else "",
        )
        if part
    )
    listing = "; ".join(f"{i.implementation} {i.version} at {i.path}" for i in found) or "none"
    raise PythonNotFound(
        f"no Python interpreter satisfies {wanted or 'the request'} (found: {listing})",
        hint=f"install one (e.g. `pyenv install {_example(request, requires_python)}`), "
        "or pass --python PATH",
    )


# Minor versions a hint may suggest, newest last (a guess beyond them says "3.X").
_KNOWN_MINORS = tuple(f"3.{minor}" for minor in range(8, 16))


def _example(request: PythonRequest | None, requires_python: SpecifierSet) -> str:
    """A version to suggest installing that satisfies both the request and the project's
    requires-python (`3.14` for `>=3.14`, never one the request excludes)."""
    fitting = [
        minor
        for minor in _KNOWN_MINORS
        if requires_python.contains(Version(minor), prereleases=True)
        and (request is None or request.specifier.contains(Version(minor), prereleases=True))
    ]
    if not fitting:
        plain = request.text.strip() if request is not None else ""
        return plain if re.fullmatch(r"3\.\d+(\.\d+)?", plain) else "3.X"
    return "3.12" if "3.12" in fitting else fitting[0]


def _check_project(interpreter: Interpreter, requires_python: SpecifierSet) -> None:
    if not requires_python.contains(interpreter.version, prereleases=True):
        raise PythonNotFound(
            f"{interpreter.path} is Python {interpreter.version}, but the project requires "
            f"Python {requires_python}",
            hint="pick another interpreter with --python",
        )


def _versions_newest_first(root: Path) -> Iterable[Path]:
    try:
        entries = [p for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []
    keyed: list[tuple[Version, Path]] = []
    for entry in entries:
        match = _VERSION_DIR.match(entry.name)
        if match:
            try:
                keyed.append((Version(match.group(1)), entry))
            except InvalidVersion:
                continue
    return [path for _, path in sorted(keyed, key=lambda pair: pair[0], reverse=True)]


def search_path(path_variable: str, roots: Sequence[Path]) -> SearchPath:
    """A `SearchPath` from a PATH string and manager roots (read by the caller)."""
    directories = tuple(Path(p) for p in path_variable.split(os.pathsep) if p)
    return SearchPath(path=directories, managed=tuple(roots))
