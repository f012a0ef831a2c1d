"""What an install reports while it works, for a terminal to draw (tether.cli.progress):
files and bytes as they download, the sdists being built, the linking. Installing code
calls these; it never draws anything itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class InstallProgress(Protocol):
    def fetching(self, files: int, total_bytes: int | None) -> None:
        """The downloads about to start: how many, and their size when the lock knows."""

    def download(self, filename: str, size: int | None) -> Callable[[int], None]:
        """A download starts; the callable takes the bytes received so far."""

    def downloaded(self, filename: str) -> None: ...

    def building(self, filename: str) -> None:
        """An sdist is being built into a wheel (PEP 517)."""

    def built(self, filename: str) -> None: ...

    def installing(self, count: int) -> None:
        """Linking `count` distributions into the environment."""

    def close(self) -> None: ...
