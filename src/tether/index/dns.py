"""Host names resolved once per process, whatever the number of threads asking.

A lock opens a dozen connections to the index at once. Each new connection asked the
system resolver on its own, and resolvers drop concurrent queries more often than one
would think: on the benchmark machine one lock in three waited 5 s (the resolver's retry
timeout) for an answer a thread beside it already had. So one thread per host asks, the
others wait for its answer, and the answer is kept for a few minutes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

from urllib3.util.connection import allowed_gai_family

TTL = 300.0  # seconds an answer is kept: a long-lived API user still sees changes

AddressInfo = tuple[Any, ...]  # what socket.getaddrinfo returns for one address

_answers: dict[tuple[str, int], tuple[float, list[AddressInfo]]] = {}
_pending: dict[tuple[str, int], threading.Lock] = {}
_guard = threading.Lock()


def resolve(host: str, port: int) -> list[AddressInfo]:
    """The addresses of `host` (a failure is not kept: the next call asks again)."""
    key = (host, port)
    with _guard:
        lock = _pending.setdefault(key, threading.Lock())
    with lock:  # one question per host at a time; the others read its answer
        now = time.monotonic()
        cached = _answers.get(key)
        if cached is not None and now - cached[0] < TTL:
            return cached[1]
        found = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
        _answers[key] = (now, found)
        return found


def connect(
    host: str,
    port: int,
    timeout: float | None,
    *,
    source_address: tuple[str, int] | None = None,
    socket_options: Sequence[tuple[int, int, int | bytes]] | None = None,
) -> socket.socket:
    """A connected socket to the first address of `host` that answers (as
    `socket.create_connection` does, with the resolution shared)."""
    error: OSError | None = None
    for family, kind, protocol, _, address in resolve(host.strip("[]"), port):
        sock = socket.socket(family, kind, protocol)
        try:
            for level, option, value in socket_options or ():
                sock.setsockopt(level, option, value)
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(address)
        except OSError as err:
            error = err
            sock.close()
            continue
        return sock
    raise error if error is not None else OSError(f"no address for {host}")
