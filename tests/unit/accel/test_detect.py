"""Accelerator detection on recorded outputs: the H100 the device machine has, an older
proprietary driver, two GPUs, ROCm, Apple Silicon, nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.accel import Probe, cuda_for_driver, detect

DATA = Path(__file__).parent / "data"


def probe(
    files: dict[str, str] | None = None,
    commands: dict[str, str] | None = None,
    *,
    system: str = "linux",
    machine: str = "x86_64",
) -> Probe:
    """A machine made of recorded files: `files` maps a path to a file in data/,
    `commands` maps a command's first two words to one."""
    files = files or {}
    commands = commands or {}
    ran: list[list[str]] = []

    def read(path: str) -> str | None:
        return (DATA / files[path]).read_text() if path in files else None

    def run(argv: list[str]) -> str | None:
        ran.append(argv)
        key = " ".join(argv[:2])
        return (DATA / commands[key]).read_text() if key in commands else None

    return Probe(read=read, run=run, system=system, machine=machine)


H100_SMI = {
    "nvidia-smi --query-gpu=compute_cap,name": "h100_compute_cap.csv",
    "nvidia-smi --query-gpu=driver_version": "h100_driver_version.csv",
}


def test_h100_from_the_kernel_module_file() -> None:
    found = detect(
        {}, probe({"/sys/module/nvidia/version": "h100_sys_module_nvidia_version"}, H100_SMI)
    )
    assert found.kind == "nvidia"
    assert found.source == "/sys/module/nvidia/version"
    assert found.driver_version == "580.159.04"
    assert found.cuda_version == "13.0"
    assert found.compute_capabilities == ("9.0",)
    assert found.gpu_names == ("NVIDIA H100 80GB HBM3",)
    assert found.describe() == (
        "NVIDIA driver 580.159.04; CUDA <= 13.0; NVIDIA H100 80GB HBM3; compute capability 9.0 "
        "(from /sys/module/nvidia/version)"
    )


def test_proc_file_open_and_proprietary_formats() -> None:
    h100 = detect({}, probe({"/proc/driver/nvidia/version": "h100_proc_driver_nvidia_version"}))
    assert (h100.driver_version, h100.source) == ("580.159.04", "/proc/driver/nvidia/version")
    assert h100.compute_capabilities == ()  # no nvidia-smi: unknown, not guessed
    v100 = detect(
        {},
        probe(
            {"/proc/driver/nvidia/version": "v100_proc_driver_nvidia_version"},
            {"nvidia-smi --query-gpu=compute_cap,name": "v100_compute_cap.csv"},
        ),
    )
    assert (v100.driver_version, v100.cuda_version) == ("535.104.05", "12.2")
    assert v100.compute_capabilities == ("7.0", "7.0")


def test_nvidia_smi_is_the_last_resort() -> None:
    found = detect({}, probe({}, H100_SMI))
    assert (found.kind, found.source, found.driver_version) == (
        "nvidia",
        "nvidia-smi",
        "580.159.04",
    )


def test_environment_overrides_come_first() -> None:
    machine = probe({"/sys/module/nvidia/version": "h100_sys_module_nvidia_version"}, H100_SMI)
    found = detect(
        {"TETHER_CUDA_DRIVER_VERSION": "470.82.01", "TETHER_CUDA_COMPUTE_CAPABILITY": "8.6"},
        machine,
    )
    assert (found.driver_version, found.cuda_version) == ("470.82.01", "11.4")
    assert found.compute_capabilities == ("8.6",)
    none = detect({"TETHER_CUDA_DRIVER_VERSION": "none"}, machine)
    assert none.kind == "none"


def test_rocm_only_when_asked() -> None:
    machine = probe(
        {"/opt/rocm/.info/version": "mi250_rocm_info_version"},
        {"rocm_agent_enumerator": "mi250_rocm_agent_enumerator.txt"},
    )
    assert detect({}, machine).kind == "none"
    found = detect({}, machine, rocm=True)
    assert (found.kind, found.rocm_version, found.gfx_targets) == ("rocm", "6.2.4", ("gfx90a",))


def test_apple_silicon_and_nothing() -> None:
    assert detect({}, probe(system="darwin", machine="arm64")).kind == "mps"
    nothing = detect({}, probe())
    assert nothing.kind == "none"
    assert "nvidia-smi" in nothing.describe()


@pytest.mark.parametrize(
    ("driver", "cuda"),
    [
        ("580.65.06", "13.0"),
        ("575.57.08", "12.9"),
        ("570.124.06", "12.8"),
        ("560.35.03", "12.6"),
        ("550.54.15", "12.4"),
        ("525.60.13", "12.0"),
        ("520.61.05", "11.8"),
        ("418.87", None),
    ],
)
def test_driver_to_cuda_table(driver: str, cuda: str | None) -> None:
    assert cuda_for_driver(driver) == cuda
