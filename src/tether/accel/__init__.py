"""Accelerator detection and PyTorch backend choice (DESIGN.md §2, L3): what GPU this
machine has (`detect`), and which of the project's declared torch backends it should get
(`choose_backend`, pure)."""

from tether.accel.choose import Choice, choose_backend, cuda_version, supports_architecture
from tether.accel.detect import Accelerator, Probe, cuda_for_driver, detect

__all__ = [
    "Accelerator",
    "Choice",
    "Probe",
    "choose_backend",
    "cuda_for_driver",
    "cuda_version",
    "detect",
    "supports_architecture",
]
