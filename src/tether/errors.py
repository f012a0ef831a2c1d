"""The errors tether raises on purpose.

Every failure a user can cause or fix is a `TetherError`: a message that says what
happened and where, and a hint that says what to do. They are data, rendered once by
the CLI; anything that is not a `TetherError` reaching the top is a bug in tether.

These are plain classes, not frozen dataclasses: exceptions are mutated by Python itself
(`__traceback__`, `__context__`, `add_note`) when they travel through `with` blocks.
"""

from __future__ import annotations

import errno
from pathlib import Path


class TetherError(Exception):
    """A failure the user can act on: `message` says what and where, `hint` what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(TetherError):
    """The command line itself is wrong (unknown option, bad value)."""

    exit_code = 2


class ProjectError(TetherError):
    """`pyproject.toml` (or another project file) is missing, unreadable or invalid.

    The CLI prefixes the message with `location`, so a message that has a `path` does
    not repeat it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.column = column

    @property
    def location(self) -> str | None:
        """`path:line:column`, as editors and terminals link it, or None without a path."""
        if self.path is None:
            return None
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


class IndexFetchError(TetherError):
    """A package index could not be read. `url` never carries credentials."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.status = status


class ResolutionError(TetherError):
    """No set of versions satisfies the requirements; `explanation` says why."""

    def __init__(
        self,
        message: str,
        *,
        explanation: str,
        hint: str | None = None,
        packages: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(message, hint=hint)
        self.explanation = explanation
        self.packages = packages  # the names the explanation involves


class LockError(TetherError):
    """The lock file is missing, stale where it must be fresh, or invalid."""


class InstallError(TetherError):
    """An environment could not be brought to the wanted state."""


class BuildError(TetherError):
    """A PEP 517 build failed; `output` keeps the backend's last lines."""

    def __init__(self, message: str, *, output: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.output = output


class GitError(TetherError):
    """A git repository could not be reached, or lacks the revision asked for."""


class PublishError(TetherError):
    """A distribution cannot be uploaded: its metadata is invalid, the index refused it,
    or there are no credentials to upload with."""


class AdvisorySourceError(TetherError):
    """Known vulnerabilities could not be read: a bad advisory database directory, or an
    advisory API that is unreachable or answers nonsense."""


class PythonNotFound(TetherError):
    """No interpreter satisfies the request; the message lists what was found."""


class QualityFailed(TetherError):
    """A code-quality check (fmt, lint, typecheck, audit, hook) found problems."""


class DiskError(TetherError):
    """The operating system refused a file operation: no space left, no permission,
    a read-only file system. Made from the `OSError` once, in the CLI."""

    @classmethod
    def of(cls, error: OSError) -> DiskError:
        where = f" ({error.filename})" if error.filename else ""
        reason = error.strerror or str(error)
        hints = {
            errno.ENOSPC: "free some space (`tether cache prune` removes what can be "
            "rebuilt), then run the command again: files tether writes are replaced "
            "whole, so the lock and pyproject.toml are as they were",
            errno.EDQUOT: "free some space or raise the quota, then run the command again",
            errno.EACCES: "tether must write there: check the directory's owner and "
            "permissions, or work on a copy you own",
            errno.EPERM: "tether must write there: check the directory's owner and "
            "permissions, or work on a copy you own",
            errno.EROFS: "the file system is mounted read-only: work on a copy elsewhere, "
            "or point TETHER_CACHE_DIR at a writable directory if it is the cache",
        }
        return cls(
            f"{reason}{where}",
            hint=hints.get(error.errno or 0, "check the path and run the command again"),
        )
