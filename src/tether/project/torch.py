"""`torch-backends`: one line that stands for what users otherwise spell out by hand:
an explicit index per PyTorch backend (`<torch-index-url>/<backend>`), the PyTorch
packages pinned to it under an extra named after the backend, and those extras declared
mutually exclusive. The lock then holds every backend's builds side by side, each under
its `'<backend>' in extras` marker, and sync picks one per machine.

The extras are variant selectors, not features: they carry no requirements of their
own, exactly one of them is on in every install, and `--all-extras` leaves them out.
"""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name

from tether.index.config import Index
from tether.project.fields import expect_str, expect_str_list
from tether.project.settings import ConflictItem, Settings, Source
from tether.project.toml_source import TomlDocument
from tether.urls import redact_url

DEFAULT_TORCH_INDEX_URL = "https://download.pytorch.org/whl"
# What the PyTorch indexes build per backend. Their other packages (nvidia-*, filelock,
# numpy, ...) come from the default index, as they are the same builds there.
TORCH_PACKAGES = tuple(
    canonicalize_name(n)
    for n in (
        "torch",
        "torchvision",
        "torchaudio",
        "triton",
        "pytorch-triton",
        "pytorch-triton-rocm",
        "pytorch-triton-xpu",
    )
)
_BACKEND = re.compile(r"^(cpu|cu\d{2,3}|rocm\d+(\.\d+){0,2}|xpu)$")


def parse_torch(doc: TomlDocument, data: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """`torch-backends` and `torch-index-url`, validated."""
    where = "tool.tether.torch-backends"
    backends = expect_str_list(doc, data.get("torch-backends", []), where)
    for backend in backends:
        if not _BACKEND.match(backend):
            raise doc.error(
                f'unknown torch backend "{backend}" in `{where}`',
                at=doc.locate_string(backend),
                hint='backends are named as PyTorch\'s indexes: "cpu", "cu126", "cu128", '
                '"rocm6.3", "xpu"',
            )
    if len(set(backends)) != len(backends):
        raise doc.error(f"`{where}` lists a backend twice", at=doc.locate_key("torch-backends"))
    url = expect_str(
        doc, data.get("torch-index-url", DEFAULT_TORCH_INDEX_URL), "tool.tether.torch-index-url"
    ).rstrip("/")
    if not url.startswith(("https://", "http://", "file://")):
        raise doc.error(
            f'`tool.tether.torch-index-url` "{redact_url(url)}" is not an http(s) or file URL',
            at=doc.locate_key("torch-index-url"),
        )
    return backends, url


def expand(
    doc: TomlDocument,
    settings: Settings,
    extras: dict[NormalizedName, tuple[Any, ...]],
    table: object,
) -> Settings:
    """`settings` with the indexes, sources and conflict that `[tool.tether]` `table`'s
    `torch-backends` stands for; `extras` gains one empty extra per backend."""
    data = table if isinstance(table, dict) else {}
    backends, index_url = parse_torch(doc, data)
    if not backends:
        return settings
    for backend in backends:
        name = canonicalize_name(backend)
        if name in extras:
            raise doc.error(
                f'the project defines an extra "{backend}", which `torch-backends` uses as '
                "the selector of that backend",
                at=doc.locate_key("torch-backends"),
                hint="rename the extra, or drop the hand-written variant setup and keep "
                "torch in [project].dependencies",
            )
        extras[name] = ()
    managed = [n for n in TORCH_PACKAGES if n in settings.sources]
    if managed:
        raise doc.error(
            f"[tool.tether.sources] sets a source for {managed[0]}, which `torch-backends` "
            "pins to the backend's index itself",
            at=doc.locate_key("torch-backends"),
            hint="remove that source (mirrors go in `torch-index-url`)",
        )
    own = {index.name for index in settings.indexes}
    indexes = list(settings.indexes)
    for backend in backends:
        if f"pytorch-{backend}" not in own:
            url = f"{index_url}/{backend}"
            indexes.append(Index(name=f"pytorch-{backend}", url=url, explicit=True))
    sources = dict(settings.sources)
    for package in TORCH_PACKAGES:
        sources[package] = tuple(
            Source(index=f"pytorch-{b}", extra=canonicalize_name(b)) for b in backends
        )
    selector = tuple(ConflictItem(extra=canonicalize_name(b)) for b in backends)
    conflicts = settings.conflicts if len(backends) < 2 else (*settings.conflicts, selector)
    return replace(
        settings,
        indexes=tuple(indexes),
        sources=MappingProxyType(sources),
        conflicts=conflicts,
        torch_backends=backends,
        torch_index_url=index_url,
    )
