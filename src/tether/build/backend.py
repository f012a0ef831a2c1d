"""Calling a project's PEP 517 backend: an sdist, a wheel, or an editable wheel (PEP 660).

The backend runs in an isolated environment that tether creates; filling it with the
backend's requirements is the caller's job (`install_requirements`), because it needs
the resolver and the index (a layer above this one). The backend's output is captured
and its last lines shown when the build fails.
"""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from packaging.requirements import Requirement
from pyproject_hooks import (
    BackendUnavailable,
    BuildBackendHookCaller,
    BuildBackendWarning,
    HookMissing,
)

from tether.errors import BuildError
from tether.python.interpreter import describe
from tether.python.venv import VirtualEnv, create

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"

# pyproject-hooks re-raises a backend's warnings (setuptools' deprecation boxes) in the
# calling process, where Python would print them between tether's own lines. The
# backend's output is captured and shown when a build fails; its warnings are noise.
warnings.filterwarnings("ignore", category=BuildBackendWarning)
Installer = Callable[[Sequence[Requirement], VirtualEnv], None]
BuildKind = Literal["sdist", "wheel", "editable", "metadata"]

_DESCRIBED: dict[BuildKind, str] = {
    "sdist": "an sdist",
    "wheel": "a wheel",
    "editable": "an editable wheel",
    "metadata": "wheel metadata",
}


def build_with_backend(
    kind: BuildKind,
    *,
    source: Path,
    backend: str | None,
    backend_path: Sequence[str],
    requires: Sequence[Requirement],
    python: Path,
    out_dir: Path,
    install_requirements: Installer,
    environ: Mapping[str, str],
) -> Path:
    """Build `source` as `kind` into `out_dir`; return the built file's path (for
    "metadata", the METADATA file of the `.dist-info` directory the backend prepared:
    `prepare_metadata_for_build_wheel`, or a wheel built to read it from when the
    backend lacks that hook, as PEP 517 allows)."""
    with tempfile.TemporaryDirectory(prefix="tether-build-") as scratch:
        environment = create(Path(scratch) / "env", describe(python))
        if requires:
            install_requirements(requires, environment)
        output: list[str] = []
        caller = BuildBackendHookCaller(
            str(source),
            backend or LEGACY_BACKEND,
            backend_path=list(backend_path) or None,
            runner=_capturing_runner(output, environ),
            python_executable=str(environment.python),
        )
        try:
            extra = {
                "sdist": caller.get_requires_for_build_sdist,
                "wheel": caller.get_requires_for_build_wheel,
                "editable": caller.get_requires_for_build_editable,
                "metadata": caller.get_requires_for_build_wheel,
            }[kind]()
            if extra:
                install_requirements([*requires, *(Requirement(r) for r in extra)], environment)
            out_dir.mkdir(parents=True, exist_ok=True)
            if kind == "sdist":
                name = caller.build_sdist(str(out_dir))
            elif kind == "wheel":
                name = caller.build_wheel(str(out_dir))
            elif kind == "metadata":
                name = caller.prepare_metadata_for_build_wheel(str(out_dir), _allow_fallback=True)
                name = f"{name}/METADATA"
            else:
                name = caller.build_editable(str(out_dir))
        except (BackendUnavailable, HookMissing, subprocess.CalledProcessError) as err:
            detail = getattr(err, "traceback", None) or ""
            tail = "\n".join(("".join(output) + detail).splitlines()[-15:])
            raise BuildError(
                f"building {source} as {_DESCRIBED[kind]} failed ({type(err).__name__})",
                output=tail,
                hint="the build backend's last lines are above; fix the error they show "
                "and build again",
            ) from None
    return out_dir / name


def _capturing_runner(output: list[str], base: Mapping[str, str]) -> Callable[..., None]:
    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        environ = {**base, **(extra_environ or {})}
        done = subprocess.run(
            list(cmd), cwd=cwd, env=environ, capture_output=True, text=True, check=False
        )
        output.append(done.stdout + done.stderr)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(
                done.returncode, list(cmd), done.stdout, done.stderr
            )

    return run
