"""What a sync must do, decided before anything is touched. Pure.

`wanted` comes from the lock (selected for this environment), `installed` from the
environment's site-packages; the plan installs what is missing, replaces what differs,
removes what the lock does not select (unless `exact` is off) and keeps the rest.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from tether.install.wheel import Installed

if TYPE_CHECKING:  # the plan itself loads nothing of the index
    from tether.index.page import DistFile

# Never removed by an exact sync: the environment's own installer tooling.
PROTECTED = frozenset({"pip", "setuptools", "wheel"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Wanted:
    """One distribution the lock selects, and the archive to install it from."""

    name: str
    version: str
    filename: str
    url: str | None
    path: Path | None  # a local archive (a direct reference or path source)
    sha256: str
    size: int | None
    requested: bool = False  # a direct dependency of the project (PEP 376 REQUESTED)

    @classmethod
    def from_index(
        cls, name: str, version: str, file: DistFile, *, requested: bool = False
    ) -> Wanted:
        """An archive an index lists (its sha256 checked by the caller); a flat
        index's directory lists local files, which are read, not downloaded."""
        path = None
        if file.url.startswith("file:"):
            from tether.index.flat import local_path  # noqa: PLC0415 - rare: a wheelhouse

            path = local_path(file.url)
        return cls(
            name=name,
            version=version,
            filename=file.filename,
            url=None if path is not None else file.url,
            path=path,
            sha256=file.sha256 or "",
            size=file.size,
            requested=requested,
        )


@dataclass(frozen=True, slots=True)
class GitPin:
    """A git dependency as the lock pins it: repository (without credentials), commit,
    the revision asked for, and the package's subdirectory."""

    url: str
    commit: str
    requested: str | None = None
    subdirectory: str | None = None

    def direct_url(self) -> dict[str, object]:
        """PEP 610's direct_url.json for an install from this commit."""
        info: dict[str, object] = {"vcs": "git", "commit_id": self.commit}
        if self.requested is not None:
            info["requested_revision"] = self.requested
        found: dict[str, object] = {"url": self.url, "vcs_info": info}
        if self.subdirectory:
            found["subdirectory"] = self.subdirectory
        return found


@dataclass(frozen=True, slots=True)
class Directory:
    """A project directory the lock selects (the project itself, a path dependency, or
    a git dependency's checkout): built through its PEP 517 backend rather than planned
    like an archive."""

    name: str
    version: str | None  # None: dynamic
    source: Path  # for a git dependency: unknown until checked out (Path())
    editable: bool
    vcs: GitPin | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstallPlan:
    install: tuple[Wanted, ...]
    replace: tuple[tuple[Installed, Wanted], ...]
    remove: tuple[Installed, ...]
    keep: tuple[Installed, ...]

    @property
    def empty(self) -> bool:
        return not (self.install or self.replace or self.remove)


def plan(
    wanted: Sequence[Wanted],
    installed: Mapping[str, Installed],
    *,
    exact: bool = True,
    reinstall: Collection[str] = (),
    reinstall_all: bool = False,
) -> InstallPlan:
    by_name = {canonicalize_name(w.name): w for w in wanted}
    redo = {canonicalize_name(n) for n in reinstall}
    install, replace, keep = [], [], []
    for name, want in sorted(by_name.items()):
        have = installed.get(name)
        if have is None:
            install.append(want)
        elif have.version != want.version or reinstall_all or name in redo or not have.complete:
            replace.append((have, want))
        else:
            keep.append(have)
    remove = [
        have
        for name, have in sorted(installed.items())
        if name not in by_name and exact and name not in PROTECTED
    ]
    return InstallPlan(
        install=tuple(install), replace=tuple(replace), remove=tuple(remove), keep=tuple(keep)
    )
