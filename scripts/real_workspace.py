"""A real public monorepo as a tether workspace: lock it beside `uv lock` (same
`--exclude-newer`), sync it, and run members' code and tests with `tether run --package`.

The case is modelcontextprotocol/python-sdk (a uv workspace: the `mcp` root, with a
dynamic version and dynamic dependencies from hatch + uv-dynamic-versioning, 16 members,
`{ workspace = true }` sources, and a git dependency), at the commit below; tether reads
its `[tool.uv.workspace]` as it is, with no edit.

    python scripts/real_workspace.py SOURCE [--git-redirect URL=LOCAL ...] [--tests]

SOURCE is a clone of the repository (or any git URL/path `git clone` accepts); it is
cloned again into a scratch directory at COMMIT. `--git-redirect` maps a git URL to a
local copy through git's own `url.<base>.insteadOf` (for machines that cannot reach
GitHub: its git dependency `strict-no-cover`). Needs PyPI, `git` and `uv`. Prints what
it checked; exit status 1 when a step fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

COMMIT = "57394b0548d1e2dc2dce8d67d84985769df3b8bb"  # 2026-08-20, main
EXCLUDE_NEWER = "2026-08-21T00:00:00Z"
MEMBER_CHECKS = [
    ("mcp-simple-tool", ["mcp-simple-tool", "--help"]),
    ("mcp-types", ["python", "-c", "import mcp_types"]),
    ("mcp-simple-prompt", ["python", "-c", "import mcp_simple_prompt.server"]),
]
TESTS = ("mcp", ["pytest", "tests", "-q", "-n", "2", "-p", "no:cacheprovider", "-p", "no:pretty"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("--git-redirect", action="append", default=[], metavar="URL=LOCAL")
    parser.add_argument("--tests", action="store_true", help="also run the root's test suite")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TETHER_", "UV_"))}
    for position, mapping in enumerate(args.git_redirect):
        url, _, local = mapping.partition("=")
        env[f"GIT_CONFIG_KEY_{position}"] = f"url.{local}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{position}"] = url
    env["GIT_CONFIG_COUNT"] = str(len(args.git_redirect))
    scratch = Path(tempfile.mkdtemp(prefix="tether-workspace-"))
    env["TETHER_CACHE_DIR"] = str(scratch / "cache")
    env["UV_CACHE_DIR"] = str(scratch / "uv-cache")
    env["NO_COLOR"] = "1"
    failed = 0
    try:
        repo = scratch / "repo"
        subprocess.run(["git", "clone", "-q", args.source, str(repo)], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "checkout", "-q", COMMIT], check=True, env=env)
        ours = repo / "pylock.toml"
        failed += step("tether lock", [*TETHER, "lock", "--upgrade", "--exclude-newer",
                                       EXCLUDE_NEWER], repo, env)  # fmt: skip
        uv_copy = scratch / "uv"
        shutil.copytree(repo, uv_copy, ignore=shutil.ignore_patterns(".venv", "pylock.toml"))
        (uv_copy / "uv.lock").unlink()
        failed += step("uv lock", [uv(), "lock", "--exclude-newer", EXCLUDE_NEWER], uv_copy, env)
        if ours.exists() and (uv_copy / "uv.lock").exists():
            failed += compare(ours, uv_copy / "uv.lock")
        failed += step("tether sync", [*TETHER, "sync"], repo, env)
        for member, command in MEMBER_CHECKS:
            failed += step(
                f"tether run --package {member}",
                [*TETHER, "run", "--package", member, *command],
                repo,
                env,
            )
        if args.tests:
            member, command = TESTS
            run = [*TETHER, "run", "--package", member, *command]
            step(f"tether run --package {member} pytest (a report)", run, repo, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{'failed' if failed else 'passed'}: {failed} step(s) failed")
    return 1 if failed else 0


TETHER = [sys.executable, "-m", "tether"]


def uv() -> str:
    return shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def step(name: str, command: list[str], cwd: Path, env: dict[str, str]) -> int:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
    print(f"{'ok  ' if done.returncode == 0 else 'FAIL'} {name}: " + " | ".join(tail))
    return 0 if done.returncode == 0 else 1


def compare(pylock: Path, uv_lock: Path) -> int:
    """Package names and versions, tether's lock against uv's."""
    ours: dict[str, set[str | None]] = {}
    for package in tomllib.loads(pylock.read_text())["packages"]:
        ours.setdefault(package["name"], set()).add(package.get("version"))
    theirs: dict[str, set[str | None]] = {}
    for package in tomllib.loads(uv_lock.read_text())["package"]:
        theirs.setdefault(package["name"], set()).add(package.get("version"))
    common = set(ours) & set(theirs)
    same = [n for n in common if ours[n] == theirs[n] or ours[n] == {None}]
    print(
        f"     names: {len(ours)} tether, {len(theirs)} uv, {len(common)} common; "
        f"versions equal for {len(same)}/{len(common)}"
    )
    return 0 if set(ours) == set(theirs) and len(same) == len(common) else 1


if __name__ == "__main__":
    raise SystemExit(main())
