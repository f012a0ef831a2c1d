"""Whether to ask a host for `.metadata` files that its pages do not list.

Some mirrors serve PEP 658 metadata without listing it, so for an index that lists none
tether asks for `<wheel>.metadata` beside the range request for the archive's tail. Each
ask is a request, and the tail usually holds METADATA already (wheel builders write
`.dist-info/` last), so asking pays only on a host that nearly always has the file. A
host is asked a few times; after that only while most asks were answered. (This
workplace's PyPI proxy answered 418 of 963 asks in one large lock: the 545 misses and
the hits whose tail held METADATA anyway were about 850 wasted requests.)
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

# Asks before a host is judged by its answers. A few, not one: a mirror may fill its
# .metadata files lazily (the first asks for new releases can miss).
TRIAL = 8
# The share of answered asks that keeps a host asked.
KEEP_ASKING = 0.9


class UnlistedMetadata:
    """Per host: asks made and asks answered. Thread-safe."""

    def __init__(self) -> None:
        self._asked: dict[str, int] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()

    def worth_asking(self, url: str) -> bool:
        host = _host(url)
        asked = self._asked.get(host, 0)
        return asked < TRIAL or self._served.get(host, 0) >= KEEP_ASKING * asked

    def answered(self, url: str, *, served: bool) -> None:
        host = _host(url)
        with self._lock:
            self._asked[host] = self._asked.get(host, 0) + 1
            if served:
                self._served[host] = self._served.get(host, 0) + 1


def _host(url: str) -> str:
    return urlsplit(url).netloc.rpartition("@")[2]  # without any user:password
