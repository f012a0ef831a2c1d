"""Start-up stays lean: help and version import no resolver, HTTP client or rich."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("tether.project", "tether.resolve", "tether.index", "packaging", "tomlkit", "rich",
         "httpx", "urllib3", "http.client", "urllib.request", "email")  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["init", "--help"],
        ["index", "versions", "--help"],
        ["lock", "--help"],
    ],
)
def test_no_heavy_imports(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tether", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = set(re.findall(r"\|\s+([\w.]+)$", result.stderr, re.M))
    assert "tether.cli.main" in imported
    heavy = sorted(m for m in imported if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
