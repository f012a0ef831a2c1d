"""A real devpi-server, as teams run it: installed from PyPI into a tool environment the
tests create, started on 127.0.0.1 with a fresh state directory, with a `root/pypi`
mirror of PyPI and a `team/dev` index inheriting from it, owned by a user with a
password (set up through devpi's own REST API, as devpi-client does it)."""

from __future__ import annotations

import base64
import json
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

# Pinned, so the suite tests the same server on every run.
DEVPI_SERVER = "devpi-server==6.20.3"
USER = "team"
PASSWORD = "team-password-for-tests"
ROOT_PASSWORD = "root-password-for-tests"


@dataclass(frozen=True, slots=True)
class Devpi:
    url: str  # the server's root, ending in "/"
    log: Path  # the server's own log (one line per request)

    @property
    def mirror(self) -> str:
        """root/pypi's simple index: PyPI, through the server."""
        return self.url + "root/pypi/+simple/"

    @property
    def team(self) -> str:
        """team/dev's simple index: the team's packages, then root/pypi's."""
        return self.url + "team/dev/+simple/"

    @property
    def upload(self) -> str:
        return self.url + "team/dev/"

    def served(self) -> list[str]:
        """The paths of the requests the server logged."""
        return [
            line.split()[-1]
            for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if " GET " in line or " POST " in line
        ]


def install_devpi(venv: Path) -> Path:
    """devpi-server from PyPI in its own virtual environment; its `bin` directory."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", DEVPI_SERVER],
        check=True, timeout=600,
    )  # fmt: skip
    return venv / "bin"


@contextmanager
def devpi_server(bin_dir: Path, state: Path) -> Iterator[Devpi]:
    subprocess.run(
        [str(bin_dir / "devpi-init"), "--serverdir", str(state), "--root-passwd", ROOT_PASSWORD],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = state.parent / "devpi-server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(bin_dir / "devpi-server"), "--serverdir", str(state), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(url + "+api", process)
        root = _login(url, "root", ROOT_PASSWORD)
        _call(url + USER, "PUT", {"password": PASSWORD, "email": "t@example.com"}, root)
        team = _login(url, USER, PASSWORD)
        _call(url + f"{USER}/dev", "PUT", {"bases": ["root/pypi"], "volatile": True}, team)
        _wait_for_mirror(url + "root/pypi/+simple/idna/")
        yield Devpi(url=url, log=log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("devpi-server did not start") from None
            time.sleep(0.2)


def _wait_for_mirror(page: str) -> None:
    """A fresh server answers 404 for PyPI's projects until it has fetched PyPI's list
    of names: wait until a known project's page lists files."""
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(page, timeout=30) as response:
                if b".whl" in response.read():
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("devpi-server's mirror of PyPI did not come up")
        time.sleep(1)


def _login(url: str, user: str, password: str) -> str:
    answer = _call(url + "+login", "POST", {"user": user, "password": password})
    token = answer["result"]["password"]
    return base64.b64encode(f"{user}:{token}".encode()).decode()


def _call(url: str, method: str, data: object, auth: str | None = None) -> dict[str, object]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    if auth is not None:
        request.add_header("X-Devpi-Auth", auth)
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return json.loads(body) if body else {}  # type: ignore[no-any-return]
