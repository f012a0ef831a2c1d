"""A real pypiserver (from PyPI) on 127.0.0.1 with authentication on uploads: what
`tether publish` is tested against, as twine users test against it."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PypiServer:
    url: str  # the upload URL (the server's root)
    packages: Path

    @property
    def simple(self) -> str:
        return self.url + "simple"


@contextmanager
def pypiserver(root: Path, users: dict[str, str]) -> Iterator[PypiServer]:
    packages = root / "packages"
    packages.mkdir(parents=True)
    # Apache's {SHA} scheme, which pypiserver's passlib reads (a test password only).
    (root / "htpasswd").write_text(
        "".join(
            f"{user}:{{SHA}}{base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()}\n"  # noqa: S324
            for user, password in users.items()
        )
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port),
         "-P", str(root / "htpasswd"), "-a", "update", "--server", "wsgiref", str(packages)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "simple/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("pypiserver did not start") from None
                time.sleep(0.1)
        yield PypiServer(url=url, packages=packages)
    finally:
        process.terminate()
        process.wait(timeout=10)
