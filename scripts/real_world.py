"""Real-world conformance: lock each dependency set of `bench/corpus/` (copied from
public AI/ML projects, sources in bench/corpus/SOURCES.md) with tether and with uv at
one `--exclude-newer`, and check tether's lock.

A case passes when
- tether's pylock.toml validates with `packaging.pylock`;
- the package names agree with uv.lock's on >= 95% (of the union), and the set of
  versions per package on >= 95% (of the common names);
- for every Python minor the project admits (up to 3.14) on Linux x86_64, macOS arm64
  and Windows AMD64, `Pylock.select` (every extra, every group) gives a set in which
  every requirement of the project and of each selected package holds (read from the
  packages' core metadata) and every package has a wheel or an sdist for it.

    python scripts/real_world.py [--only NAME] [--exclude-newer 2026-12-01T00:00:00Z]
    python scripts/real_world.py --project ../shared/bench/workloads/ml-research

Needs the network (PyPI) and `uv` on PATH or in the running environment. Prints a table
and `N passed, M failed`; exit status 0 either way (a report, not a gate).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.pylock import Package, Pylock, PylockSelectError
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.commands.services import IndexOptions, index_client, resolve_indexes
from tether.index.page import DistFile, ProjectPage

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"
EXCLUDE_NEWER = "2026-12-01T00:00:00Z"
PLATFORMS = {
    "linux-x86_64": (
        {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
         "platform_machine": "x86_64"},
        [f"manylinux_2_{n}_x86_64" for n in range(39, 16, -1)]
        + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"],
    ),
    "macos-arm64": (
        {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
         "platform_machine": "arm64"},
        [f"macosx_{major}_0_{arch}" for major in range(15, 10, -1)
         for arch in ("arm64", "universal2")],
    ),
    "windows-amd64": (
        {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
         "platform_machine": "AMD64"},
        ["win_amd64"],
    ),
}  # fmt: skip


@dataclass
class Outcome:
    name: str
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    tether_seconds: float = 0.0
    uv_seconds: float = 0.0
    packages: int = 0
    names: float = 0.0
    versions: float = 0.0
    environments: int = 0
    notes: set[str] = field(default_factory=set)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="run only these cases")
    parser.add_argument("--exclude-newer", default=EXCLUDE_NEWER)
    parser.add_argument("--keep", type=Path, help="keep each case's locks under this directory")
    parser.add_argument(
        "--project", action="append", type=Path, default=[],
        help="check this project directory instead of the corpus (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.project:
        cases = [(path.resolve().name, path) for path in args.project]
    else:
        cases = sorted((p.name, p) for p in CORPUS.iterdir() if (p / "pyproject.toml").is_file())
    if args.only:
        cases = [c for c in cases if c[0] in args.only]
    outcomes = [run(name, path, args.exclude_newer, args.keep) for name, path in cases]
    print()
    print("| case | pkgs | names | versions | envs | tether s | uv s | result |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for o in outcomes:
        verdict = "pass" if o.ok else "FAIL: " + "; ".join(o.problems)[:300]
        print(
            f"| {o.name} | {o.packages} | {o.names:.1%} | {o.versions:.1%} | {o.environments} "
            f"| {o.tether_seconds:.1f} | {o.uv_seconds:.1f} | {verdict} |"
        )
    passed = sum(o.ok for o in outcomes)
    print(f"\n{passed} passed, {len(outcomes) - passed} failed")
    return 0


def run(name: str, source: Path, exclude_newer: str, keep: Path | None) -> Outcome:
    outcome = Outcome(name)
    with tempfile.TemporaryDirectory(prefix=f"tether-rw-{name}-") as scratch:
        work = Path(scratch)
        for tool in ("tether", "uv"):
            (work / tool).mkdir()
            shutil.copy(source / "pyproject.toml", work / tool / "pyproject.toml")
        started = time.monotonic()
        tether = subprocess.run(
            [sys.executable, "-m", "tether", "lock", "--exclude-newer", exclude_newer],
            cwd=work / "tether", capture_output=True, text=True, check=False,
        )  # fmt: skip
        outcome.tether_seconds = time.monotonic() - started
        started = time.monotonic()
        uv = subprocess.run(
            [_uv(), "lock", "--exclude-newer", exclude_newer],
            cwd=work / "uv", capture_output=True, text=True, check=False, env=_uv_environ(),
        )  # fmt: skip
        outcome.uv_seconds = time.monotonic() - started
        if keep is not None:
            shutil.copytree(work, keep / name, dirs_exist_ok=True)
        if tether.returncode != 0:
            outcome.problems.append("tether lock failed: " + _last(tether.stderr))
            return outcome
        if uv.returncode != 0:
            outcome.problems.append("uv lock failed: " + _last(uv.stderr))
            return outcome
        check(outcome, work / "tether", work / "uv" / "uv.lock")
    outcome.ok = not outcome.problems
    print(f"{name}: {'pass' if outcome.ok else 'FAIL ' + '; '.join(outcome.problems)[:400]}")
    for note in sorted(outcome.notes)[:3]:
        print(f"  note: {note}")
    return outcome


def check(outcome: Outcome, project: Path, uv_lock: Path) -> None:
    data = tomllib.loads((project / "pylock.toml").read_text())
    try:
        pylock = Pylock.from_dict(data)
    except Exception as err:  # noqa: BLE001 - any validation error fails the case
        outcome.problems.append(f"invalid pylock.toml: {err}")
        return
    pyproject: dict[str, Any] = tomllib.loads((project / "pyproject.toml").read_text())
    root = canonicalize_name(pyproject["project"]["name"])
    ours = _versions((p["name"], p.get("version")) for p in data["packages"])
    uv_data = tomllib.loads(uv_lock.read_text())
    theirs = _versions(
        (p["name"], p.get("version"))
        for p in uv_data["package"]
        if not p.get("source", {}).get("virtual") and not p.get("source", {}).get("editable")
    )
    ours.pop(root, None)
    theirs.pop(root, None)
    union, common = set(ours) | set(theirs), set(ours) & set(theirs)
    outcome.packages = len(ours)
    outcome.names = len(common) / len(union) if union else 1.0
    same = [n for n in common if ours[n] == theirs[n]]
    outcome.versions = len(same) / len(common) if common else 1.0
    if outcome.names < 0.95:
        outcome.problems.append(
            f"names agree {outcome.names:.1%}: only tether {sorted(set(ours) - set(theirs))[:8]}, "
            f"only uv {sorted(set(theirs) - set(ours))[:8]}"
        )
    if outcome.versions < 0.95:
        differ = sorted(n for n in common if ours[n] != theirs[n])
        outcome.problems.append(
            f"versions agree {outcome.versions:.1%}: "
            + ", ".join(f"{n} {sorted(ours[n])} vs {sorted(theirs[n])}" for n in differ[:6])
        )
    environments(outcome, pylock, pyproject, project, theirs)


def environments(
    outcome: Outcome,
    pylock: Pylock,
    pyproject: dict[str, Any],
    project: Path,
    upstream: dict[str, set[str]],
) -> None:
    """Default selection (no extras, default groups) must be installable and complete
    everywhere; so must everything (every extra and group, one side of each declared
    conflict), except where uv's lock holds the same uninstallable release (the
    package publishes nothing for that platform: upstream, not the lock)."""
    requires_python = SpecifierSet(pyproject["project"].get("requires-python", ""))
    metadata = _Metadata()
    excluded = _other_sides(pyproject)
    everything = (
        [e for e in pylock.extras if ("extra", e) not in excluded],
        [g for g in pylock.dependency_groups if ("group", g) not in excluded],
    )
    for minor in range(8, 15):
        full = f"3.{minor}.6"  # a patch release after the first few (some exclude x.y.0/1)
        if not requires_python.contains(full):
            continue
        for platform, (markers, platforms) in PLATFORMS.items():
            environment = {
                **markers, "python_version": f"3.{minor}", "python_full_version": full,
                "implementation_name": "cpython", "platform_python_implementation": "CPython",
                "implementation_version": full, "platform_release": "", "platform_version": "",
            }  # fmt: skip
            tags = _tags(minor, platforms)
            where = f"Python 3.{minor} {platform}"
            outcome.environments += 1
            for label, extras, groups in (("default", None, None), ("all", *everything)):
                try:
                    selected = list(
                        pylock.select(
                            environment=environment,  # type: ignore[arg-type]
                            tags=tags,
                            extras=extras,
                            dependency_groups=groups,
                        )
                    )
                except PylockSelectError as err:
                    if label == "all" and _upstream(str(err), pylock, upstream):
                        outcome.notes.add(f"{where} (all extras): upstream: {_short(err)}")
                        continue
                    outcome.problems.append(f"{where} ({label}): {err}")
                    continue
                roots = _roots(pyproject, extras, groups)
                unmet = _unmet(pyproject, roots, [p for p, _ in selected], environment, metadata)
                if unmet:
                    outcome.problems.append(f"{where} ({label}): " + ", ".join(unmet[:4]))


def _other_sides(pyproject: dict[str, Any]) -> set[tuple[str, str]]:
    """Every item of each declared conflict but its first: what "everything" leaves out."""
    found: set[tuple[str, str]] = set()
    for items in pyproject.get("tool", {}).get("tether", {}).get("conflicts", []):
        for item in items[1:]:
            kind = "extra" if "extra" in item else "group"
            found.add((kind, canonicalize_name(item[kind])))
    return found


def _upstream(error: str, pylock: Pylock, upstream: dict[str, set[str]]) -> bool:
    """Whether the release the selection could not install is in uv's lock too."""
    match = re.search(r"for package '([^']+)' at packages\[(\d+)\]", error)
    if match is None:
        return False
    package = pylock.packages[int(match.group(2))]
    name = canonicalize_name(package.name)
    return str(package.version) in upstream.get(name, set())


def _short(error: PylockSelectError) -> str:
    return str(error).split(",")[0][:120]


def _roots(
    pyproject: dict[str, Any], extras: list[str] | None, groups: list[str] | None
) -> list[Requirement]:
    """The project's requirements for a selection (None: the defaults)."""
    project = pyproject["project"]
    roots = [Requirement(r) for r in project.get("dependencies", [])]
    for extra, items in project.get("optional-dependencies", {}).items():
        if extras is not None and canonicalize_name(extra) in extras:
            roots += [Requirement(r) for r in items]
    declared = pyproject.get("dependency-groups", {})
    wanted = (
        groups if groups is not None else [g for g in declared if canonicalize_name(g) == "dev"]
    )
    for group, items in declared.items():
        if canonicalize_name(group) in {canonicalize_name(g) for g in wanted}:
            roots += [Requirement(r) for r in items if isinstance(r, str)]
    return roots


def _overrides(pyproject: dict[str, Any]) -> dict[str, list[Requirement]]:
    """The project's overrides (tether's or uv's), by package name."""
    tool = pyproject.get("tool", {})
    lines = [
        *tool.get("tether", {}).get("overrides", []),
        *tool.get("uv", {}).get("override-dependencies", []),
    ]
    found: dict[str, list[Requirement]] = {}
    for line in lines:
        requirement = Requirement(line)
        found.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return found


def _unmet(
    pyproject: dict[str, Any],
    roots: list[Requirement],
    selected: list[Package],
    environment: dict[str, str],
    metadata: _Metadata,
) -> list[str]:
    """Requirements of the project (`roots`) and of each selected package (with the
    extras asked of it) that the selection does not satisfy."""
    chosen = {canonicalize_name(p.name): p for p in selected}
    project = pyproject["project"]
    unmet: list[str] = []
    pending = [(r, "") for r in roots]
    seen: set[tuple[str, str]] = set()
    own = canonicalize_name(project["name"])
    overrides = _overrides(pyproject)
    while pending:
        requirement, extra = pending.pop()
        replaced = overrides.get(canonicalize_name(requirement.name))
        if replaced is not None and requirement not in replaced:
            pending += [(r, extra) for r in replaced]  # an override replaces every one
            continue
        if requirement.marker and not requirement.marker.evaluate({**environment, "extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name == own:
            continue
        package = chosen.get(name)
        if package is None or package.version is None:
            if package is None:
                unmet.append(f"{requirement} (not selected)")
            continue
        if not requirement.specifier.contains(package.version, prereleases=True):
            unmet.append(f"{requirement} ({name} {package.version} selected)")
        for wanted in ("", *sorted(canonicalize_name(e) for e in requirement.extras)):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            pending += [(r, wanted) for r in metadata.requires(package)]
    return unmet


class _Metadata:
    """Requires-Dist of locked packages, read through tether's index client and cache
    (the lock just filled it)."""

    def __init__(self) -> None:
        environ = dict(os.environ)
        self._client = index_client(
            resolve_indexes((), IndexOptions(), environ), IndexOptions(), environ
        )
        self._known: dict[tuple[str, str], list[Requirement]] = {}

    def requires(self, package: Package) -> list[Requirement]:
        key = (package.name, str(package.version))
        if key not in self._known:
            self._known[key] = self._read(package)
        return self._known[key]

    def _read(self, package: Package) -> list[Requirement]:
        files = [*(package.wheels or ()), *([package.sdist] if package.sdist else [])]
        for file in files:
            if file.url is None or file.name is None:
                continue
            dist = DistFile(
                filename=file.name, url=file.url, version=Version(str(package.version)),
                sha256=file.hashes.get("sha256"), size=file.size,
            )  # fmt: skip
            page = ProjectPage(name=canonicalize_name(package.name), url="", files=(dist,))
            result = self._client.metadata(dist, page=page)
            found = getattr(result, "metadata", None)
            if found is not None:
                return list(found.requires_dist)
        return []


def _tags(minor: int, platforms: list[str]) -> list[Tag]:
    version = (3, minor)
    return [
        *cpython_tags(version, platforms=platforms),
        *compatible_tags(version, interpreter=f"cp3{minor}", platforms=platforms),
    ]


def _versions(pairs: Iterable[tuple[str, object]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, version in pairs:
        found.setdefault(canonicalize_name(name), set()).add(
            str(Version(str(version))) if version else ""
        )
    return found


def _uv_environ() -> dict[str, str]:
    """uv finds an interpreter for the project's requires-python among pyenv's (a
    machine without network access to python-build-standalone cannot download one)."""
    environ = dict(os.environ)
    pyenv = Path(environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = sorted(pyenv.glob("3.*/bin"), reverse=True) if pyenv.is_dir() else []
    if found:
        environ["PATH"] = os.pathsep.join([*map(str, found), environ.get("PATH", "")])
        environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    return environ


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else (shutil.which("uv") or "uv")


def _last(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-3:])[:500]


if __name__ == "__main__":
    raise SystemExit(main())
