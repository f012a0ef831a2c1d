"""uv's `[tool.uv]` in tether's terms: a uv project works as it is (its exclude-newer
cool-down, indexes, sources, constraints, overrides, conflicts, environments and
default groups apply), and `tether migrate` rewrites it as `[tool.tether]`.

Pure data in, data out. What has no tether meaning is returned as a note, so callers
name it once instead of dropping it silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# uv key -> tether key, where the meaning is the same.
RENAMED = {
    "exclude-newer": "exclude-newer",
    "exclude-newer-package": "exclude-newer-package",
    "default-groups": "default-groups",
    "constraint-dependencies": "constraints",
    "override-dependencies": "overrides",
    "dependency-metadata": "dependency-metadata",
    "conflicts": "conflicts",
    "environments": "environments",
    "required-environments": "required-environments",
    "resolution": "resolution",
    "prerelease": "prerelease",
    "no-build": "no-build",
    "no-binary": "no-binary",
    "no-build-package": "no-build-package",
    "no-binary-package": "no-binary-package",
    "build-constraint-dependencies": "build-constraint-dependencies",
    "find-links": "find-links",
}
# Keys tether reads in its own way (see `translate`).
HANDLED = frozenset({"index", "sources", "package", "dev-dependencies", "index-url",
                     "extra-index-url", "workspace"})  # fmt: skip
# Settings about uv itself, not the project's resolution: nothing to carry over.
TOOL_ONLY = frozenset(
    {"managed", "python-preference", "python-downloads", "cache-dir", "compile-bytecode",
     "link-mode", "native-tls", "keyring-provider", "required-version", "concurrent-downloads",
     "concurrent-builds", "concurrent-installs", "upgrade", "upgrade-package", "reinstall",
     "reinstall-package", "offline", "no-cache", "preview", "cache-keys", "check-url",
     "publish-url", "trusted-publishing", "pip"}
)  # fmt: skip
INDEX_KEYS = {"name": "name", "url": "url", "default": "default", "explicit": "explicit",
              "publish-url": "publish-url", "format": "format"}  # fmt: skip
SOURCE_KEYS = frozenset(
    {"index", "path", "url", "git", "rev", "tag", "branch", "subdirectory", "workspace",
     "editable", "marker", "extra", "group"}
)  # fmt: skip


@dataclass(slots=True)
class UvReading:
    tether: dict[str, Any] = field(default_factory=dict)  # as `[tool.tether]` would say it
    notes: list[str] = field(default_factory=list)  # what was not carried over, and why
    package: bool | None = None  # `package = false`: the project itself is not installed
    dev_dependencies: list[str] = field(default_factory=list)  # legacy `dev-dependencies`
    untranslated: list[str] = field(default_factory=list)  # keys left in [tool.uv]


def translate(uv: Mapping[str, Any]) -> UvReading:
    """`[tool.uv]` as tether settings, with notes for what does not carry over."""
    reading = UvReading()
    for key, value in uv.items():
        if key in RENAMED:
            reading.tether[RENAMED[key]] = value
        elif key == "index":
            reading.tether["index"] = _indexes(value, reading)
        elif key == "sources":
            sources = _sources(value, reading)
            if sources:
                reading.tether["sources"] = sources
        elif key == "workspace":
            reading.tether["workspace"] = value  # same keys: members, exclude
        elif key == "package":
            reading.package = bool(value)
        elif key == "dev-dependencies":
            reading.dev_dependencies = [str(v) for v in value] if isinstance(value, list) else []
        elif key in ("index-url", "extra-index-url"):
            urls = [value] if isinstance(value, str) else list(value or [])
            found = reading.tether.setdefault("index", [])
            for position, url in enumerate(urls):
                entry: dict[str, Any] = {"name": f"{key}-{position}", "url": str(url)}
                if key == "index-url":
                    entry["default"] = True
                found.append(entry)
        elif key in TOOL_ONLY:
            reading.untranslated.append(key)
            reading.notes.append(f"[tool.uv] {key}: a setting of uv itself; tether ignores it")
        else:
            reading.untranslated.append(key)
            reading.notes.append(f"[tool.uv] {key}: not understood by tether; ignored")
    return reading


def _indexes(value: object, reading: UvReading) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, Mapping):
            continue
        index = {INDEX_KEYS[k]: v for k, v in entry.items() if k in INDEX_KEYS}
        if "name" not in index and "url" in index:
            index["name"] = f"index-{len(found)}"
        found.append(index)
        reading.notes.extend(
            f"[tool.uv] index {entry.get('name', '?')!r}: `{k}` is not carried over"
            for k in entry
            if k not in INDEX_KEYS and k != "authenticate"
        )
    return found


def _sources(value: object, reading: UvReading) -> dict[str, Any]:
    """uv sources with a tether meaning (index, path, url, with marker/extra/group);
    git and workspace sources are named, not translated."""
    found: dict[str, Any] = {}
    for name, spec in value.items() if isinstance(value, Mapping) else []:
        entries = spec if isinstance(spec, list) else [spec]
        kept = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            unsupported = sorted(set(entry) - SOURCE_KEYS)
            if unsupported:
                reading.notes.append(
                    f"[tool.uv.sources] {name}: {', '.join(unsupported)} sources are not "
                    "supported by tether yet; ignored"
                )
                continue
            kept.append(dict(entry))
        if kept:
            found[name] = kept if isinstance(spec, list) else kept[0]
    return found
