"""What `tether lock` learns by building: the dependencies of an sdist that does not
declare them statically, and the dynamic metadata of a project directory (the root, a
path source), from their PEP 517 backends, in the isolated build environments `sync`
uses, with an interpreter the project supports.

Built answers are cached: an sdist's under its sha256 (by the index client), a
directory's under its path and a fingerprint of the files its backend reads
(`project.dynamic.input_digest`), so a warm or `--offline` lock never builds again.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.requirements import Requirement

from tether.build.backend import build_with_backend
from tether.build.sdist import metadata_from_sdist
from tether.cache import Bucket, Cache, digest
from tether.commands.build_env import installer
from tether.commands.python import find_python
from tether.commands.services import IndexOptions, open_cache
from tether.environment.directories import read_build_system
from tether.errors import PythonNotFound
from tether.index import Index
from tether.index.core_metadata import parse_core_metadata
from tether.project import Project
from tether.project.dynamic import input_digest, needs_backend
from tether.project.filled import filled


class MetadataBuilds:
    """Builds metadata on demand, from any thread (the resolver's fetch threads ask)."""

    def __init__(
        self,
        *,
        requires_python: str,
        indexes: tuple[Index, ...],
        index: IndexOptions,
        environ: Mapping[str, str],
        constraints: Sequence[Requirement] = (),
    ) -> None:
        self._requires_python = requires_python
        self._environ = environ
        self._install = installer(indexes, index, environ, constraints)
        self._lock = threading.Lock()
        self._python: Path | None = None
        self._cache: Cache = open_cache(environ)

    def sdist(self, archive: Path) -> bytes:
        """The METADATA a wheel built from the sdist at `archive` would carry."""
        return metadata_from_sdist(
            archive, python=self.python(), install_requirements=self._install, environ=self._environ
        )

    def directory(self, source: Path) -> bytes:
        """The METADATA of the project directory `source`, as its backend reports it."""
        source = source.resolve()
        key = digest(f"{source}\0{input_digest(source)}", 32)
        cached = self._cache.read(Bucket.PROJECT_METADATA, key)
        if cached is not None:
            return cached
        system = read_build_system(source)
        with tempfile.TemporaryDirectory(prefix="tether-metadata-") as scratch:
            found = build_with_backend(
                "metadata",
                source=source,
                backend=system.backend,
                backend_path=system.backend_path,
                requires=system.requires,
                python=self.python(),
                out_dir=Path(scratch),
                install_requirements=self._install,
                environ=self._environ,
            )
            data = found.read_bytes()
        self._cache.write(Bucket.PROJECT_METADATA, key, data=data)
        return data

    def project(self, project: Project, *, version: bool = False) -> Project:
        """`project` with the fields its backend computes filled in (itself when none
        that the lock needs is dynamic; `version`: the lock needs the version too)."""
        if not needs_backend(project, version=version):
            return project
        metadata = parse_core_metadata(
            self.directory(project.root), source=str(project.pyproject_path)
        )
        return filled(project, metadata)

    def python(self) -> Path:
        """The interpreter builds run with: one the project supports, else tether's own."""
        with self._lock:
            if self._python is None:
                try:
                    found = find_python(None, self._environ, self._requires_python)
                    self._python = found.path
                except PythonNotFound:
                    self._python = Path(sys.executable)
            return self._python
