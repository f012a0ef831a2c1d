"""The few questions the hooks ask git: where the repository is, where its hooks live,
which files are tracked or staged, and the staged bytes of those files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tether.errors import QualityFailed, UsageError


def git(cwd: Path, *args: str) -> str:
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


def git_root(start: Path) -> Path:
    try:
        return Path(git(start, "rev-parse", "--show-toplevel").strip())
    except QualityFailed:
        raise UsageError(
            f"{start} is not in a git repository", hint="run `git init` first"
        ) from None


def hooks_dir(start: Path) -> Path:
    root = git_root(start)
    hooks = Path(git(root, "rev-parse", "--git-path", "hooks").strip())
    return hooks if hooks.is_absolute() else root / hooks


def tracked(root: Path) -> list[str]:
    return [path for path in git(root, "ls-files", "-z").split("\0") if path]


def staged(root: Path) -> list[str]:
    """Paths added, copied, modified or renamed in the index."""
    listing = git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")
    return [path for path in listing.split("\0") if path]


def index_contents(root: Path, paths: list[str]) -> dict[str, bytes]:
    """The staged bytes of `paths`, in one `git cat-file --batch` (symlinks skipped)."""
    if not paths:
        return {}
    modes = {}
    for line in git(root, "ls-files", "-s", "-z", "--", *paths).split("\0"):
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
