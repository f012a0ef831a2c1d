"""What the hooks run, from `[tool.tether.hooks]` and an existing
`.pre-commit-config.yaml`: which checks, the large-file limit, excluded paths, the
secrets baseline, and the commit-message rules. Invalid settings are located errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tether.errors import ProjectError
from tether.quality.commit_message import DEFAULT_TYPES
from tether.quality.hook_checks import BUILTIN_CHECKS, DEFAULT_LARGE_FILE_KB
from tether.quality.precommit_config import PreCommitConfig, PreCommitConfigError, parse_config

TOOL_CHECKS = ("ruff", "ruff-format", "mypy")
BASELINE = ".secrets.baseline"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


@dataclass(frozen=True, slots=True, kw_only=True)
class HookSettings:
    tools_bin: Path | None  # the project environment's bin/, searched first by local hooks
    checks: tuple[str, ...]
    large_file_kb: int
    exclude: tuple[str, ...]
    baseline: str
    commit_msg: bool
    commit_types: tuple[str, ...]
    precommit: PreCommitConfig | None

    @property
    def native_args(self) -> Mapping[str, tuple[str, ...]]:
        return self.precommit.native_args if self.precommit is not None else {}


def hook_settings(
    root: Path, table: Mapping[str, Any], where: Path | None, tools_bin: Path | None
) -> HookSettings:
    """The settings of the repository at `root`, from its project's hooks `table`
    (read from `where`) and its pre-commit config."""
    precommit = read_precommit(root)
    default = [*BUILTIN_CHECKS, "ruff", "ruff-format"]
    if precommit is not None and "checks" not in table:
        default = list(precommit.native)
    checks = _strings(table.get("checks", default), "checks", where)
    unknown = sorted(set(checks) - set(BUILTIN_CHECKS) - set(TOOL_CHECKS) - {"commit-msg"})
    if unknown:
        raise ProjectError(
            f"unknown hook check {', '.join(unknown)} in `tool.tether.hooks.checks`",
            path=where,
            hint=f"checks: {', '.join([*BUILTIN_CHECKS, *TOOL_CHECKS])}",
        )
    large = table.get("large-file-kb", (precommit.large_file_kb if precommit is not None else None))
    if large is not None and (not isinstance(large, int) or isinstance(large, bool) or large < 1):
        raise ProjectError(
            "`tool.tether.hooks.large-file-kb` must be a positive integer", path=where
        )
    # Conventional commit messages: on by default, unless a pre-commit config that
    # does not ask for them is what configures the hooks.
    commit_msg = table.get("commit-msg", precommit is None or "commit-msg" in precommit.native)
    if not isinstance(commit_msg, bool):
        raise ProjectError("`tool.tether.hooks.commit-msg` must be true or false", path=where)
    return HookSettings(
        checks=tuple(c for c in checks if c != "commit-msg"),
        large_file_kb=large or DEFAULT_LARGE_FILE_KB,
        exclude=tuple(_strings(table.get("exclude", []), "exclude", where)),
        baseline=str(table.get("secrets-baseline", _precommit_baseline(precommit) or BASELINE)),
        commit_msg=commit_msg,
        commit_types=tuple(
            _strings(table.get("commit-types", list(DEFAULT_TYPES)), "commit-types", where)
        ),
        precommit=precommit,
        tools_bin=tools_bin,
    )


def read_precommit(root: Path) -> PreCommitConfig | None:
    path = root / PRE_COMMIT_CONFIG
    if not path.is_file():
        return None
    try:
        return parse_config(path.read_text(encoding="utf-8"))
    except PreCommitConfigError as err:
        raise ProjectError(f"{PRE_COMMIT_CONFIG} is not usable: {err}", path=path) from None


def _precommit_baseline(precommit: PreCommitConfig | None) -> str | None:
    """detect-secrets' `--baseline FILE` in the pre-commit config, if it names one."""
    args = list(precommit.native_args.get("secrets", ())) if precommit is not None else []
    for position, arg in enumerate(args):
        if arg.startswith("--baseline="):
            return arg.split("=", 1)[1]
        if arg == "--baseline" and position + 1 < len(args):
            return args[position + 1]
    return None


def _strings(value: object, key: str, where: Path | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"`tool.tether.hooks.{key}` must be a list of strings", path=where)
    return list(value)
