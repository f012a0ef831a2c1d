"""Choosing a torch backend: the newest CUDA the driver runs, among builds with kernels
for the GPU; CPU (with the reason) when none fits."""

from __future__ import annotations

from tether.accel import Accelerator, choose_backend, cuda_for_driver, supports_architecture

DECLARED = ("cpu", "cu118", "cu126", "cu128")


def nvidia(driver: str, *capabilities: str) -> Accelerator:
    return Accelerator(
        kind="nvidia",
        source="test",
        driver_version=driver,
        cuda_version=cuda_for_driver(driver),
        compute_capabilities=capabilities,
    )


def test_newest_cuda_the_driver_runs() -> None:
    assert choose_backend(nvidia("580.159.04", "9.0"), DECLARED).backend == "cu128"
    assert choose_backend(nvidia("560.35.03", "8.6"), DECLARED).backend == "cu126"
    assert choose_backend(nvidia("535.104.05", "7.0"), DECLARED).backend == "cu118"


def test_architecture_rules_out_builds_without_kernels() -> None:
    # A Blackwell workstation GPU (12.0) has no kernels in cu126 builds.
    assert choose_backend(nvidia("575.51.03", "12.0"), ("cpu", "cu126")).backend == "cpu"
    assert choose_backend(nvidia("575.51.03", "12.0"), DECLARED).backend == "cu128"
    # A Maxwell GPU (5.2) runs cu126 builds (sm_50 kernels) but not cu128 ones.
    choice = choose_backend(nvidia("580.65.06", "5.2"), DECLARED)
    assert choice.backend == "cu126"
    # Every GPU of the machine must be covered.
    assert choose_backend(nvidia("580.65.06", "9.0", "6.1"), ("cpu", "cu128")).backend == "cpu"
    assert supports_architecture("cu126", "8.9")  # sm_86 kernels run on 8.9
    assert not supports_architecture("cu128", "6.1")
    assert supports_architecture("cu999", "3.0")  # not in the table: assumed


def test_falls_back_to_cpu_and_says_why() -> None:
    choice = choose_backend(nvidia("470.82.01", "8.0"), ("cpu", "cu126"))
    assert (choice.backend, choice.fallback) == ("cpu", True)
    assert choice.reason == "cu126 needs driver >= 560.28.03 (this one is 470.82.01)"
    no_cpu = choose_backend(nvidia("470.82.01", "8.0"), ("cu126",))
    assert no_cpu.backend is None


def test_no_gpu_mps_and_rocm() -> None:
    none = Accelerator(kind="none", source="test")
    assert choose_backend(none, DECLARED).backend == "cpu"
    assert choose_backend(none, ("cu126",)).backend is None
    assert choose_backend(Accelerator(kind="mps", source="t"), DECLARED).backend == "cpu"
    rocm = Accelerator(kind="rocm", source="t", rocm_version="6.2.4", gfx_targets=("gfx90a",))
    assert choose_backend(rocm, ("cpu", "rocm6.1", "rocm6.2", "rocm6.3")).backend == "rocm6.2"
    assert choose_backend(rocm, ("cpu", "cu126")).backend == "cpu"
