"""`tether hooks install / uninstall / run / baseline`: git hooks that run tether's
checks on what is about to be committed.

`run` checks the staged contents (read from git's index, so what is checked is what gets
committed), or every tracked file with `--all-files`: the built-in checks of
`tether.quality.hook_checks` in parallel, ruff / ruff format / mypy on the Python files,
the `repo: local` hooks of an existing `.pre-commit-config.yaml` and the hooks tether
implements natively by id. `--fix` repairs whitespace and end-of-file problems (and lets
ruff fix and format) in the working tree, where the working tree equals what is staged.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tether.commands.quality import QualityCommand, QualityOptions, prepare_check
from tether.errors import ProjectError, QualityFailed, UsageError
from tether.fs import atomic_write
from tether.project import Project, load_project, try_find_pyproject
from tether.quality.commit_message import DEFAULT_TYPES, check_message
from tether.quality.file_types import file_tags, is_text
from tether.quality.hook_checks import (
    BUILTIN_CHECKS,
    DEFAULT_LARGE_FILE_KB,
    FIXABLE,
    Finding,
    applies,
    fix,
    run_check,
)
from tether.quality.precommit_config import (
    LocalHook,
    PreCommitConfig,
    PreCommitConfigError,
    hook_matches,
    parse_config,
)
from tether.quality.secrets_baseline import Accepted, accepted, render

MARK = "# tether-managed hook"
HOOKS = ("pre-commit", "commit-msg")
TOOL_CHECKS = ("ruff", "ruff-format", "mypy")
BASELINE = ".secrets.baseline"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


@dataclass(frozen=True, slots=True, kw_only=True)
class HookSettings:
    project: Project | None  # the repository's, when it has a pyproject.toml
    checks: tuple[str, ...]
    large_file_kb: int
    exclude: tuple[str, ...]
    baseline: str
    commit_msg: bool
    commit_types: tuple[str, ...]
    precommit: PreCommitConfig | None


@dataclass(frozen=True, slots=True)
class ToolRun:
    name: str
    command: str
    exit_code: int
    output: str


@dataclass(frozen=True, slots=True)
class HookReport:
    files: int
    findings: tuple[Finding, ...]
    tools: tuple[ToolRun, ...]
    fixed: tuple[str, ...]  # files rewritten by --fix
    not_fixed: tuple[str, ...]  # ... skipped: unstaged changes in them
    unsupported: tuple[str, ...]  # pre-commit hooks tether cannot run
    baselined: int = 0
    notes: tuple[str, ...] = ()  # what of a pre-commit config is not honoured, and why

    @property
    def passed(self) -> bool:
        return not self.findings and all(t.exit_code == 0 for t in self.tools) and not self.fixed


@dataclass(slots=True)
class _Files:
    contents: dict[str, bytes] = field(default_factory=dict)
    staged: bool = False  # contents are the index's, not the working tree's

    def python_files(self) -> list[str]:
        return sorted(p for p in self.contents if p.endswith((".py", ".pyi")))


# ------------------------------------------------------------------ install / uninstall
def install(start: Path, *, force: bool = False) -> list[Path]:
    """Write the pre-commit and commit-msg hooks; a foreign hook is kept unless `force`,
    and then saved beside it as `<hook>.legacy`."""
    hooks_dir = _hooks_dir(start)
    hooks_dir.mkdir(parents=True, exist_ok=True)
    foreign = [
        hooks_dir / h for h in HOOKS if (hooks_dir / h).exists() and not _ours(hooks_dir / h)
    ]
    if foreign and not force:
        names = ", ".join(str(p) for p in foreign)
        raise UsageError(
            f"{names} already exist and were not written by tether",
            hint="pass --force to replace them (they are kept as <hook>.legacy), or merge "
            "them by hand with `tether hooks run`",
        )
    written = []
    for hook in HOOKS:
        path = hooks_dir / hook
        if path in foreign:
            path.replace(path.with_name(f"{hook}.legacy"))
        argument = ' "$1"' if hook == "commit-msg" else ""
        script = (
            f"#!/bin/sh\n{MARK}: written by `tether hooks install`; "
            "`tether hooks uninstall` removes it.\n"
            f"if [ -x {shlex.quote(sys.executable)} ]; then\n"
            f"    exec {shlex.quote(sys.executable)} -m tether hooks run --hook {hook}{argument}\n"
            "fi\n"
            f"exec tether hooks run --hook {hook}{argument}\n"
        )
        atomic_write(path, script)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(path)
    return written


def uninstall(start: Path) -> list[Path]:
    hooks_dir = _hooks_dir(start)
    removed = []
    for hook in HOOKS:
        path = hooks_dir / hook
        if path.exists() and _ours(path):
            path.unlink()
            legacy = path.with_name(f"{hook}.legacy")
            if legacy.exists():
                legacy.replace(path)
            removed.append(path)
    return removed


def _ours(path: Path) -> bool:
    try:
        return MARK in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


# ------------------------------------------------------------------ run
def run_hooks(
    start: Path,
    environ: Mapping[str, str],
    *,
    all_files: bool = False,
    fix_files: bool = False,
    files: Sequence[str] = (),
) -> HookReport:
    root = _git_root(start)
    settings = hook_settings(root)
    selected = _select(root, settings, all_files=all_files, named=files)
    builtins = [c for c in settings.checks if c in BUILTIN_CHECKS]
    fixed: list[str] = []
    not_fixed: list[str] = []
    if fix_files:
        fixed, not_fixed = _fix(root, selected, builtins, all_files=all_files)
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) + 2)) as pool:
        # Prepared one after another (the first may sync the project), then run at once.
        commands = [
            (name, command)
            for name in settings.checks
            if name in TOOL_CHECKS
            and (
                command := _tool_command(
                    name, root, environ, selected, fix_files, native_args=_native_args(settings)
                )
            )
            is not None
        ]
        tool_futures = [
            pool.submit(_run_tool, name, command, root, selected, fix_files)
            for name, command in commands
        ]
        local = settings.precommit.local if settings.precommit is not None else ()
        local_futures = [
            pool.submit(_run_local, hook, root, environ, selected, settings.project)
            for hook in local
        ]
        finding_lists = pool.map(
            lambda item: [
                finding
                for check in builtins
                if applies(check, item[0])
                for finding in run_check(
                    check, item[0], item[1], large_file_kb=settings.large_file_kb
                )
            ],
            sorted(selected.contents.items()),
        )
        findings = [f for found in finding_lists for f in found]
        tools = [f.result() for f in tool_futures] + [f.result() for f in local_futures]
    # The baseline holds hashes of accepted secrets: hex that looks like one itself.
    findings = [f for f in findings if not (f.check == "secrets" and f.path == settings.baseline)]
    findings, baselined = _without_baseline(root / settings.baseline, findings)
    return HookReport(
        files=len(selected.contents),
        findings=tuple(findings),
        tools=tuple(t for t in tools if t is not None),
        fixed=tuple(fixed),
        not_fixed=tuple(not_fixed),
        unsupported=settings.precommit.unsupported if settings.precommit is not None else (),
        baselined=baselined,
        notes=(
            *_other_stages(settings),
            *(
                f"pre-commit hook {note}: not honoured"
                for note in (settings.precommit.ignored if settings.precommit is not None else ())
            ),
        ),
    )


def commit_message(
    start: Path, message_file: Path, environ: Mapping[str, str] | None = None
) -> str | None:
    """What is wrong with the commit message in `message_file` (None: it is fine):
    tether's Conventional Commits check (when on), then the `.pre-commit-config.yaml`
    local hooks of the `commit-msg` stage, each given the message file as pre-commit
    gives it."""
    root = _git_root(start)
    settings = hook_settings(root)
    path = message_file if message_file.is_absolute() else root / message_file
    problems: list[str] = []
    if settings.commit_msg:
        text = path.read_text(encoding="utf-8", errors="replace")
        scissors = "# ------------------------ >8 ------------------------"
        problem = check_message(text.split(scissors, 1)[0], settings.commit_types)
        if problem is not None:
            problems.append(problem)
    local = settings.precommit.local if settings.precommit is not None else ()
    for hook in local:
        if "commit-msg" not in hook.stages:
            continue
        run = _run_command(
            hook, [*shlex.split(hook.entry), *hook.args, str(path)], root, environ or {},
            settings.project,
        )  # fmt: skip
        if run.exit_code != 0:
            problems.append(f"{hook.id} ({hook.entry}) refused it:\n{run.output.rstrip()}")
    return "\n".join(problems) or None


def write_baseline(start: Path) -> tuple[Path, int]:
    """Accept every secret finding in the tracked files: write them (hashed, never the
    secret) to the baseline file, so later runs report only new ones."""
    root = _git_root(start)
    settings = hook_settings(root)
    selected = _select(root, settings, all_files=True, named=())
    found = [
        Accepted(path, finding.message.split(" (")[0], finding.secret_hash, finding.line)
        for path, content in sorted(selected.contents.items())
        for finding in run_check("secrets", path, content, large_file_kb=settings.large_file_kb)
        if finding.secret_hash is not None
    ]
    target = root / settings.baseline
    existing = target.read_text(encoding="utf-8") if target.is_file() else None
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    atomic_write(target, render(existing, found, stamp))
    return target, len(found)


def hook_settings(root: Path) -> HookSettings:
    project = _project(root)
    table: Mapping[str, Any] = project.settings.quality.get("hooks", {}) if project else {}
    where = project.pyproject_path if project else None
    precommit = _precommit(root)
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
        project=project,
    )


def _precommit_baseline(precommit: PreCommitConfig | None) -> str | None:
    """detect-secrets' `--baseline FILE` in the pre-commit config, if it names one."""
    args = list(precommit.native_args.get("secrets", ())) if precommit is not None else []
    for position, arg in enumerate(args):
        if arg.startswith("--baseline="):
            return arg.split("=", 1)[1]
        if arg == "--baseline" and position + 1 < len(args):
            return args[position + 1]
    return None


def _project(root: Path) -> Project | None:
    pyproject = try_find_pyproject(root)
    return load_project(pyproject) if pyproject is not None else None


def _precommit(root: Path) -> PreCommitConfig | None:
    path = root / PRE_COMMIT_CONFIG
    if not path.is_file():
        return None
    try:
        return parse_config(path.read_text(encoding="utf-8"))
    except PreCommitConfigError as err:
        raise ProjectError(f"{PRE_COMMIT_CONFIG} is not usable: {err}", path=path) from None


def _strings(value: object, key: str, where: Path | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"`tool.tether.hooks.{key}` must be a list of strings", path=where)
    return list(value)


def _select(root: Path, settings: HookSettings, *, all_files: bool, named: Sequence[str]) -> _Files:
    selected = _Files()
    if named:
        paths = list(named)
        for path in paths:
            full = root / path
            if full.is_file():
                selected.contents[path] = full.read_bytes()
    elif all_files:
        for path in _git(root, "ls-files", "-z").split("\0"):
            full = root / path
            if path and full.is_file() and not full.is_symlink():
                selected.contents[path] = full.read_bytes()
    else:
        staged = [
            p for p in _git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")
            .split("\0") if p
        ]  # fmt: skip
        selected.contents.update(_index_contents(root, staged))
        selected.staged = True
    excluded = [
        path
        for path in selected.contents
        if any(fnmatch.fnmatch(path, pattern) for pattern in settings.exclude)
        or (
            settings.precommit
            and settings.precommit.exclude
            and settings.precommit.exclude.search(path)
        )
    ]
    for path in excluded:
        del selected.contents[path]
    return selected


def _index_contents(root: Path, paths: list[str]) -> dict[str, bytes]:
    """The staged bytes of `paths`, in one `git cat-file --batch` (symlinks skipped)."""
    if not paths:
        return {}
    modes = {}
    for line in _git(root, "ls-files", "-s", "-z", "--", *paths).split("\0"):
        if line:
            meta, _, path = line.partition("\t")
            modes[path] = meta.split()[0]
    wanted = [p for p in paths if modes.get(p, "100644") != "120000"]
    request = "".join(f":{p}\n" for p in wanted).encode()
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input=request,
        capture_output=True,
        check=True,
    )
    out = done.stdout
    contents: dict[str, bytes] = {}
    position = 0
    for path in wanted:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if len(header) == 2 and header[1] == b"missing":
            position = header_end + 1
            continue
        size = int(header[2])
        contents[path] = out[header_end + 1 : header_end + 1 + size]
        position = header_end + 1 + size + 1
    return contents


def _fix(
    root: Path, selected: _Files, builtins: list[str], *, all_files: bool
) -> tuple[list[str], list[str]]:
    fixed, not_fixed = [], []
    for path, content in sorted(selected.contents.items()):
        if not is_text(path, content):
            continue  # never rewrite a binary file (model weights, images)
        repaired = content
        for check in FIXABLE:
            if check in builtins:
                repaired = fix(check, repaired, path)
        if repaired == content:
            continue
        full = root / path
        if not all_files and full.read_bytes() != content:
            not_fixed.append(path)  # unstaged edits: leave the file to its author
            continue
        full.write_bytes(repaired)
        selected.contents[path] = repaired
        fixed.append(path)
    return fixed, not_fixed


def _tool_command(
    name: str,
    root: Path,
    environ: Mapping[str, str],
    selected: _Files,
    fix_files: bool,
    *,
    native_args: Mapping[str, tuple[str, ...]],
) -> QualityCommand | None:
    """ruff, ruff format or mypy on the selected Python files (None: there are none)."""
    python_files = selected.python_files()
    if not python_files:
        return None
    check = {"ruff": "lint", "ruff-format": "fmt", "mypy": "typecheck"}[name]
    extra = ["--force-exclude"] if name != "mypy" else []
    extra += list(native_args.get(name, ()))  # the hook's own args (`--fix`, `--strict`)
    return prepare_check(
        QualityOptions(
            start=root,
            environ=environ,
            check=check,
            arguments=[*extra, *python_files],
            fix=fix_files,
            check_only=not fix_files,
        )
    )


def _run_tool(
    name: str, prepared: QualityCommand, root: Path, selected: _Files, fix_files: bool
) -> ToolRun:
    python_files = selected.python_files()
    with tempfile.TemporaryDirectory(prefix="tether-staged-") as scratch:
        cwd = root
        if selected.staged and not fix_files and name != "mypy":
            partly_staged = [
                p for p in python_files if _working_copy(root / p) != selected.contents[p]
            ]
            if partly_staged:  # check what will be committed, not the working tree
                cwd = Path(scratch)
                _materialise(root, cwd, python_files, selected)
        done = subprocess.run(
            [prepared.program, *prepared.argv[1:]],
            cwd=cwd,
            env=prepared.environ,
            capture_output=True,
            text=True,
            check=False,
        )
    return ToolRun(name, " ".join(prepared.argv[:3]), done.returncode, done.stdout + done.stderr)


RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")


def _materialise(root: Path, scratch: Path, files: list[str], selected: _Files) -> None:
    """The staged versions of `files` and of ruff's configuration files, at their
    relative places under `scratch`: ruff then sees exactly what is being committed
    (files with unstaged edits too) and reports the same relative paths."""
    configs = [
        p
        for p in _git(root, "ls-files", "-z").split("\0")
        if p and p.rsplit("/", 1)[-1] in RUFF_CONFIGS
    ]
    staged = {**_index_contents(root, configs), **{p: selected.contents[p] for p in files}}
    for relative, content in staged.items():
        target = scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _working_copy(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _run_local(
    hook: LocalHook,
    root: Path,
    environ: Mapping[str, str],
    selected: _Files,
    project: Project | None,
) -> ToolRun | None:
    if hook.stages and not {"pre-commit", "commit"} & set(hook.stages):
        return None  # another stage's hook (commit-msg runs from that git hook)
    matched = sorted(
        path
        for path, content in selected.contents.items()
        if hook_matches(hook, path, file_tags(path, content, executable=_executable(root / path)))
    )
    if not matched and not hook.always_run:
        return None
    command = [*shlex.split(hook.entry), *hook.args, *(matched if hook.pass_filenames else [])]
    return _run_command(hook, command, root, environ, project)


def _run_command(
    hook: LocalHook,
    command: list[str],
    root: Path,
    environ: Mapping[str, str],
    project: Project | None,
) -> ToolRun:
    env = dict(environ) if environ else dict(os.environ)
    if project is not None:  # language: python/system hooks see the project's tools first
        env["PATH"] = os.pathsep.join(
            [str(project.environment(environ) / "bin"), env.get("PATH", "")]
        )
    try:
        done = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, check=False
        )
    except OSError as err:
        return ToolRun(hook.id, hook.entry, 127, f"cannot run {command[0]}: {err.strerror}\n")
    return ToolRun(hook.id, hook.entry, done.returncode, done.stdout + done.stderr)


def _native_args(settings: HookSettings) -> Mapping[str, tuple[str, ...]]:
    return settings.precommit.native_args if settings.precommit is not None else {}


def _other_stages(settings: HookSettings) -> list[str]:
    """Local hooks that run at neither commit nor commit-msg (pre-push, manual):
    named as skipped rather than passed over in silence."""
    local = settings.precommit.local if settings.precommit is not None else ()
    return [
        f"pre-commit hook {hook.id} runs at {', '.join(hook.stages)}, not at commit: skipped"
        for hook in local
        if hook.stages and not {"pre-commit", "commit", "commit-msg"} & set(hook.stages)
    ]


def _executable(path: Path) -> bool:
    return os.access(path, os.X_OK) and path.is_file()


def _without_baseline(path: Path, findings: list[Finding]) -> tuple[list[Finding], int]:
    try:
        known = accepted(path.read_text(encoding="utf-8"))
    except OSError:
        return findings, 0
    kept = [f for f in findings if f.secret_hash is None or (f.path, f.secret_hash) not in known]
    return kept, len(findings) - len(kept)


def _git_root(start: Path) -> Path:
    try:
        return Path(_git(start, "rev-parse", "--show-toplevel").strip())
    except QualityFailed:
        raise UsageError(
            f"{start} is not in a git repository", hint="run `git init` first"
        ) from None


def _hooks_dir(start: Path) -> Path:
    root = _git_root(start)
    hooks = Path(_git(root, "rev-parse", "--git-path", "hooks").strip())
    return hooks if hooks.is_absolute() else root / hooks


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git to use tether's hooks") from None
    if done.returncode != 0:
        raise QualityFailed(f"git {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout
