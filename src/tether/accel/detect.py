"""What accelerator this machine has, read from the places the drivers publish it.

NVIDIA first, in order: `TETHER_CUDA_DRIVER_VERSION`, `/sys/module/nvidia/version`,
`/proc/driver/nvidia/version`, then `nvidia-smi --query-gpu=driver_version`. The kernel
files cost a read and exist wherever the driver is loaded (containers included, as the
NVIDIA container toolkit mounts them); `nvidia-smi` costs a process. The GPUs' compute
capabilities come from `nvidia-smi --query-gpu=compute_cap` (or
`TETHER_CUDA_COMPUTE_CAPABILITY`), when it can be had. AMD ROCm is looked for only when
asked (a ROCm backend is declared): `rocm_agent_enumerator` lists the GPU targets,
`/opt/rocm/.info/version` the ROCm release. Apple Silicon needs no detection: its GPU
(MPS) comes with the default wheels.

All I/O goes through a `Probe`, so tests run detection on recorded outputs.
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tether.accel.tables import CUDA_MINIMUM_DRIVER

Kind = Literal["nvidia", "rocm", "mps", "none"]

_DRIVER = re.compile(r"\b(\d{2,4}\.\d{1,3}(?:\.\d{1,3})?)\b")
_CAPABILITY = re.compile(r"^\d{1,2}\.\d$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Accelerator:
    kind: Kind
    source: str  # where it was read: an environment variable, a file, a command
    driver_version: str | None = None
    cuda_version: str | None = None  # the newest CUDA runtime the driver supports
    compute_capabilities: tuple[str, ...] = ()  # one per GPU, e.g. ("9.0",)
    gpu_names: tuple[str, ...] = ()
    rocm_version: str | None = None
    gfx_targets: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """As `tether env info --json` shows it."""
        return {
            "kind": self.kind,
            "source": self.source,
            "driver-version": self.driver_version,
            "cuda-version": self.cuda_version,
            "compute-capabilities": list(self.compute_capabilities),
            "gpus": list(self.gpu_names),
            "rocm-version": self.rocm_version,
            "description": self.describe(),
        }

    def describe(self) -> str:
        if self.kind == "nvidia":
            parts = [f"NVIDIA driver {self.driver_version}"]
            parts.append(f"CUDA <= {self.cuda_version}" if self.cuda_version else "CUDA unknown")
            if self.gpu_names:
                parts.append(", ".join(self.gpu_names))
            if self.compute_capabilities:
                parts.append("compute capability " + ", ".join(self.compute_capabilities))
            return f"{'; '.join(parts)} (from {self.source})"
        if self.kind == "rocm":
            targets = ", ".join(self.gfx_targets)
            version = self.rocm_version or "(version unknown)"
            return f"AMD ROCm {version}, {targets} (from {self.source})"
        if self.kind == "mps":
            return f"Apple Silicon GPU (MPS, in the default wheels; from {self.source})"
        return f"no GPU found (looked at {self.source})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """The machine as detection sees it: files, commands, platform."""

    read: Callable[[str], str | None]
    run: Callable[[list[str]], str | None]  # stdout, or None when it cannot run or fails
    system: str = field(default_factory=lambda: sys.platform)
    machine: str = field(default_factory=platform.machine)


def host_probe(environ: Mapping[str, str]) -> Probe:
    return Probe(read=_read, run=lambda argv: _run(argv, environ))


def detect(
    environ: Mapping[str, str], probe: Probe | None = None, *, rocm: bool = False
) -> Accelerator:
    probe = probe or host_probe(environ)
    if environ.get("TETHER_CUDA_DRIVER_VERSION", "").strip().lower() == "none":
        return Accelerator(kind="none", source="TETHER_CUDA_DRIVER_VERSION=none")
    nvidia = _nvidia(environ, probe)
    if nvidia is not None:
        return nvidia
    if rocm:
        found = _rocm(probe)
        if found is not None:
            return found
    if probe.system == "darwin" and probe.machine == "arm64":
        return Accelerator(kind="mps", source="platform")
    looked = "/sys/module/nvidia/version, /proc/driver/nvidia/version, nvidia-smi"
    return Accelerator(kind="none", source=looked + (", rocm_agent_enumerator" if rocm else ""))


def cuda_for_driver(driver: str) -> str | None:
    """The newest CUDA runtime a Linux driver version supports (None: too old for any)."""
    have = _numbers(driver)
    best: str | None = None
    for cuda, minimum in CUDA_MINIMUM_DRIVER.items():
        if have >= _numbers(minimum) and (best is None or _numbers(cuda) > _numbers(best)):
            best = cuda
    return best


def _nvidia(environ: Mapping[str, str], probe: Probe) -> Accelerator | None:
    driver, source = _driver_version(environ, probe)
    if driver is None:
        return None
    capabilities: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    override = environ.get("TETHER_CUDA_COMPUTE_CAPABILITY")
    if override:
        capabilities = tuple(c.strip() for c in override.split(",") if _CAPABILITY.match(c.strip()))
    else:
        output = probe.run(["nvidia-smi", "--query-gpu=compute_cap,name", "--format=csv,noheader"])
        capabilities, names = _parse_capabilities(output or "")
    return Accelerator(
        kind="nvidia",
        source=source,
        driver_version=driver,
        cuda_version=cuda_for_driver(driver),
        compute_capabilities=capabilities,
        gpu_names=names,
    )


def _driver_version(environ: Mapping[str, str], probe: Probe) -> tuple[str | None, str]:
    if given := environ.get("TETHER_CUDA_DRIVER_VERSION", "").strip():
        return (given if _DRIVER.fullmatch(given) else None), "TETHER_CUDA_DRIVER_VERSION"
    text = probe.read("/sys/module/nvidia/version")
    if text and (found := _DRIVER.search(text)):
        return found.group(1), "/sys/module/nvidia/version"
    text = probe.read("/proc/driver/nvidia/version")
    if text:
        line = next((ln for ln in text.splitlines() if "Kernel Module" in ln), "")
        if found := _DRIVER.search(line.split("Kernel Module", 1)[-1]):
            return found.group(1), "/proc/driver/nvidia/version"
    output = probe.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"])
    if output and (found := _DRIVER.search(output)):
        return found.group(1), "nvidia-smi"
    return None, ""


def _parse_capabilities(output: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    capabilities: list[str] = []
    names: list[str] = []
    for line in output.splitlines():
        capability, _, name = (part.strip() for part in line.partition(","))
        if _CAPABILITY.match(capability):
            capabilities.append(capability)
            if name:
                names.append(name)
    return tuple(capabilities), tuple(names)


def _rocm(probe: Probe) -> Accelerator | None:
    output = probe.run(["rocm_agent_enumerator"])
    if output is None:
        return None
    targets = tuple(
        sorted({t.strip() for t in output.split() if t.strip().startswith("gfx")} - {"gfx000"})
    )
    if not targets:
        return None
    version_text = probe.read("/opt/rocm/.info/version") or ""
    found = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", version_text)
    return Accelerator(
        kind="rocm",
        source="rocm_agent_enumerator",
        rocm_version=found.group(1) if found else None,
        gfx_targets=targets,
    )


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _run(argv: list[str], environ: Mapping[str, str]) -> str | None:
    program = shutil.which(argv[0], path=environ.get("PATH"))
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, *argv[1:]], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
