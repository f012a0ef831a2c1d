"""Building a wheel from an sdist (PEP 517), for dependencies that publish no wheel.

The sdist is extracted with the stdlib's `data` filter (no absolute paths, no `..`, no
links out, no device files), its `[build-system]` read (setuptools' legacy backend when
there is none, as PEP 517 says), and built in an isolated environment like the project.
"""

from __future__ import annotations

import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from tether.build.backend import BuildKind, Installer, build_with_backend
from tether.errors import BuildError

DEFAULT_REQUIRES = ("setuptools>=40.8.0",)


def build_wheel_from_sdist(
    sdist: Path,
    *,
    out_dir: Path,
    python: Path,
    install_requirements: Installer,
    environ: Mapping[str, str],
) -> Path:
    return _from_sdist(
        "wheel",
        sdist,
        out_dir=out_dir,
        python=python,
        install_requirements=install_requirements,
        environ=environ,
    )


def metadata_from_sdist(
    sdist: Path,
    *,
    python: Path,
    install_requirements: Installer,
    environ: Mapping[str, str],
) -> bytes:
    """The core metadata (METADATA) a wheel built from `sdist` would carry, from its
    backend's `prepare_metadata_for_build_wheel`: what `tether lock` needs of an sdist
    whose PKG-INFO cannot be trusted for its dependencies."""
    with tempfile.TemporaryDirectory(prefix="tether-metadata-") as scratch:
        found = _from_sdist(
            "metadata",
            sdist,
            out_dir=Path(scratch),
            python=python,
            install_requirements=install_requirements,
            environ=environ,
        )
        return found.read_bytes()


def _from_sdist(
    kind: BuildKind,
    sdist: Path,
    *,
    out_dir: Path,
    python: Path,
    install_requirements: Installer,
    environ: Mapping[str, str],
) -> Path:
    with tempfile.TemporaryDirectory(prefix="tether-sdist-") as scratch:
        root = _extract(sdist, Path(scratch))
        try:
            data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise BuildError(f"{sdist.name} has an invalid pyproject.toml: {err}") from None
        system = data.get("build-system", {})
        try:
            requires = [Requirement(r) for r in system.get("requires", DEFAULT_REQUIRES)]
        except InvalidRequirement as err:
            raise BuildError(f"{sdist.name} has an invalid [build-system]: {err}") from None
        return build_with_backend(
            kind,
            source=root,
            backend=system.get("build-backend"),
            backend_path=system.get("backend-path", []),
            requires=requires,
            python=python,
            out_dir=out_dir,
            install_requirements=install_requirements,
            environ=environ,
        )


def _extract(sdist: Path, destination: Path) -> Path:
    try:
        if sdist.name.endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                for name in archive.namelist():
                    path = PurePosixPath(name)
                    if path.is_absolute() or ".." in path.parts:
                        raise BuildError(f"{sdist.name} contains a file outside its tree: {name}")
                archive.extractall(destination)  # noqa: S202 - every name checked above
        else:
            with tarfile.open(sdist) as archive:
                archive.extractall(destination, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as err:
        raise BuildError(f"cannot extract {sdist.name}: {err}") from None
    entries = [p for p in destination.iterdir() if p.is_dir()]
    return entries[0] if len(entries) == 1 else destination
