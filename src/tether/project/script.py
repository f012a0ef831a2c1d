"""Single-file scripts (PEP 723): the `# /// script` block read into a `Project`, so
locking and syncing a script is the same machinery as a project's, and edited in place
with tomlkit (comments kept).

A script is a project without a build system: its name comes from the file name, its
`requires-python`, `dependencies` and `[tool.tether]` from the block. Where its lock
and environment live is the caller's choice (beside the script, or in the cache).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array

from tether.errors import ProjectError
from tether.project.edit import drop_requirements, put_requirements
from tether.project.fields import expect_table, parse_requirements
from tether.project.pyproject import Project, parse_requires_python
from tether.project.settings import parse_settings
from tether.project.toml_source import TomlDocument

# PEP 723's reference expression: a `# /// TYPE` line, `#` or `# ...` lines, `# ///`.
_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")
SCRIPT_KEYS = frozenset({"dependencies", "requires-python", "tool"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptBlock:
    """Where the `script` block sits in the file, and its TOML."""

    start: int  # offset of the `# /// script` line
    end: int  # offset just after the closing `# ///`
    first_line: int  # 1-based line number of the block's first TOML line
    toml: str


def find_block(text: str, path: Path) -> ScriptBlock | None:
    """The file's `script` block, or None when it has none; two are an error (PEP 723)."""
    blocks = [m for m in _BLOCK.finditer(text) if m.group("type") == "script"]
    if not blocks:
        return None
    if len(blocks) > 1:
        line = text.count("\n", 0, blocks[1].start()) + 1
        raise ProjectError(
            "more than one `# /// script` block",
            path=path,
            line=line,
            hint="PEP 723 allows one script block: merge them",
        )
    match = blocks[0]
    lines = match.group("content").splitlines(keepends=True)
    toml = "".join(line[2:] if line.startswith("# ") else line[1:] for line in lines)
    return ScriptBlock(
        start=match.start(),
        end=match.end(),
        first_line=text.count("\n", 0, match.start()) + 2,
        toml=toml,
    )


def read_script(path: Path) -> str:
    """The script's text, every way of failing as a `ProjectError`."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError("script does not exist", path=path) from None
    except IsADirectoryError:
        raise ProjectError("is a directory, not a script", path=path) from None
    except UnicodeDecodeError:
        raise ProjectError(
            "the script is not valid UTF-8", path=path, hint="re-save it with UTF-8 encoding"
        ) from None
    except OSError as err:
        raise ProjectError(f"cannot read the script: {err.strerror or err}", path=path) from None


def script_project(path: Path, text: str) -> Project:
    """The script as a project (no dependencies when it has no block)."""
    block = find_block(text, path)
    doc = _document(path, block)
    data = doc.data
    unknown = sorted(set(data) - SCRIPT_KEYS)
    if unknown:
        raise doc.error(
            f"unknown key `{unknown[0]}` in the script block",
            at=doc.locate_key(unknown[0]),
            hint="PEP 723 allows `dependencies`, `requires-python` and `[tool.*]` tables",
        )
    tool = expect_table(doc, data.get("tool", {}), "tool")
    settings = parse_settings(doc, tool.get("tether", {}), extras=frozenset(), groups=frozenset())
    name = canonicalize_name(re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-") or "script")
    return Project(
        root=path.parent,
        name=name,
        display_name=path.name,
        version=None,
        requires_python=parse_requires_python(doc, data.get("requires-python")),
        dependencies=parse_requirements(doc, data.get("dependencies", []), "dependencies"),
        settings=settings,
        script=path,
    )


def lock_name(path: Path) -> str:
    """The lock beside a script (PEP 751's `pylock.<name>.toml`): `eval.py` →
    `pylock.eval.toml`."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "script"
    return f"pylock.{stem}.toml"


def new_script(requires_python: str, dependencies: list[str]) -> str:
    """A new script: its block and a main that runs."""
    deps = tomlkit.array()
    deps.extend(dependencies)
    body = tomlkit.document()
    body["requires-python"] = requires_python
    body["dependencies"] = deps
    return (
        _commented(tomlkit.dumps(body))
        + '\n\ndef main() -> None:\n    print("Hello from a tether script!")\n\n\n'
        + 'if __name__ == "__main__":\n    main()\n'
    )


def add_to_script(text: str, path: Path, requirements: list[Requirement]) -> str:
    """`text` with each requirement in the block's `dependencies` (one on the same
    package replaced); a script without a block gets one at the top (after a shebang
    and encoding line)."""
    block = find_block(text, path)
    document = tomlkit.parse("" if block is None else block.toml)
    put_requirements(_dependencies(document, path, create=True), requirements)
    return _replace(text, block, tomlkit.dumps(document))


def remove_from_script(text: str, path: Path, names: list[str]) -> tuple[str, list[str]]:
    """`text` without requirements on `names`; also the names that were not there."""
    block = find_block(text, path)
    if block is None:
        return text, list(names)
    document = tomlkit.parse(block.toml)
    missing = drop_requirements(_dependencies(document, path, create=False), names)
    return _replace(text, block, tomlkit.dumps(document)), missing


def _document(path: Path, block: ScriptBlock | None) -> TomlDocument:
    if block is None:
        return TomlDocument(path=path, text="", data={})
    # Padded with empty lines so that positions in errors are the file's lines.
    text = "\n" * (block.first_line - 1) + block.toml
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProjectError(
            f"invalid TOML in the script block: {err}",
            path=path,
            hint="each line of the block is `# ` followed by TOML (PEP 723)",
        ) from None
    return TomlDocument(path=path, text=text, data=data)


def _dependencies(document: tomlkit.TOMLDocument, path: Path, *, create: bool) -> Array:
    if "dependencies" not in document:
        if not create:
            return tomlkit.array()
        document["dependencies"] = tomlkit.array()
    array = document["dependencies"]
    if not isinstance(array, Array):
        raise ProjectError("`dependencies` in the script block is not an array", path=path)
    return array


def _replace(text: str, block: ScriptBlock | None, toml: str) -> str:
    commented = _commented(toml)
    if block is not None:
        return text[: block.start] + commented + text[block.end :]
    lines = text.splitlines(keepends=True)
    keep = 0
    while keep < len(lines) and keep < 2 and _is_preamble(lines[keep], keep):
        keep += 1
    head = "".join(lines[:keep])
    return head + commented + "\n" + ("\n" if lines[keep:] else "") + "".join(lines[keep:])


def _is_preamble(line: str, index: int) -> bool:
    """A shebang (first line) or an encoding declaration: these stay on top."""
    if index == 0 and line.startswith("#!"):
        return True
    return re.match(r"^[ \t\f]*#.*?coding[:=]", line) is not None


def _commented(toml: str) -> str:
    lines = toml.rstrip("\n").splitlines()
    body = "\n".join(f"# {line}" if line else "#" for line in lines)
    return f"# /// script\n{body}\n# ///"
