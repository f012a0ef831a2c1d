"""What a warm `tether run script.py` needs to know without parsing anything: the memo
a full run leaves in the cache (`scripts-v1/<path key>/run.json`) saying which
environment served the script, for which metadata block and which lock.

The fast path (tether.cli.fastrun) trusts the memo only when the block and the lock
still hash the same, no lock has appeared beside the script since, and the environment
finished its last sync (its state file is written last). Anything else is a miss, and
the full path decides.
"""

# os.path, not pathlib: the fast path imports this, and pathlib costs milliseconds there.
# ruff: noqa: PTH100, PTH110, PTH118, PTH123

from __future__ import annotations

import hashlib
import json
import os

SCRIPTS = "scripts-v1"
MEMO = "run.json"
STATE = ".tether-state.json"  # what the last sync of an environment recorded


def script_key(script: str) -> str:
    """The cache key of a script: its absolute path, hashed."""
    return hashlib.sha256(os.path.abspath(script).encode()).hexdigest()[:32]


def block_digest(text: str) -> str:
    """sha256 of the `# /// script` block's lines (empty when there is none): what the
    environment depends on, so edits to the code below the block change nothing."""
    lines = text.splitlines()
    block: list[str] = []
    inside = False
    for line in lines:
        if not inside and line.rstrip() == "# /// script":
            inside = True
        elif inside:
            if line.rstrip() == "# ///":
                break
            block.append(line)
    return hashlib.sha256("\n".join(block).encode()).hexdigest()


def file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


def memo_path(cache_root: str, script: str) -> str:
    return os.path.join(cache_root, SCRIPTS, script_key(script), MEMO)


def memo(*, block: str, lock: str, beside: str, environment: str) -> dict[str, object]:
    """What a full run records once the environment is ready."""
    return {
        "block-sha256": block,
        "lock": lock,
        "lock-sha256": file_digest(lock),
        "beside": beside,
        "beside-exists": os.path.exists(beside),
        "environment": environment,
    }


def ready_environment(cache_root: str, script: str, text: str) -> str | None:
    """The environment to run `script` in when the memo still holds; else None."""
    try:
        with open(memo_path(cache_root, script), encoding="utf-8") as stream:
            recorded = json.load(stream)
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict):
        return None
    environment = recorded.get("environment")
    lock = recorded.get("lock")
    beside = recorded.get("beside")
    if not (isinstance(environment, str) and isinstance(lock, str) and isinstance(beside, str)):
        return None
    if (
        recorded.get("block-sha256") != block_digest(text)
        or recorded.get("beside-exists") != os.path.exists(beside)
        or recorded.get("lock-sha256") != file_digest(lock)
        or not os.path.exists(os.path.join(environment, STATE))
        or not os.path.exists(os.path.join(environment, "bin", "python"))
    ):
        return None
    return environment
