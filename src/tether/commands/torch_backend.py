"""Which of the project's `torch-backends` this command installs or exports: the one
asked for (`--torch-backend`, `TETHER_TORCH_BACKEND`), else the best one the machine's
accelerator runs (`auto`), else `cpu` with a notice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tether.errors import InstallError, UsageError
from tether.project import Project

if TYPE_CHECKING:  # detection loads only for projects that declare torch backends
    from tether.accel import Accelerator


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendPick:
    backend: str
    reason: str
    accelerator: Accelerator | None = None  # None when the backend was asked for by name
    fallback: bool = False  # a GPU was found, but cpu was chosen

    def notice(self) -> str:
        if self.fallback:
            return f"torch backend: cpu, not a GPU build ({self.reason})"
        return f"torch backend: {self.backend} ({self.reason})"


def requested_backend(requested: str | None, environ: Mapping[str, str]) -> tuple[str, str]:
    """The request and where it came from: the flag, the environment, or the default."""
    if requested:
        return requested, "--torch-backend"
    if configured := environ.get("TETHER_TORCH_BACKEND", "").strip():
        return configured, "TETHER_TORCH_BACKEND"
    return "auto", "default"


def pick_backend(
    project: Project,
    requested: str | None,
    environ: Mapping[str, str],
    accelerator: Accelerator | None = None,
) -> BackendPick | None:
    """None for a project without `torch-backends`. `accelerator`: one already detected
    (`env info` shows it too), so that nvidia-smi does not run twice."""
    backends = project.settings.torch_backends
    request, source = requested_backend(requested, environ)
    if not backends:
        if source == "--torch-backend" and request != "auto":
            raise UsageError(
                f"--torch-backend {request}: the project declares no torch backends",
                hint='add e.g. torch-backends = ["cpu", "cu126"] to [tool.tether]',
            )
        return None
    if request != "auto":
        if request not in backends:
            raise UsageError(
                f"{source} asks for torch backend '{request}', which the project does not "
                f"declare (torch-backends: {', '.join(backends)})",
                hint="pick a declared backend, or add it to torch-backends and re-lock",
            )
        return BackendPick(backend=request, reason=f"chosen with {source}")
    from tether.accel import choose_backend, detect  # noqa: PLC0415

    if accelerator is None:
        accelerator = detect(environ, rocm=any(b.startswith("rocm") for b in backends))
    choice = choose_backend(accelerator, backends)
    if choice.backend is None:
        raise InstallError(
            f"no declared torch backend fits this machine: {choice.reason}",
            hint=f'{accelerator.describe()}; add a fitting backend (or "cpu") to '
            "torch-backends, or force one with --torch-backend",
        )
    return BackendPick(
        backend=choice.backend,
        reason=choice.reason,
        accelerator=accelerator,
        fallback=choice.fallback,
    )
