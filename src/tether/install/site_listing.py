"""A fingerprint of what an environment holds: the names of its `*.dist-info`
directories (distribution and version), hashed. `tether sync` records it; the no-op
fast path (tether.cli.fastrun) compares it after a single directory listing."""

# os.path, not pathlib: the fast path imports this, and pathlib costs milliseconds there.
# ruff: noqa: PTH118, PTH208

from __future__ import annotations

import hashlib
import os


def site_listing(environment: str) -> tuple[str | None, int]:
    """sha256 of the sorted `*.dist-info` names in the environment's site-packages."""
    lib = os.path.join(environment, "lib")
    try:
        pythons = [d for d in os.listdir(lib) if d.startswith("python")]
        if len(pythons) != 1:
            return None, 0
        names = sorted(
            n for n in os.listdir(os.path.join(lib, pythons[0], "site-packages"))
            if n.endswith(".dist-info")
        )  # fmt: skip
    except OSError:
        return None, 0
    return hashlib.sha256("\n".join(names).encode()).hexdigest(), len(names)
