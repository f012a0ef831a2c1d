"""Which declared PyTorch backend a machine should get. Pure: accelerator + declared
backends in, a choice and its reason out, so a wheel-variant standard (PEP 825) or a new
vendor can plug in without touching detection or sync."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tether.accel.detect import Accelerator
from tether.accel.tables import BACKEND_ARCHITECTURES, CUDA_MINIMUM_DRIVER

_CUDA = re.compile(r"^cu(\d+)(\d)$")
_ROCM = re.compile(r"^rocm(\d+(?:\.\d+)*)$")


@dataclass(frozen=True, slots=True)
class Choice:
    backend: str | None  # None: no declared backend fits (and cpu is not declared)
    reason: str
    fallback: bool = False  # the machine has a GPU, but cpu was chosen


def cuda_version(backend: str) -> tuple[int, int] | None:
    """`cu126` -> (12, 6), `cu118` -> (11, 8); None for other backends."""
    found = _CUDA.match(backend)
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def supports_architecture(backend: str, capability: str) -> bool:
    """Whether `backend`'s builds carry kernels a GPU of `capability` can run: a build for
    X.Y runs on X.Z with Z >= Y (same major). Backends not in the table are assumed to."""
    architectures = BACKEND_ARCHITECTURES.get(backend)
    if architectures is None:
        return True
    major, minor = (int(p) for p in capability.split("."))
    for built in architectures:
        built_major, built_minor = (int(p) for p in built.split("."))
        if built_major == major and built_minor <= minor:
            return True
    return False


def choose_backend(accelerator: Accelerator, declared: Sequence[str]) -> Choice:
    cpu = "cpu" if "cpu" in declared else None
    if accelerator.kind == "nvidia":
        return _nvidia(accelerator, declared, cpu)
    if accelerator.kind == "rocm":
        return _rocm(accelerator, declared, cpu)
    what = "Apple Silicon: MPS is in the CPU wheels" if accelerator.kind == "mps" else "no GPU"
    if cpu is None:
        return Choice(None, f"{what}, and no cpu backend is declared")
    return Choice(cpu, what)


def _nvidia(accelerator: Accelerator, declared: Sequence[str], cpu: str | None) -> Choice:
    have = _tuple(accelerator.cuda_version)
    rejected: list[str] = []
    fitting: list[tuple[tuple[int, int], str]] = []
    for backend in declared:
        version = cuda_version(backend)
        if version is None:
            continue
        if have is None or version > have:
            minimum = CUDA_MINIMUM_DRIVER.get(f"{version[0]}.{version[1]}", "a newer driver")
            rejected.append(
                f"{backend} needs driver >= {minimum} (this one is {accelerator.driver_version})"
            )
            continue
        unsupported = [
            c for c in accelerator.compute_capabilities if not supports_architecture(backend, c)
        ]
        if unsupported:
            rejected.append(
                f"{backend} builds have no kernels for compute capability {', '.join(unsupported)}"
            )
            continue
        fitting.append((version, backend))
    if fitting:
        version, backend = max(fitting)
        return Choice(backend, f"the driver supports CUDA <= {accelerator.cuda_version}")
    why = "; ".join(rejected) if rejected else "no CUDA backend is declared"
    return Choice(cpu, why, fallback=cpu is not None)


def _rocm(accelerator: Accelerator, declared: Sequence[str], cpu: str | None) -> Choice:
    have = _tuple(accelerator.rocm_version)
    fitting = []
    for backend in declared:
        found = _ROCM.match(backend)
        if found is None:
            continue
        version = _tuple(found.group(1))
        if have is None or version is None or version[:2] <= have[:2]:
            fitting.append((version or (0,), backend))
    if fitting:
        return Choice(max(fitting)[1], f"ROCm {accelerator.rocm_version or '(version unknown)'}")
    return Choice(
        cpu,
        f"no declared ROCm backend fits ROCm {accelerator.rocm_version}",
        fallback=cpu is not None,
    )


def _tuple(version: str | None) -> tuple[int, ...] | None:
    if not version:
        return None
    return tuple(int(p) for p in re.findall(r"\d+", version))
