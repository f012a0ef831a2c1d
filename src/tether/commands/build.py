"""`tether build`: the project's sdist and wheel, through its PEP 517 backend, in an
isolated build environment tether fills itself.

As `python -m build` does, the wheel is built from the sdist by default, so a file the
sdist forgot breaks the build here rather than on a user's machine. Files are built in a
scratch directory and moved into the output directory only when every build succeeded:
a failed build leaves `dist/` as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tether.build.backend import BuildKind, build_with_backend
from tether.build.sdist import build_wheel_from_sdist
from tether.commands.basics import IndexOptions, resolve_indexes
from tether.commands.build_env import installer
from tether.commands.python import find_python
from tether.environment.directories import LEGACY_BUILD_SYSTEM
from tether.project import find_pyproject, load_project


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    start: Path
    environ: Mapping[str, str]
    sdist: bool = False  # neither flag: both, the wheel from the sdist
    wheel: bool = False
    out_dir: Path | None = None
    python: str | None = None
    index: IndexOptions = field(default_factory=IndexOptions)


@dataclass(frozen=True, slots=True)
class BuildResult:
    project: str
    artifacts: tuple[Path, ...]


def build(options: BuildOptions) -> BuildResult:
    project = load_project(find_pyproject(options.start))
    system = project.build_system or LEGACY_BUILD_SYSTEM
    interpreter = find_python(options.python, options.environ, str(project.requires_python))
    indexes = resolve_indexes(project.settings.indexes, options.index, options.environ)
    fill = installer(indexes, options.index, options.environ)
    # In a workspace, every member's artifacts go to the root's dist/ (as uv's).
    from tether.project.workspace import workspace_root  # noqa: PLC0415

    out_dir = options.out_dir or (workspace_root(project.pyproject_path) or project.root) / "dist"
    if not out_dir.is_absolute():
        out_dir = options.start / out_dir
    from_sdist = not options.sdist and not options.wheel  # the default, as `python -m build`

    def backend(kind: BuildKind, scratch: Path) -> Path:
        return build_with_backend(
            kind,
            source=project.root,
            backend=system.backend,
            backend_path=system.backend_path,
            requires=system.requires,
            python=interpreter.path,
            out_dir=scratch,
            install_requirements=fill,
            environ=options.environ,
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tether-build-", dir=out_dir) as scratch:
        built: list[Path] = []
        if options.sdist or from_sdist:
            built.append(backend("sdist", Path(scratch)))
        if from_sdist:
            built.append(
                build_wheel_from_sdist(
                    built[0],
                    out_dir=Path(scratch),
                    python=interpreter.path,
                    install_requirements=fill,
                    environ=options.environ,
                )
            )
        elif options.wheel:
            built.append(backend("wheel", Path(scratch)))
        final = []
        for path in built:
            destination = out_dir / path.name
            path.replace(destination)
            final.append(destination)
    return BuildResult(project=project.display_name, artifacts=tuple(final))
