"""The pre-commit run: select the files (staged contents from git's index, every tracked
file, or those named), repair what `--fix` may repair, then run in parallel the built-in
checks, ruff / ruff format / mypy on the Python files (each checked on the staged
contents, even when the working tree has unstaged edits), and the `repo: local` hooks of
a `.pre-commit-config.yaml`. Secrets accepted in the baseline are not reported."""

from __future__ import annotations

import fnmatch
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tether.fs import atomic_write
from tether.quality.commit_message import check_message
from tether.quality.file_types import file_tags, is_text
from tether.quality.git_repo import index_contents, staged, tracked
from tether.quality.hook_checks import BUILTIN_CHECKS, FIXABLE, Finding, applies, fix, run_check
from tether.quality.hook_settings import TOOL_CHECKS, HookSettings
from tether.quality.precommit_config import LocalHook, hook_matches
from tether.quality.secrets_baseline import Accepted, accepted, render
from tether.quality.tool_command import QualityCommand

RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")

# (tool check, its arguments, fix?) -> the prepared command; given by the caller, who
# knows how to install or sync the tool.
PrepareTool = Callable[[str, list[str], bool], QualityCommand]


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
class Selected:
    """The files a run checks, by path relative to the repository root."""

    contents: dict[str, bytes] = field(default_factory=dict)
    staged: bool = False  # contents are the index's, not the working tree's

    def python_files(self) -> list[str]:
        return sorted(p for p in self.contents if p.endswith((".py", ".pyi")))


def run_hooks(
    root: Path,
    settings: HookSettings,
    environ: Mapping[str, str],
    prepare_tool: PrepareTool,
    *,
    all_files: bool = False,
    fix_files: bool = False,
    files: Sequence[str] = (),
) -> HookReport:
    selected = select(root, settings, all_files=all_files, named=files)
    builtins = [c for c in settings.checks if c in BUILTIN_CHECKS]
    fixed: list[str] = []
    not_fixed: list[str] = []
    if fix_files:
        fixed, not_fixed = _fix(root, selected, builtins, all_files=all_files)
    python_files = selected.python_files()
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) + 2)) as pool:
        # Prepared one after another (the first may sync the project), then run at once.
        commands = [
            (name, prepare_tool(name, [*_tool_args(name, settings), *python_files], fix_files))
            for name in settings.checks
            if name in TOOL_CHECKS and python_files
        ]
        tool_futures = [
            pool.submit(_run_tool, name, command, root, selected, fix_files)
            for name, command in commands
        ]
        local = settings.precommit.local if settings.precommit is not None else ()
        local_futures = [
            pool.submit(_run_local, hook, root, environ, selected, settings.tools_bin)
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
        notes=_notes(settings),
    )


def commit_message(
    root: Path, settings: HookSettings, path: Path, environ: Mapping[str, str]
) -> str | None:
    """What is wrong with the commit message in `path` (None: it is fine): tether's
    Conventional Commits check (when on), then the `.pre-commit-config.yaml` local hooks
    of the `commit-msg` stage, each given the message file as pre-commit gives it."""
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
            hook, [*shlex.split(hook.entry), *hook.args, str(path)], root, environ,
            settings.tools_bin,
        )  # fmt: skip
        if run.exit_code != 0:
            problems.append(f"{hook.id} ({hook.entry}) refused it:\n{run.output.rstrip()}")
    return "\n".join(problems) or None


def write_baseline(root: Path, settings: HookSettings) -> tuple[Path, int]:
    """Accept every secret finding in the tracked files: write them (hashed, never the
    secret) to the baseline file, so later runs report only new ones."""
    selected = select(root, settings, all_files=True, named=())
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


def select(
    root: Path, settings: HookSettings, *, all_files: bool, named: Sequence[str]
) -> Selected:
    selected = Selected()
    if named:
        for path in named:
            full = root / path
            if full.is_file():
                selected.contents[path] = full.read_bytes()
    elif all_files:
        for path in tracked(root):
            full = root / path
            if full.is_file() and not full.is_symlink():
                selected.contents[path] = full.read_bytes()
    else:
        selected.contents.update(index_contents(root, staged(root)))
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


def _fix(
    root: Path, selected: Selected, builtins: list[str], *, all_files: bool
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


def _tool_args(name: str, settings: HookSettings) -> list[str]:
    """ruff's `--force-exclude` (so its own excludes hold for named files) and the
    pre-commit hook's own args (`--fix`, `--strict`)."""
    extra = ["--force-exclude"] if name != "mypy" else []
    return extra + list(settings.native_args.get(name, ()))


def _run_tool(
    name: str, prepared: QualityCommand, root: Path, selected: Selected, fix_files: bool
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


def _materialise(root: Path, scratch: Path, files: list[str], selected: Selected) -> None:
    """The staged versions of `files` and of ruff's configuration files, at their
    relative places under `scratch`: ruff then sees exactly what is being committed
    (files with unstaged edits too) and reports the same relative paths."""
    configs = [p for p in tracked(root) if p.rsplit("/", 1)[-1] in RUFF_CONFIGS]
    contents = {**index_contents(root, configs), **{p: selected.contents[p] for p in files}}
    for relative, content in contents.items():
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
    selected: Selected,
    tools_bin: Path | None,
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
    return _run_command(hook, command, root, environ, tools_bin)


def _run_command(
    hook: LocalHook,
    command: list[str],
    root: Path,
    environ: Mapping[str, str],
    tools_bin: Path | None,
) -> ToolRun:
    env = dict(environ)
    if tools_bin is not None:  # language: python/system hooks see the project's tools first
        env["PATH"] = os.pathsep.join([str(tools_bin), env.get("PATH", "")])
    try:
        done = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, check=False
        )
    except OSError as err:
        return ToolRun(hook.id, hook.entry, 127, f"cannot run {command[0]}: {err.strerror}\n")
    return ToolRun(hook.id, hook.entry, done.returncode, done.stdout + done.stderr)


def _notes(settings: HookSettings) -> tuple[str, ...]:
    """Local hooks that run at neither commit nor commit-msg (pre-push, manual), named as
    skipped rather than passed over in silence, and what of the config is not honoured."""
    if settings.precommit is None:
        return ()
    return (
        *(
            f"pre-commit hook {hook.id} runs at {', '.join(hook.stages)}, not at commit: skipped"
            for hook in settings.precommit.local
            if hook.stages and not {"pre-commit", "commit", "commit-msg"} & set(hook.stages)
        ),
        *(f"pre-commit hook {note}: not honoured" for note in settings.precommit.ignored),
    )


def _executable(path: Path) -> bool:
    return os.access(path, os.X_OK) and path.is_file()


def _without_baseline(path: Path, findings: list[Finding]) -> tuple[list[Finding], int]:
    try:
        known = accepted(path.read_text(encoding="utf-8"))
    except OSError:
        return findings, 0
    kept = [f for f in findings if f.secret_hash is None or (f.path, f.secret_hash) not in known]
    return kept, len(findings) - len(kept)
