"""Reading an existing `.pre-commit-config.yaml`, so `tether hooks run` can stand in for
pre-commit: `repo: local` hooks are run as written, hooks tether implements natively are
mapped by id, and every other hook is named as one tether cannot run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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


# Natively mapped hooks whose arguments tether passes on (ruff's, mypy's) or reads
# (detect-secrets' --baseline).
HONOURED_ARGS = frozenset({"ruff", "ruff-format", "mypy", "secrets"})


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
    exclude_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreCommitConfig:
    native: tuple[str, ...]  # tether checks to run
    large_file_kb: int | None
    local: tuple[LocalHook, ...]
    unsupported: tuple[str, ...]  # "id (repo)" of hooks tether cannot run
    exclude: re.Pattern[str] | None = None
    # Arguments of natively mapped hooks, by tether check (`ruff: [--fix]`), and what
    # of theirs tether does not honour (named in the report).
    native_args: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


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
    native_args: dict[str, tuple[str, ...]] = {}
    ignored: list[str] = []
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
                check = NATIVE[hook_id]
                native.append(check)
                args = tuple(str(a) for a in hook.get("args") or ())
                if hook_id == "check-added-large-files":
                    large = _maxkb(list(args)) or large
                elif check in HONOURED_ARGS:
                    native_args[check] = (*native_args.get(check, ()), *args)
                elif args:
                    ignored.append(f"{hook_id}: args {' '.join(args)} (tether runs its own check)")
                extra = hook.get("additional_dependencies") or ()
                if extra:
                    ignored.append(
                        f"{hook_id}: additional_dependencies {', '.join(map(str, extra))} "
                        "(tether's mypy sees the project's environment: declare them there)"
                    )
            else:
                unsupported.append(f"{hook_id} ({url})")
    return PreCommitConfig(
        native=tuple(dict.fromkeys(native)),
        large_file_kb=large,
        local=tuple(local),
        unsupported=tuple(unsupported),
        exclude=_regex(data.get("exclude")),
        native_args=native_args,
        ignored=tuple(ignored),
    )


def _local(hook: Mapping[str, Any]) -> LocalHook:
    if "entry" not in hook:
        raise PreCommitConfigError(f"local hook {hook['id']} has no entry")
    types = tuple(str(t) for t in hook.get("types") or ())
    if not types and _text_fixer(str(hook["id"]), str(hook["entry"])):
        types = ("text",)  # as pre-commit-hooks' own manifest declares for these
    return LocalHook(
        id=str(hook["id"]),
        entry=str(hook["entry"]),
        language=str(hook.get("language", "system")),
        files=_regex(hook.get("files")),
        exclude=_regex(hook.get("exclude")),
        types=types,
        types_or=tuple(str(t) for t in hook.get("types_or") or ()),
        exclude_types=tuple(str(t) for t in hook.get("exclude_types") or ()),
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


# pre-commit-hooks' fixers that rewrite text: their manifest limits them to `text`.
TEXT_FIXERS = (
    "end-of-file-fixer", "trailing-whitespace-fixer", "trailing-whitespace",
    "mixed-line-ending", "fix-byte-order-marker", "fix-encoding-pragma",
    "double-quote-string-fixer",
)  # fmt: skip


def _text_fixer(hook_id: str, entry: str) -> bool:
    command = entry.split(maxsplit=1)[0].rsplit("/", 1)[-1] if entry.split() else ""
    return hook_id in TEXT_FIXERS or command in TEXT_FIXERS


def hook_matches(hook: LocalHook, path: str, tags: frozenset[str]) -> bool:
    """pre-commit's file selection: `files`/`exclude` regexes, then every tag of
    `types`, one of `types_or`, none of `exclude_types` (tags from identify)."""
    if hook.files is not None and not hook.files.search(path):
        return False
    if hook.exclude is not None and hook.exclude.search(path):
        return False
    if hook.types_or and not tags & set(hook.types_or):
        return False
    if set(hook.exclude_types) & tags:
        return False
    return set(hook.types or ("file",)) <= tags
