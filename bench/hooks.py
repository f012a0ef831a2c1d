"""`tether hooks run` beside `pre-commit run` on the same staged 200-file change.

    python bench/hooks.py [--files 200] [--reps 5]

Makes a git repository with a change of N files (Python, YAML, TOML, JSON, Markdown),
staged, and times each tool checking it with the same checks: trailing whitespace,
end of file, YAML/TOML/JSON validity, large files, private keys, merge markers, ruff
check and ruff format. pre-commit runs them as `language: system` hooks from
pre-commit-hooks and ruff installed in its own virtual environment (no hook repository
is cloned, so no network time is counted); tether runs its built-in checks and the same
ruff. Both are timed warm (one unmeasured run first), median of --reps runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# pre-commit's hooks as `language: system` entries: (id, entry, file types).
HOOKS = (
    ("trailing-whitespace", "trailing-whitespace-fixer", "[text]"),
    ("end-of-file-fixer", "end-of-file-fixer", "[text]"),
    ("check-yaml", "check-yaml", "[yaml]"),
    ("check-toml", "check-toml", "[toml]"),
    ("check-json", "check-json", "[json]"),
    ("check-added-large-files", "check-added-large-files", "[file]"),
    ("detect-private-key", "detect-private-key", "[text]"),
    ("check-merge-conflict", "check-merge-conflict", "[text]"),
    ("ruff", "ruff check --force-exclude", "[python]"),
    ("ruff-format", "ruff format --check --force-exclude", "[python]"),
)
PRE_COMMIT_CONFIG = "repos:\n  - repo: local\n    hooks:\n" + "".join(
    f"      - id: {hook}\n        name: {hook}\n        entry: {entry}\n"
    f"        language: system\n        types: {types}\n"
    for hook, entry, types in HOOKS
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tether-hooks-bench-"))
    try:
        tools = work / "tools"
        venv.create(tools, with_pip=True)
        pip = [str(tools / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run(
            [*pip, "pre-commit", "pre-commit-hooks", "ruff", "-e", str(REPO)], check=True
        )
        repo = _repository(work / "repo", args.files)
        env = {
            **os.environ,
            "PATH": f"{tools / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "TETHER_CACHE_DIR": str(work / "cache"),
            "PRE_COMMIT_HOME": str(work / "pc"),
        }
        # Not at the default name: tether would run pre-commit's local hooks as well.
        (repo / "bench-pre-commit.yaml").write_text(PRE_COMMIT_CONFIG)
        (repo / "pyproject.toml").write_text(
            '[project]\nname = "bench"\nversion = "0"\ndependencies = []\n\n[dependency-groups]\n'
            'dev = ["ruff"]\n\n[tool.tether.hooks]\nchecks = ["toml", "yaml", "json", '
            '"whitespace", "eof", "large-files", "private-keys", "merge-conflicts", "ruff", '
            '"ruff-format"]\n'
        )
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        commands = {
            "pre-commit run": [
                str(tools / "bin" / "pre-commit"),
                "run",
                "-c",
                "bench-pre-commit.yaml",
            ],
            "tether hooks run": [str(tools / "bin" / "tether"), "hooks", "run"],
        }
        if os.environ.get("BENCH_KEEP"):
            print(f"repository kept at {repo}")
        # tether's ruff comes from the project environment: sync it once, unmeasured.
        subprocess.run([str(tools / "bin" / "tether"), "sync", "-q"], cwd=repo, env=env, check=True)
        times: dict[str, list[float]] = {}
        for command in commands.values():
            subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)  # warm
        for _ in range(args.reps):
            for name, command in commands.items():
                began = time.perf_counter()
                done = subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)
                times.setdefault(name, []).append(time.perf_counter() - began)
                if done.returncode != 0:
                    print(f"{name} failed:\n{done.stdout.decode()}{done.stderr.decode()}")
                    return 1
        base = statistics.median(times["pre-commit run"])
        print(f"{args.files} staged files, median of {args.reps} warm runs ({os.cpu_count()} CPUs)")
        print(f"{'tool':<18}{'median':>9}{'min':>9}{'max':>9}{'ratio':>8}")
        for name, values in times.items():
            median = statistics.median(values)
            print(
                f"{name:<18}{median:>8.2f}s{min(values):>8.2f}s{max(values):>8.2f}s"
                f"{median / base:>7.2f}x"
            )
        return 0
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


def _repository(root: Path, count: int) -> Path:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    kinds = ["py", "py", "py", "yaml", "toml", "json", "md"]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        path = root / f"pkg{n % 10}" / f"file{n}.{kind}"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_content(kind, n))
    return root


def _content(kind: str, n: int) -> str:
    if kind == "py":
        body = "".join(f"def f{n}_{i}(x: int) -> int:\n    return x * {i}\n\n\n" for i in range(20))
        return f'"""Module {n}."""\n\n\n' + body.rstrip() + "\n"
    if kind == "yaml":
        return "".join(f"key{i}:\n  name: item-{i}\n  values: [1, 2, 3]\n" for i in range(40))
    if kind == "toml":
        return "".join(f'[section{i}]\nname = "item-{i}"\nvalues = [1, 2, 3]\n' for i in range(40))
    if kind == "json":
        items = ", ".join(
            f'"key{i}": {{"name": "item-{i}", "values": [1, 2, 3]}}' for i in range(40)
        )
        return "{" + items + "}\n"
    return (
        "".join(f"# Heading {i}\n\nSome text for paragraph {i}.\n\n" for i in range(30)).rstrip()
        + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())
