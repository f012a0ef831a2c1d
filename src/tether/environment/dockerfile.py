"""`tether export --format dockerfile`: a self-contained multi-stage Dockerfile.

The builder stage creates a venv and installs the exported requirements with
`pip --require-hashes --no-deps` (the lock already decided every version, so pip
resolves nothing), then the project itself when it is a package. The runtime stage is a
slim image holding only that venv and the source, running as a non-root user. The
requirements travel inside the Dockerfile as a heredoc (BuildKit, `dockerfile:1`
syntax), so the file needs nothing beside it but the project's source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence

from packaging.version import Version

from tether.accel.tables import CUDA_BASE_IMAGES
from tether.errors import PythonNotFound
from tether.project import Project
from tether.python.interpreter import describe

CANDIDATE_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
UID = 10001


def dockerfile(
    project: Project,
    header: Sequence[str],
    requirements: Sequence[str],
    environ: Mapping[str, str],
    torch_backend: str | None = None,
) -> str:
    python = _python_version(project, environ)
    cuda_image = CUDA_BASE_IMAGES.get(torch_backend or "")
    install_project = (
        [
            "COPY . /app",
            "RUN /opt/venv/bin/pip install --no-cache-dir --no-deps /app",
        ]
        if project.is_package
        else []
    )
    copy_source = [] if project.is_package else ["COPY --chown=app:app . /app"]
    lines = [
        "# syntax=docker/dockerfile:1",
        *header,
        f"ARG PYTHON_VERSION={python}",
        "",
        "FROM python:${PYTHON_VERSION}-slim AS builder",
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1",
        "RUN python -m venv /opt/venv",
        "COPY <<'REQUIREMENTS' /tmp/requirements.txt",
        *requirements,
        "REQUIREMENTS",
        "RUN /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps "
        "-r /tmp/requirements.txt",
        *install_project,
        "",
        *(_cuda_runtime(cuda_image) if cuda_image else _slim_runtime()),
        f"RUN useradd --create-home --uid {UID} app",
        "COPY --from=builder /opt/venv /opt/venv",
        *copy_source,
        "WORKDIR /app",
        'ENV PATH="/opt/venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1',
        "USER app",
        f"CMD {_command(project)}",
    ]
    return "\n".join(lines) + "\n"


def _slim_runtime() -> list[str]:
    return ["FROM python:${PYTHON_VERSION}-slim AS runtime"]


def _cuda_runtime(image: str) -> list[str]:
    """NVIDIA's CUDA runtime image for the chosen backend, with the builder's Python
    copied in at the same path (the venv's interpreter links point there) and the few
    shared libraries its standard library loads."""
    ssl = "libssl3t64" if "ubuntu24" in image else "libssl3"
    return [
        "FROM python:${PYTHON_VERSION}-slim AS python",
        "",
        f"FROM {image} AS runtime",
        "RUN apt-get update \\",
        "    && apt-get install -y --no-install-recommends ca-certificates libffi8 "
        f"libsqlite3-0 libbz2-1.0 liblzma5 zlib1g {ssl} \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "COPY --from=python /usr/local /usr/local",
        "RUN ldconfig",
        "ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility",
    ]


def _python_version(project: Project, environ: Mapping[str, str]) -> str:
    """The environment's Python when there is one, else the oldest that
    requires-python admits (what the lock was made to support)."""
    python = project.environment(environ) / "bin" / "python"
    if python.exists():
        try:
            found = describe(python)
        except PythonNotFound:  # a broken venv just means "no preference"
            found = None
        if found is not None:
            return f"{found.version.major}.{found.version.minor}"
    for candidate in CANDIDATE_PYTHONS:
        if project.requires_python.contains(Version(f"{candidate}.99"), prereleases=True):
            return candidate
    return CANDIDATE_PYTHONS[-1]


def _command(project: Project) -> str:
    """The project's first console script, else an interpreter."""
    try:
        data = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    scripts = data.get("project", {}).get("scripts", {})
    if isinstance(scripts, dict) and scripts:
        return f'["{sorted(scripts)[0]}"]'
    return '["python"]'
