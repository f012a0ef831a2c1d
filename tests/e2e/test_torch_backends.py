"""`torch-backends`: one lock holds the cpu, cu126 and cu128 builds of torch, from a test
index laid out like PyTorch's (`<base>/<backend>/torch/`, local version labels), and
sync installs the build the (simulated) driver runs, switching only torch and friends."""

from __future__ import annotations

import json
import os
import stat
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from tests.e2e.test_sync import python, versions
from tests.support.cli import RunResult, run_tether
from tests.support.dists import Dist
from tests.support.index_server import IndexServer

DEFAULT = [
    Dist("numpy", "2.1.0"),
    Dist("torch", "2.9.0", requires=["numpy"]),  # PyPI's own torch: must never be picked
    Dist("nvidia-cuda-runtime-cu12", "12.6.77"),
    Dist("nvidia-cuda-runtime-cu12", "12.8.90"),
    Dist("pillow", "11.0.0"),
]
BACKENDS = {
    "cpu": [
        Dist("torch", "2.5.1+cpu", requires=["numpy"]),
        Dist("torchvision", "0.20.1+cpu", requires=["torch==2.5.1", "pillow"]),
    ],
    "cu126": [
        Dist(
            "torch",
            "2.5.1+cu126",
            requires=["numpy", "nvidia-cuda-runtime-cu12==12.6.77; platform_system == 'Linux'"],
        ),
        Dist("torchvision", "0.20.1+cu126", requires=["torch==2.5.1", "pillow"]),
    ],
    "cu128": [
        Dist(
            "torch",
            "2.7.0+cu128",
            requires=["numpy", "nvidia-cuda-runtime-cu12==12.8.90; platform_system == 'Linux'"],
        ),
        Dist("torchvision", "0.22.0+cu128", requires=["torch==2.7.0", "pillow"]),
    ],
}
NO_GPU = {"TETHER_CUDA_DRIVER_VERSION": "none"}


@pytest.fixture(scope="module")
def index() -> IndexServer:
    server = IndexServer(DEFAULT)
    for backend, dists in BACKENDS.items():
        server.add(*dists, at=f"/whl/{backend}")
    with server:
        yield server  # type: ignore[misc]


def trainer(root: Path, index: IndexServer, backends: str = '["cpu", "cu126", "cu128"]') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "trainer"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["torch>=2.5", "torchvision", "numpy"]

            [tool.tether]
            torch-backends = {backends}
            torch-index-url = "{index.url}/whl"
            """
        )
    )
    return root


def tether(root: Path, index: IndexServer, *args: str, env: dict[str, str]) -> RunResult:
    return run_tether(
        *args, "--index-url", index.index_url,
        cwd=root, env={"TETHER_CACHE_DIR": str(root.parent / "cache"), **env},
    )  # fmt: skip


def test_one_lock_holds_every_backend(tmp_path: Path, index: IndexServer) -> None:
    root = trainer(tmp_path / "trainer", index)
    result = tether(root, index, "lock", env=NO_GPU)
    assert result.exit_code == 0, result.stderr
    data = tomllib.loads((root / "pylock.toml").read_text())
    Pylock.from_dict(data)  # a valid PEP 751 lock
    assert data["extras"] == ["cpu", "cu126", "cu128"]
    found = {(p["name"], p["version"]): p.get("marker") for p in data["packages"]}
    # Exactly one backend is ever on: naming the one is the whole marker.
    assert found[("torch", "2.5.1+cpu")] == '"cpu" in extras'
    assert ("torch", "2.5.1+cu126") in found
    assert ("torch", "2.7.0+cu128") in found
    assert ("torch", "2.9.0") not in found
    assert found[("numpy", "2.1.0")] is None  # every backend needs it: no marker
    assert found[("pillow", "11.0.0")] is None
    urls = {p["version"]: p["wheels"][0]["url"] for p in data["packages"] if p["name"] == "torch"}
    assert urls["2.5.1+cu126"].startswith(index.url + "/files/torch-2.5.1%2Bcu126")
    assert "/whl/cu126" in next(
        p["index"] for p in data["packages"] if p["version"] == "2.5.1+cu126"
    )


def test_sync_picks_the_build_the_driver_runs(tmp_path: Path, index: IndexServer) -> None:
    root = trainer(tmp_path / "trainer", index)
    cuda126 = {"TETHER_CUDA_DRIVER_VERSION": "560.35.03", "TETHER_CUDA_COMPUTE_CAPABILITY": "8.6"}
    first = tether(root, index, "sync", env=cuda126)
    assert first.exit_code == 0, first.stderr
    assert "torch backend: cu126 (the driver supports CUDA <= 12.6)" in first.stderr
    installed = versions(root)
    assert installed["torch"] == "2.5.1+cu126"
    assert installed["torchvision"] == "0.20.1+cu126"
    assert installed["nvidia_cuda_runtime_cu12"] == "12.6.77"

    # A newer driver: only torch and friends move.
    cuda128 = {"TETHER_CUDA_DRIVER_VERSION": "570.124.06", "TETHER_CUDA_COMPUTE_CAPABILITY": "9.0"}
    switched = tether(root, index, "sync", env=cuda128)
    assert switched.exit_code == 0, switched.stderr
    assert " ~ torch 2.5.1+cu126 -> 2.7.0+cu128" in switched.stderr
    assert " ~ torchvision 0.20.1+cu126 -> 0.22.0+cu128" in switched.stderr
    assert "numpy" not in switched.stderr
    assert "pillow" not in switched.stderr

    # `run` keeps what the last sync chose, without detecting again...
    ran = tether(root, index, "run", "python", "-c", "import torch; print(torch.__version__)",
                 env={})  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.strip() == "2.7.0+cu128"
    assert ran.stderr == ""
    # ...unless told otherwise.
    forced = tether(root, index, "run", "python", "-c", "import torch; print(torch.__version__)",
                    env={"TETHER_TORCH_BACKEND": "cpu"})  # fmt: skip
    assert forced.stdout.strip() == "2.5.1+cpu"


def test_no_gpu_or_an_old_driver_gets_cpu(tmp_path: Path, index: IndexServer) -> None:
    root = trainer(tmp_path / "trainer", index)
    plain = tether(root, index, "sync", env=NO_GPU)
    assert plain.exit_code == 0, plain.stderr
    assert "torch backend: cpu (no GPU)" in plain.stderr
    assert versions(root)["torch"] == "2.5.1+cpu"
    assert python(root, "import torch; print(torch.__version__)") == "2.5.1+cpu"

    old = tether(root, index, "sync", env={"TETHER_CUDA_DRIVER_VERSION": "470.82.01"})
    assert old.exit_code == 0, old.stderr
    assert "warning: torch backend: cpu, not a GPU build (cu126 needs driver >= 560.28.03" in (
        old.stderr
    )

    forced = tether(root, index, "sync", "--torch-backend", "cu126", env=NO_GPU)
    assert forced.exit_code == 0, forced.stderr
    assert versions(root)["torch"] == "2.5.1+cu126"
    unknown = tether(root, index, "sync", "--torch-backend", "cu999", env=NO_GPU)
    assert unknown.exit_code == 2
    assert "does not declare" in unknown.stderr


@pytest.mark.skipif(
    Path("/sys/module/nvidia/version").exists() or Path("/proc/driver/nvidia/version").exists(),
    reason="a real NVIDIA driver is loaded: it is read before nvidia-smi",
)
def test_a_fake_nvidia_smi_on_path(tmp_path: Path, index: IndexServer) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  --query-gpu=driver_version) echo "575.57.08" ;;\n'
        '  --query-gpu=compute_cap,name) echo "12.0, NVIDIA GeForce RTX 5090" ;;\n'
        "  *) exit 1 ;;\n"
        "esac\n"
    )
    smi.chmod(smi.stat().st_mode | stat.S_IXUSR)
    root = trainer(tmp_path / "trainer", index, '["cpu", "cu126"]')
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    # Blackwell (12.0): the driver runs CUDA 12.9, but cu126 builds carry no sm_120 kernels.
    result = tether(root, index, "sync", env={"PATH": path})
    assert result.exit_code == 0, result.stderr
    assert "cu126 builds have no kernels for compute capability 12.0" in result.stderr
    assert versions(root)["torch"] == "2.5.1+cpu"
    info = run_tether(
        "env", "info", cwd=root, env={"PATH": path, "TETHER_CACHE_DIR": str(tmp_path / "cache")}
    )
    assert (
        "Accelerator:         NVIDIA driver 575.57.08; CUDA <= 12.9; NVIDIA GeForce RTX 5090"
        in (info.stdout)
    )
    assert "Torch installed:     cpu" in info.stdout


def test_export_takes_a_backend(tmp_path: Path, index: IndexServer) -> None:
    root = trainer(tmp_path / "trainer", index)
    requirements = tether(root, index, "export", "--no-hashes", "--torch-backend", "cu126",
                          env=NO_GPU)  # fmt: skip
    assert requirements.exit_code == 0, requirements.stderr
    assert "torch==2.5.1+cu126\n" in requirements.stdout
    assert "+cpu" not in requirements.stdout
    assert "# torch backend: cu126 (chosen with --torch-backend)" in requirements.stdout
    docker = tether(root, index, "export", "--format", "dockerfile", "--torch-backend", "cu128",
                    env=NO_GPU)  # fmt: skip
    assert docker.exit_code == 0, docker.stderr
    assert "FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04 AS runtime" in docker.stdout
    assert "COPY --from=python /usr/local /usr/local" in docker.stdout
    assert "torch==2.7.0+cu128" in docker.stdout
    cpu = tether(root, index, "export", "--format", "dockerfile", env=NO_GPU)
    assert "FROM python:${PYTHON_VERSION}-slim AS runtime" in cpu.stdout
    assert "torch==2.5.1+cpu" in cpu.stdout
    assert "nvidia/cuda" not in cpu.stdout


def test_bad_configuration_is_pointed_at(tmp_path: Path, index: IndexServer) -> None:
    root = trainer(tmp_path / "trainer", index, '["cpu", "cuda12"]')
    result = tether(root, index, "lock", env=NO_GPU)
    assert result.exit_code == 1
    assert 'unknown torch backend "cuda12" in `tool.tether.torch-backends`' in result.stderr
    assert "pyproject.toml:" in result.stderr

    pyproject = root / "pyproject.toml"
    text = trainer(root, index).joinpath("pyproject.toml").read_text()
    pyproject.write_text(text + '\n[project.optional-dependencies]\ncpu = ["numpy"]\n')
    clash = tether(root, index, "lock", env=NO_GPU)
    assert clash.exit_code == 1
    assert 'the project defines an extra "cpu", which `torch-backends` uses' in clash.stderr
    pyproject.write_text(
        text + '\n[[tool.tether.index]]\nname = "mirror"\nurl = "https://mirror.example/simple"\n'
        '\n[tool.tether.sources]\ntorch = { index = "mirror" }\n'
    )
    pinned = tether(root, index, "lock", env=NO_GPU)
    assert pinned.exit_code == 1
    assert "[tool.tether.sources] sets a source for torch" in pinned.stderr
    assert not (root / "pylock.toml").exists()


@pytest.mark.skipif(
    not Path("/sys/module/nvidia/version").exists(),
    reason="needs a real NVIDIA driver (runs on the GPU machine)",
)
def test_real_gpu_detection_picks_a_cuda_build(tmp_path: Path, index: IndexServer) -> None:
    """On a machine with an NVIDIA GPU and a driver for CUDA >= 12.8 (the H100 test
    machine: 580.159.04, compute capability 9.0), auto-detection picks cu128."""
    root = trainer(tmp_path / "trainer", index)
    result = tether(root, index, "sync", env={})
    assert result.exit_code == 0, result.stderr
    assert "torch backend: cu128 (the driver supports CUDA <= " in result.stderr
    assert versions(root)["torch"] == "2.7.0+cu128"
    info = run_tether(
        "env", "info", "--json", cwd=root, env={"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    )
    data = json.loads(info.stdout)
    assert data["accelerator"]["kind"] == "nvidia"
    assert data["accelerator"]["source"] == "/sys/module/nvidia/version"
    assert data["accelerator"]["compute-capabilities"]
    assert data["torch-backend"]["selected"] == "cu128"
    assert data["torch-backend"]["installed"] == "cu128"
