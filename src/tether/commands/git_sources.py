"""Git dependencies for `lock` and `sync`: which commit a reference means, and its tree.

A lock keeps the commit it pinned: the next `tether lock` checks out that same commit
(no network when the cache has it) unless `--upgrade` or `--upgrade-package NAME` asks
for what the revision names now. A sync checks out exactly the locked commit.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.cache import Cache
from tether.vcs.git import GitCheckout, checkout, resolve_commit
from tether.vcs.reference import GitReference

# (repository URL without credentials, requested revision, subdirectory) -> commit
Pins = dict[tuple[str, str | None, str | None], str]


def locked_commits(path: Path, *, upgrade: bool, upgrading: set[str]) -> Pins:
    """The commits the lock at `path` pinned, except the packages being upgraded."""
    if upgrade:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    pins: Pins = {}
    for package in data.get("packages", []):
        vcs = package.get("vcs") if isinstance(package, dict) else None
        if not isinstance(vcs, dict) or vcs.get("type") != "git":
            continue
        if canonicalize_name(str(package.get("name", ""))) in upgrading:
            continue
        key = (str(vcs.get("url")), vcs.get("requested-revision"), vcs.get("subdirectory"))
        if isinstance(vcs.get("commit-id"), str):
            pins[key] = vcs["commit-id"]
    return pins


def git_fetcher(
    cache: Cache, environ: Mapping[str, str], pins: Pins
) -> Callable[[GitReference], GitCheckout]:
    """What the resolver calls for a git reference: the pinned commit (else the one its
    revision names now), checked out. Each reference is fetched once per run."""
    done: dict[GitReference, GitCheckout] = {}
    guard = threading.Lock()

    def fetch(reference: GitReference) -> GitCheckout:
        with guard:
            if reference in done:
                return done[reference]
            key = (reference.shown, reference.rev, reference.subdirectory)
            commit = pins.get(key) or resolve_commit(reference, cache, environ)
            done[reference] = checkout(reference, commit, cache, environ)
            return done[reference]

    return fetch
