"""Progress bars for long installs, on a terminal only: bytes, rate and time left for
the whole download and for each large file, the sdist being built, the linking. Drawn
with rich, which is imported at the first event: a sync with nothing to download or
build never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TextIO

# Files smaller than this share the total bar only (a bar each would flicker past).
OWN_BAR_BYTES = 4 * 1024 * 1024


class TerminalProgress:
    """An `InstallProgress` (tether.install.progress) drawn on `stream`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._bars: Any = None
        self._total: Any = None
        self._tasks: dict[str, Any] = {}
        self._received: dict[str, int] = {}
        self._phase: Any = None

    def fetching(self, files: int, total_bytes: int | None) -> None:
        if files == 0:
            return
        bars = self._start()
        with self._lock:
            self._total = bars.add_task(
                f"Downloading {files} file{'s' if files != 1 else ''}",
                total=total_bytes or None,
            )

    def download(self, filename: str, size: int | None) -> Callable[[int], None]:
        bars = self._start()
        with self._lock:
            self._received[filename] = 0
            if size is not None and size >= OWN_BAR_BYTES:
                self._tasks[filename] = bars.add_task(f"  {filename}", total=size)

        def advance(received: int) -> None:
            with self._lock:
                step = received - self._received.get(filename, 0)
                self._received[filename] = received
                task = self._tasks.get(filename)
            if task is not None:
                bars.update(task, completed=received)
            if self._total is not None:
                bars.advance(self._total, step)

        return advance

    def downloaded(self, filename: str) -> None:
        with self._lock:
            task = self._tasks.pop(filename, None)
        if task is not None and self._bars is not None:
            self._bars.remove_task(task)

    def building(self, filename: str) -> None:
        bars = self._start()
        with self._lock:
            self._tasks[f"build:{filename}"] = bars.add_task(f"Building {filename}", total=None)

    def built(self, filename: str) -> None:
        self.downloaded(f"build:{filename}")

    def installing(self, count: int) -> None:
        if self._bars is None:
            return  # nothing downloaded or built: linking is quick, no bar needed
        with self._lock:
            if self._total is not None:
                self._bars.update(self._total, visible=False)
            self._phase = self._bars.add_task(f"Installing {count} packages", total=None)

    def close(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def _start(self) -> Any:
        with self._lock:
            if self._bars is None:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    DownloadColumn,
                    Progress,
                    SpinnerColumn,
                    TextColumn,
                    TimeRemainingColumn,
                    TransferSpeedColumn,
                )

                self._bars = Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TimeRemainingColumn(),
                    console=Console(file=self._stream),
                    transient=True,
                )
                self._bars.start()
            return self._bars


def terminal_progress(stream: TextIO, *, quiet: bool) -> TerminalProgress | None:
    """Bars when `stream` is a terminal and output is not quieted; else None."""
    isatty = getattr(stream, "isatty", None)
    if quiet or not (isatty and isatty()):
        return None
    return TerminalProgress(stream)
