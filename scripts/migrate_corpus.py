"""Migration conformance: `tether migrate` on real Poetry and uv projects (copies in
`bench/migrate-corpus/`, sources and commits in its SOURCES.md).

A case passes when
- `tether migrate` exits 0 and prints no traceback;
- every comment of the original `pyproject.toml` is in the new one (comment text
  compared, wherever it moved);
- the new `pylock.toml` keeps >= 95% of the old lock's versions (of the packages both
  locks hold; a package the old lock pins at several versions counts as kept when
  tether's lock holds one of them).

    python scripts/migrate_corpus.py [--only NAME] [--keep DIR]

Needs the network (PyPI). Prints a table and `N passed, M failed`; exit status 0 either
way (a report, not a gate).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "migrate-corpus"
KEEP_RATIO = 0.95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--keep", type=Path, help="leave the migrated projects here")
    args = parser.parse_args()
    cases = sorted(p for p in CORPUS.iterdir() if (p / "pyproject.toml").exists())
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    rows, passed = [], 0
    work = Path(tempfile.mkdtemp(prefix="tether-migrate-"))
    try:
        for case in cases:
            row = run_case(case, work / case.name)
            rows.append(row)
            passed += row["ok"] == "yes"
            print(" | ".join(str(v) for v in row.values()), flush=True)
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print("| " + " | ".join(rows[0]) + " |" if rows else "no cases")
    print("|" + " --- |" * len(rows[0]) if rows else "")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row.values()) + " |")
    print(f"\n{passed} passed, {len(rows) - passed} failed")
    return 0


def run_case(case: Path, project: Path) -> dict[str, object]:
    project.mkdir(parents=True)
    shutil.copy(case / "pyproject.toml", project / "pyproject.toml")
    old_lock = None
    for packed in case.glob("*.lock.gz"):
        old_lock = project / packed.name.removesuffix(".gz")
        old_lock.write_bytes(gzip.decompress(packed.read_bytes()))
    original = (project / "pyproject.toml").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TETHER_")}
    env["TETHER_CACHE_DIR"] = str(project.parent / "cache")
    env["NO_COLOR"] = "1"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tether", "migrate"], cwd=project, env=env,
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    seconds = time.monotonic() - started
    migrated = (project / "pyproject.toml").read_text(encoding="utf-8")
    lost = sorted(comments(original) - comments(migrated))
    kept, common = kept_versions(old_lock, project / "pylock.toml")
    ratio = kept / common if common else 0.0
    error = "" if done.returncode == 0 else done.stderr.strip().splitlines()[0][:100]
    ok = (
        done.returncode == 0 and "Traceback" not in done.stderr and not lost and ratio >= KEEP_RATIO
    )
    return {
        "project": case.name,
        "from": old_lock.name if old_lock else "-",
        "exit": done.returncode,
        "traceback": "yes" if "Traceback" in done.stderr else "no",
        "comments lost": len(lost),
        "versions kept": f"{kept}/{common} ({ratio:.1%})",
        "seconds": f"{seconds:.1f}",
        "ok": "yes" if ok else "no",
        "error": error or ("; ".join(lost[:2]) if lost else ""),
    }


def comments(text: str) -> set[str]:
    """The text of every comment in a TOML file (outside strings, roughly: a `#` after
    an even number of quotes on its line)."""
    found = set()
    for line in text.splitlines():
        position = _comment_start(line)
        if position is not None:
            comment = line[position + 1 :].strip()
            if comment:
                found.add(re.sub(r"\s+", " ", comment))
    return found


def _comment_start(line: str) -> int | None:
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return index
    return None


def kept_versions(old_lock: Path | None, new_lock: Path) -> tuple[int, int]:
    """(kept, common): of the packages both locks hold, how many tether locked at a
    version the old lock had."""
    if old_lock is None or not new_lock.exists():
        return 0, 0
    old: dict[str, set[str]] = {}
    for package in tomllib.loads(old_lock.read_text(encoding="utf-8")).get("package", []):
        source = package.get("source", {})
        if isinstance(source, dict) and (source.get("editable") or source.get("virtual")):
            continue  # the project itself, a workspace member
        if "version" in package:
            old.setdefault(canonicalize_name(package["name"]), set()).add(str(package["version"]))
    new: dict[str, set[str]] = {}
    for package in tomllib.loads(new_lock.read_text(encoding="utf-8")).get("packages", []):
        if "version" in package and "directory" not in package:
            new.setdefault(canonicalize_name(package["name"]), set()).add(str(package["version"]))
    common = sorted(set(old) & set(new))
    kept = sum(1 for name in common if new[name] & old[name])
    return kept, len(common)


if __name__ == "__main__":
    raise SystemExit(main())
