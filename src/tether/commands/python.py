"""`tether python list|find`: the interpreters tether can see and which one it would use."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from packaging.specifiers import SpecifierSet

from tether.commands.basics import open_cache
from tether.python.discovery import PythonRequest, SearchPath, discover, search_path, select
from tether.python.interpreter import Interpreter


def search(environ: Mapping[str, str]) -> SearchPath:
    """PATH, then pyenv, asdf and mise installs (their usual locations, or the
    PYENV_ROOT / ASDF_DATA_DIR / MISE_DATA_DIR they are configured with)."""
    home = Path(environ.get("HOME", "~")).expanduser()
    roots = [
        Path(environ.get("PYENV_ROOT") or home / ".pyenv") / "versions",
        Path(environ.get("ASDF_DATA_DIR") or home / ".asdf") / "installs" / "python",
        Path(environ.get("MISE_DATA_DIR") or home / ".local" / "share" / "mise")
        / "installs"
        / "python",
    ]
    return search_path(environ.get("PATH", ""), roots)


def list_pythons(environ: Mapping[str, str]) -> list[Interpreter]:
    return discover(search(environ), open_cache(environ))


def find_python(
    request: str | None, environ: Mapping[str, str], requires_python: str = ""
) -> Interpreter:
    text = request or environ.get("TETHER_PYTHON") or None
    parsed = PythonRequest.parse(text) if text else None
    return select(parsed, SpecifierSet(requires_python), search(environ), open_cache(environ))
