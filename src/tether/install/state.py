"""What the last sync recorded in an environment (its state file), read back: which
lock it installed from, with which groups and extras, and its selection memo."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tether.install.script_runs import STATE


def sync_state(environment: Path) -> dict[str, Any]:
    """What the environment's last sync recorded (empty when none, or unreadable)."""
    try:
        state = json.loads((environment / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def synced_from(state: Mapping[str, Any], lock_path: Path) -> bool:
    """Whether that sync installed from this very lock (same bytes)."""
    try:
        return bool(state.get("lock-sha256") == hashlib.sha256(lock_path.read_bytes()).hexdigest())
    except OSError:
        return False
