"""Reading an existing `.pre-commit-config.yaml`, so `tether hooks run` can stand in for
pre-commit: `repo: local` hooks are run as written, hooks tether implements natively are
mapped by id, and every other hook is named as one tether cannot run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

# pre-commit hook id -> tether's check (built-in, or ruff/ruff-format/mypy/commit-msg).
NATIVE = {
    "trailing-whitespace": "whitespace",
    "end-of-file-fixer": "eof",
    "check-yaml": "yaml",
    "check-toml": "toml",
    "check-json": "json",
    "check-added-large-files": "large-files",
    "detect-private-key": "private-keys",
    "check-merge-conflict": "merge-conflicts",
    "detect-secrets": "secrets",
    "gitleaks": "secrets",
    "ruff": "ruff",
    "ruff-check": "ruff",
    "ruff-format": "ruff-format",
    "mypy": "mypy",
    "conventional-pre-commit": "commit-msg",
}


@dataclass(frozen=True, slots=True)
class LocalHook:
    id: str
    entry: str
    language: str
    files: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    types: tuple[str, ...]
    types_or: tuple[str, ...]
    pass_filenames: bool
    args: tuple[str, ...]
    always_run: bool
    stages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PreCommitConfig:
    native: tuple[str, ...]  # tether checks to run
    large_file_kb: int | None
    local: tuple[LocalHook, ...]
    unsupported: tuple[str, ...]  # "id (repo)" of hooks tether cannot run
    exclude: re.Pattern[str] | None = None


class PreCommitConfigError(ValueError):
    """The file is not a valid pre-commit configuration."""


def parse_config(text: str) -> PreCommitConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PreCommitConfigError(f"invalid YAML: {err}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("repos"), list):
        raise PreCommitConfigError("it has no `repos:` list")
    native: list[str] = []
    local: list[LocalHook] = []
    unsupported: list[str] = []
    large: int | None = None
    for repo in data["repos"]:
        if not isinstance(repo, Mapping):
            raise PreCommitConfigError("a `repos:` entry is not a mapping")
        url = str(repo.get("repo", "?"))
        for hook in repo.get("hooks") or ():
            if not isinstance(hook, Mapping) or "id" not in hook:
                raise PreCommitConfigError(f"a hook of {url} has no id")
            hook_id = str(hook["id"])
            if url == "local":
                local.append(_local(hook))
            elif hook_id in NATIVE:
                native.append(NATIVE[hook_id])
                if hook_id == "check-added-large-files":
                    large = _maxkb(hook.get("args") or []) or large
            else:
                unsupported.append(f"{hook_id} ({url})")
    return PreCommitConfig(
        native=tuple(dict.fromkeys(native)),
        large_file_kb=large,
        local=tuple(local),
        unsupported=tuple(unsupported),
        exclude=_regex(data.get("exclude")),
    )


def _local(hook: Mapping[str, Any]) -> LocalHook:
    if "entry" not in hook:
        raise PreCommitConfigError(f"local hook {hook['id']} has no entry")
    return LocalHook(
        id=str(hook["id"]),
        entry=str(hook["entry"]),
        language=str(hook.get("language", "system")),
        files=_regex(hook.get("files")),
        exclude=_regex(hook.get("exclude")),
        types=tuple(str(t) for t in hook.get("types") or ()),
        types_or=tuple(str(t) for t in hook.get("types_or") or ()),
        pass_filenames=bool(hook.get("pass_filenames", True)),
        args=tuple(str(a) for a in hook.get("args") or ()),
        always_run=bool(hook.get("always_run", False)),
        stages=tuple(str(s) for s in hook.get("stages") or ()),
    )


def _regex(value: object) -> re.Pattern[str] | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return re.compile(value)
    except re.error as err:
        raise PreCommitConfigError(f"invalid regular expression {value!r}: {err}") from None


def _maxkb(args: list[Any]) -> int | None:
    for arg in args:
        match = re.fullmatch(r"--maxkb=(\d+)", str(arg))
        if match:
            return int(match.group(1))
    return None


TYPE_SUFFIXES = {
    "python": (".py", ".pyi"),
    "pyi": (".pyi",),
    "yaml": (".yaml", ".yml"),
    "toml": (".toml",),
    "json": (".json",),
    "markdown": (".md",),
    "shell": (".sh", ".bash"),
}


def hook_matches(hook: LocalHook, path: str) -> bool:
    if hook.files is not None and not hook.files.search(path):
        return False
    if hook.exclude is not None and hook.exclude.search(path):
        return False

    def is_kind(kind: str) -> bool:
        return kind in ("file", "text") or path.endswith(TYPE_SUFFIXES.get(kind, (f".{kind}",)))

    if hook.types_or and not any(is_kind(k) for k in hook.types_or):
        return False
    return all(is_kind(kind) for kind in hook.types)
