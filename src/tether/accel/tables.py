"""The published facts accelerator selection rests on, kept as data in one place so that
updating them for a new CUDA or PyTorch release is a one-line change.

CUDA_MINIMUM_DRIVER: NVIDIA's "CUDA Toolkit and Corresponding Driver Versions" table
(CUDA Toolkit release notes, Table 3, Linux x86_64, the GA release of each toolkit). A
driver runs every CUDA runtime whose minimum it meets; the newest such is what it
supports. Minor-version compatibility (a 12.x runtime on any >= 525 driver) is not
assumed: PTX JIT and some libraries need the full driver, and a wrong guess fails at the
first kernel launch, not at install time.

BACKEND_ARCHITECTURES: the GPU architectures (compute capabilities) PyTorch's release
wheels for each backend carry kernels for (`TORCH_CUDA_ARCH_LIST` of PyTorch's manywheel
builds; `torch.cuda.get_arch_list()` of an installed build, e.g. 2.11.0+cu130 on an
H100 reports sm_75 sm_80 sm_86 sm_90 sm_100 sm_120). A cubin built for sm_XY runs on
GPUs of the same major version with minor >= Y (sm_80 kernels run on an 8.6 or 8.9 GPU);
the release wheels ship no PTX to JIT for newer majors, which is why a Blackwell GPU
(12.0) cannot use cu126 builds and a Maxwell (5.x) cannot use cu128 ones.

CUDA_BASE_IMAGES: NVIDIA's `nvidia/cuda` runtime images, one per backend, for Dockerfile
export (the wheels bring their own CUDA libraries; the image brings the matching user-mode
stack and the labels the NVIDIA container toolkit reads).
"""

from __future__ import annotations

CUDA_MINIMUM_DRIVER: dict[str, str] = {
    "13.0": "580.65.06",
    "12.9": "575.51.03",
    "12.8": "570.26",
    "12.6": "560.28.03",
    "12.5": "555.42.02",
    "12.4": "550.54.14",
    "12.3": "545.23.06",
    "12.2": "535.54.03",
    "12.1": "530.30.02",
    "12.0": "525.60.13",
    "11.8": "520.61.05",
    "11.7": "515.43.04",
    "11.6": "510.39.01",
    "11.5": "495.29.05",
    "11.4": "470.42.01",
    "11.3": "465.19.01",
    "11.2": "460.27.03",
    "11.1": "455.23",
    "11.0": "450.36.06",
}

_VOLTA_TO_HOPPER = ("5.0", "6.0", "7.0", "7.5", "8.0", "8.6", "9.0")
_TURING_TO_BLACKWELL = ("7.5", "8.0", "8.6", "9.0", "10.0", "12.0")

BACKEND_ARCHITECTURES: dict[str, tuple[str, ...]] = {
    "cu118": _VOLTA_TO_HOPPER,
    "cu121": _VOLTA_TO_HOPPER,
    "cu124": _VOLTA_TO_HOPPER,
    "cu126": _VOLTA_TO_HOPPER,
    "cu128": _TURING_TO_BLACKWELL,
    "cu129": _TURING_TO_BLACKWELL,
    "cu130": ("7.5", "8.0", "8.6", "9.0", "10.0", "11.0", "12.0"),
}

CUDA_BASE_IMAGES: dict[str, str] = {
    "cu118": "nvidia/cuda:11.8.0-runtime-ubuntu22.04",
    "cu121": "nvidia/cuda:12.1.1-runtime-ubuntu22.04",
    "cu124": "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
    "cu126": "nvidia/cuda:12.6.3-runtime-ubuntu24.04",
    "cu128": "nvidia/cuda:12.8.1-runtime-ubuntu24.04",
    "cu129": "nvidia/cuda:12.9.1-runtime-ubuntu24.04",
    "cu130": "nvidia/cuda:13.0.1-runtime-ubuntu24.04",
}
