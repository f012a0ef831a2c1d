"""`tether tool run NAME[@VERSION] ARGS…` (like `uvx`): a command-line tool run from an
isolated environment that tether resolves and installs itself, kept in the cache and
reused, so `tether lint` works in a project that never declared ruff.

An environment is keyed by the interpreter and the exact requirements; it is built in
place under a lock and marked complete last, so an interrupted build is redone rather
than used. `NAME@latest` (or `--refresh`) re-resolves.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from tether.cache import Bucket
from tether.commands.basics import IndexOptions, open_cache, resolve_indexes
from tether.commands.python import find_python
from tether.errors import UsageError
from tether.project import load_project, try_find_pyproject


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolOptions:
    start: Path
    environ: Mapping[str, str]
    spec: str  # NAME, NAME@VERSION, NAME@latest, or a PEP 508 requirement
    command: Sequence[str] = ()  # the arguments after NAME
    from_package: str | None = None  # `--from PKG`: NAME is a command that PKG provides
    with_requirements: tuple[str, ...] = ()
    python: str | None = None
    refresh: bool = False
    index: IndexOptions = field(default_factory=IndexOptions)


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCommand:
    program: str
    argv: list[str]
    environ: dict[str, str]
    environment: Path


def parse_spec(spec: str) -> tuple[Requirement, bool]:
    """`ruff@0.6.9` → `ruff==0.6.9`; `ruff@latest` → `ruff` and a refresh."""
    text, latest = spec, False
    if "@" in spec and not spec.lstrip().startswith("@") and " @ " not in spec:
        name, _, version = spec.partition("@")
        latest = version == "latest"
        text = name if latest else f"{name}=={version}"
    try:
        return Requirement(text), latest
    except InvalidRequirement as err:
        raise UsageError(
            f"invalid tool {spec!r}: {err}", hint="e.g. `ruff`, `ruff@0.6.9` or 'ruff>=0.6'"
        ) from None


def prepare_tool(options: ToolOptions) -> ToolCommand:
    if options.from_package is not None:
        requirement, latest = parse_spec(options.from_package)
        command = options.spec
    else:
        requirement, latest = parse_spec(options.spec)
        command = requirement.name
    extra = [_requirement(text) for text in options.with_requirements]
    root = tool_environment(
        [requirement, *extra],
        environ=options.environ,
        start=options.start,
        python=options.python,
        refresh=options.refresh or latest,
        index=options.index,
    )
    bin_dir = root / "bin"
    program = bin_dir / command
    if not program.exists():
        provided = sorted(p.name for p in bin_dir.iterdir() if _is_command(p))
        raise UsageError(
            f"{requirement.name} provides no command named {command!r} "
            f"(it has: {', '.join(provided) or 'none'})",
            hint=f"run one of those with `tether tool run --from {requirement.name} COMMAND`",
        )
    environ = dict(options.environ)
    environ["PATH"] = os.pathsep.join([str(bin_dir), environ.get("PATH", "")])
    environ.pop("PYTHONHOME", None)
    return ToolCommand(
        program=str(program),
        argv=[command, *options.command],
        environ=environ,
        environment=root,
    )


def tool_environment(
    requirements: Sequence[Requirement],
    *,
    environ: Mapping[str, str],
    start: Path,
    python: str | None = None,
    refresh: bool = False,
    index: IndexOptions | None = None,
) -> Path:
    """The cached environment holding `requirements` (built now if needed)."""
    from tether.commands.build_env import installer  # noqa: PLC0415
    from tether.environment.cached import cached_environment  # noqa: PLC0415

    interpreter = find_python(python, environ)
    key = hashlib.sha256(
        "\n".join(
            [str(interpreter.path), str(interpreter.version), *sorted(str(r) for r in requirements)]
        ).encode()
    ).hexdigest()[:32]
    pyproject = try_find_pyproject(start)
    configured = load_project(pyproject).settings.indexes if pyproject is not None else ()
    options = index or IndexOptions()
    return cached_environment(
        open_cache(environ).path(Bucket.TOOLS, key),
        interpreter,
        requirements,
        install=installer(resolve_indexes(configured, options, environ), options, environ),
        prompt=requirements[0].name,
        refresh=refresh,
    )


def _requirement(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as err:
        raise UsageError(f"invalid --with requirement {text!r}: {err}") from None


def _is_command(path: Path) -> bool:
    skip = ("python", "activate", "pip", "Activate")
    return path.is_file() and os.access(path, os.X_OK) and not path.name.startswith(skip)
