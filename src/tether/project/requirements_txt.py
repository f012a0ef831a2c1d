"""Reading pip requirements files (`requirements.in`, `requirements.txt`), as
`tether pip compile` and `tether pip sync` take them.

What pip's format allows and tether understands: one requirement per line, `#` comments,
`\\` line continuations, `${VAR}` environment variables, `-r`/`--requirement` and
`-c`/`--constraint` (relative to the including file), `-e`/`--editable`,
`-i`/`--index-url`, `--extra-index-url`, `-f`/`--find-links` (a directory relative to
the file, or a URL), `--hash=sha256:…` after a requirement, and `--pre`. Options tether
cannot honour (`--no-binary`, `--trusted-host`, …) are refused with the file and line,
not ignored.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from tether.errors import ProjectError
from tether.project.discovery import project_name_at


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One requirement line: what it asks for and where it was written."""

    requirement: Requirement
    source: Path
    line: int
    hashes: tuple[str, ...] = ()  # "sha256:<hex>", as written
    editable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RequirementsFile:
    requirements: tuple[Entry, ...] = ()
    constraints: tuple[Entry, ...] = ()
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()  # URLs, or absolute directories
    no_index: bool = False
    pre: bool = False
    files: tuple[Path, ...] = field(default=())  # every file read, the given ones first


_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_REFUSED = frozenset(
    {
        "--no-binary",
        "--only-binary",
        "--prefer-binary",
        "--trusted-host",
        "--use-feature",
        "--config-settings",
        "--global-option",
    }
)


def read_requirements(
    paths: list[Path], environ: Mapping[str, str], *, constraints: list[Path] | None = None
) -> RequirementsFile:
    """Read `paths` (and what they include) as requirements, `constraints` as `-c` files."""
    state = _State(environ)
    for path in paths:
        state.read(path, constraint=False, seen=())
    for path in constraints or []:
        state.read(path, constraint=True, seen=())
    return RequirementsFile(
        requirements=tuple(state.requirements),
        constraints=tuple(state.constraints),
        index_url=state.index_url,
        extra_index_urls=tuple(state.extra_index_urls),
        find_links=tuple(state.find_links),
        no_index=state.no_index,
        pre=state.pre,
        files=tuple(state.files),
    )


class _State:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.requirements: list[Entry] = []
        self.constraints: list[Entry] = []
        self.index_url: str | None = None
        self.extra_index_urls: list[str] = []
        self.find_links: list[str] = []
        self.no_index = False
        self.pre = False
        self.files: list[Path] = []

    def read(self, path: Path, *, constraint: bool, seen: tuple[Path, ...]) -> None:
        resolved = path.resolve()
        if resolved in seen:
            raise ProjectError(
                f"{path} includes itself (through {' -> '.join(str(p) for p in seen)})",
                hint="remove the circular -r/-c line",
            )
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProjectError(
                f"requirements file {path} does not exist", hint="check the path"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise ProjectError(f"cannot read requirements file {path}: {err}") from None
        if resolved not in self.files:
            self.files.append(resolved)
        for number, line in _logical_lines(text):
            self._line(path, number, line, constraint=constraint, seen=(*seen, resolved))

    def _line(
        self, path: Path, number: int, line: str, *, constraint: bool, seen: tuple[Path, ...]
    ) -> None:
        line = _ENV_VAR.sub(lambda m: self.environ.get(m.group(1), m.group(0)), line)
        where = _Where(path, number)
        if not line.startswith("-"):
            self._requirement(where, path, number, line, constraint=constraint, editable=False)
            return
        option, value = _split_option(line)
        if option in ("-r", "--requirement", "-c", "--constraint"):
            if not value:
                raise _error(where, f"{option} needs a file name")
            nested = (path.parent / value) if not Path(value).is_absolute() else Path(value)
            self.read(nested, constraint=constraint or option in ("-c", "--constraint"), seen=seen)
        elif option in ("-e", "--editable"):
            if not value:
                raise _error(where, f"{option} needs a path or URL")
            self._editable(where, path, number, value, constraint=constraint)
        elif option in ("-i", "--index-url"):
            self.index_url = value or None
        elif option == "--extra-index-url":
            if value:
                self.extra_index_urls.append(value)
        elif option in ("-f", "--find-links"):
            if not value:
                raise _error(where, f"{option} needs a directory or a URL")
            located = value if "://" in value else str((path.parent / value).resolve())
            if located not in self.find_links:
                self.find_links.append(located)
        elif option == "--no-index":
            self.no_index = True
        elif option == "--pre":
            self.pre = True
        elif option in _REFUSED:
            raise _error(
                where,
                f"the option {option} is not supported by tether",
                hint="serve the files from an index (`--index-url`) or a directory "
                "(`--find-links`) instead",
            )
        else:
            raise _error(where, f"unknown option {option!r}", hint="see `pip help install`")

    def _requirement(
        self, where: _Where, path: Path, number: int, line: str, *, constraint: bool, editable: bool
    ) -> None:
        text, hashes = _hash_options(where, line)
        try:
            requirement = Requirement(text)
        except InvalidRequirement as err:
            raise _error(
                where, f"invalid requirement {text!r}: {err}", hint="see PEP 508"
            ) from None
        entry = Entry(
            requirement=requirement, source=path, line=number, hashes=hashes, editable=editable
        )
        (self.constraints if constraint else self.requirements).append(entry)

    def _editable(
        self, where: _Where, path: Path, number: int, value: str, *, constraint: bool
    ) -> None:
        target = Path(value) if Path(value).is_absolute() else path.parent / value
        if "://" in value or not target.is_dir():
            raise _error(
                where,
                f"-e {value}: only a local project directory can be installed editable",
            )
        name = project_name_at(target)
        if name is None:
            raise _error(
                where,
                f"cannot tell the project name of {target}: it needs a pyproject.toml "
                "with [project].name",
            )
        uri = target.resolve().as_uri()
        self._requirement(
            where, path, number, f"{name} @ {uri}", constraint=constraint, editable=True
        )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with comments removed and `\\` continuations joined, numbered by where
    each starts; blank ones left out."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = _COMMENT.sub("", raw)
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            lines.append((start, joined))
    if pending and (joined := " ".join(p.strip() for p in pending).strip()):
        lines.append((start, joined))
    return lines


def _split_option(line: str) -> tuple[str, str]:
    if line.startswith("--") and "=" in line.split(maxsplit=1)[0]:
        option, _, value = line.partition("=")
        return option.strip(), value.strip()
    option, _, value = line.partition(" ")
    if not line.startswith("--") and len(option) > 2 and option[2] != " ":
        return option[:2], option[2:].strip()  # -rfile, -ihttps://...
    return option.strip(), value.strip()


def _hash_options(where: _Where, line: str) -> tuple[str, tuple[str, ...]]:
    """Split `name==1.0 --hash=sha256:…` into the requirement and its hashes."""
    if " --" not in line and not line.startswith("--"):
        return line, ()
    head, _, tail = line.partition(" --")
    hashes: list[str] = []
    for token in shlex.split("--" + tail):
        option, _, value = token.partition("=")
        if option != "--hash":
            raise _error(where, f"the per-requirement option {option} is not supported")
        algorithm, _, digest = value.partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            raise _error(
                where,
                f"--hash={value} is not a sha256 hash",
                hint="tether checks sha256 hashes: --hash=sha256:<64 hex digits>",
            )
        hashes.append(f"sha256:{digest.lower()}")
    return head.strip(), tuple(hashes)


@dataclass(frozen=True, slots=True)
class _Where:
    path: Path
    line: int


def _error(where: _Where, message: str, *, hint: str | None = None) -> ProjectError:
    return ProjectError(message, path=where.path, line=where.line, hint=hint)
