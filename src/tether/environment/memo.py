"""The selection memo: what the lock selected, keyed by the lock's bytes, the extras,
groups and members and the interpreter, kept in the environment's state file and in the
global cache, so that a no-op sync (or a re-created environment) needs no TOML parse."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from tether.cache import Bucket, Cache
from tether.install.plan import Directory, GitPin, Wanted
from tether.install.state import sync_state
from tether.python.interpreter import Interpreter


def selection_key(
    lock_sha256: str,
    extras: list[str],
    groups: list[str],
    interpreter: Interpreter,
    *,
    only: bool = False,
    members: tuple[str, ...] | None = None,
) -> str:
    """What a selection from the lock depends on, hashed: the lock's bytes, the extras
    and groups, and the interpreter (markers and tags follow from its identity)."""
    identity = {
        "lock": lock_sha256,
        "extras": extras,
        "groups": groups,
        **({"only-groups": True} if only else {}),
        **({"members": list(members)} if members is not None else {}),
        "python": [str(interpreter.path), interpreter.executable, str(interpreter.version)],
        "markers": dict(interpreter.markers),
    }
    text = json.dumps(identity, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def remembered(environment: Path, key: str) -> tuple[list[Wanted], list[Directory], bool] | None:
    """The last sync's selection, when it was made from the same lock, extras, groups
    and interpreter: a no-op sync then needs no TOML parsing (a tenth of a second for a
    large lock)."""
    return from_memo(sync_state(environment).get("selection"), key)


def cached_memo(cache: Cache, key: str) -> object:
    """The same, kept in the global cache: a re-created environment skips the parse too."""
    data = cache.read(Bucket.SELECTIONS, f"{key}.json")
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def selection_memo(
    key: str, wanted: list[Wanted], directories: list[Directory], has_project: bool
) -> dict[str, object]:
    return {
        "key": key,
        "wanted": [
            {
                "name": w.name,
                "version": w.version,
                "filename": w.filename,
                "url": w.url,
                "path": None if w.path is None else str(w.path),
                "sha256": w.sha256,
                "size": w.size,
                "requested": w.requested,
            }
            for w in wanted
        ],
        "directories": [
            {
                "name": d.name,
                "version": d.version,
                "source": str(d.source),
                "editable": d.editable,
                "vcs": None if d.vcs is None else asdict(d.vcs),
            }
            for d in directories
        ],
        "project": has_project,
    }


def from_memo(memo: object, key: str) -> tuple[list[Wanted], list[Directory], bool] | None:
    if not isinstance(memo, dict) or memo.get("key") != key:
        return None
    try:
        wanted = [
            Wanted(**{**w, "path": None if w["path"] is None else Path(w["path"])})
            for w in memo["wanted"]
        ]
        directories = [
            Directory(
                d["name"],
                d["version"],
                Path(d["source"]),
                d["editable"],
                None if d.get("vcs") is None else GitPin(**d["vcs"]),
            )
            for d in memo["directories"]
        ]
        return wanted, directories, bool(memo["project"])
    except (KeyError, TypeError):
        return None
