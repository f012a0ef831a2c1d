"""Run Astral's packse resolver scenarios against `tether lock`, served on 127.0.0.1.

Each scenario's packages are built as real wheels/sdists by the test index
(tests/support), the root requirements become a temporary project, and `tether lock`
resolves it: universal scenarios with the scenario's requires-python, the others for
the scenario's one Python (`requires-python = "==3.13.*"` by default). A scenario passes
when satisfiability matches and every expected package has the expected version.

    python scripts/packse_scenarios.py [DIR] [-v] [-k SUBSTRING]

DIR defaults to ../shared/data/packse-scenarios/uv-2026-08. Prints one line per failure
with its reason, then `N passed, M failed`. Exit status 0 either way (it is a
conformance report, not a gate), 2 if DIR is missing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.dists import Dist
from tests.support.index_server import IndexServer

from tether.commands.lock import LockOptions, lock
from tether.commands.services import IndexOptions
from tether.errors import ResolutionError, TetherError

DEFAULT_DIR = ROOT.parent / "shared" / "data" / "packse-scenarios" / "uv-2026-08"
UNSUPPORTED_OPTIONS: tuple[str, ...] = ()
# The Python a scenario runs with when it names none (uv's test generator's default in
# this scenario set: `wheels/specific-architecture` ships cp313 wheels only).
DEFAULT_PYTHON = "3.13"
# uv's --python-platform targets, as the environment markers they stand for.
PLATFORMS = {
    "x86_64-manylinux2014": "sys_platform == 'linux' and platform_machine == 'x86_64'",
    "x86_64-unknown-linux-gnu": "sys_platform == 'linux' and platform_machine == 'x86_64'",
    "aarch64-apple-darwin": "sys_platform == 'darwin' and platform_machine == 'arm64'",
    "x86_64-pc-windows-msvc": "sys_platform == 'win32' and platform_machine == 'AMD64'",
}


def dists(scenario: dict[str, Any]) -> list[Dist]:
    built = []
    for name, package in scenario.get("packages", {}).items():
        for version, raw in (package.get("versions") or {}).items():
            spec = raw or {}
            tags = tuple(spec.get("wheel_tags") or ("py3-none-any",))
            built.append(
                Dist(
                    name,
                    version,
                    requires=spec.get("requires", []),
                    extras=spec.get("extras", {}),
                    requires_python=spec.get("requires_python"),
                    tags=tags,
                    wheel=spec.get("wheel", True),
                    sdist=spec.get("sdist", True),
                    yanked=bool(spec.get("yanked", False)),
                )
            )
    return built


def project_text(scenario: dict[str, Any]) -> str:
    options = scenario.get("resolver_options", {})
    python = options.get("python") or scenario.get("environment", {}).get("python", DEFAULT_PYTHON)
    compile_kind = scenario.get("testgen", {}).get("kind") == "compile"
    if options.get("universal") and compile_kind:
        # uv runs these as `uv pip compile --universal --python-version X`: the
        # target Python is the lower bound, whatever the root package declares.
        requires_python = options.get("requires_python") or f">={python}"
    elif options.get("universal"):
        requires_python = (
            options.get("requires_python")
            or scenario.get("root", {}).get("requires_python")
            or f">={python}"
        )
    else:
        requires_python = f"=={python}" if python.count(".") == 2 else f"=={python}.*"
    requires = scenario.get("root", {}).get("requires", [])
    lines = [
        "[project]",
        'name = "packse-root"',
        'version = "0.1.0"',
        f"requires-python = {_toml(requires_python)}",
        "dependencies = [" + ", ".join(_toml(r) for r in requires) + "]",
    ]
    settings = [
        f"{key.replace('_', '-')}-package = [" + ", ".join(_toml(n) for n in names) + "]"
        for key in ("no_build", "no_binary")
        if (names := options.get(key))
    ]
    required = list(options.get("required_environments") or [])
    if platform := options.get("python_platform"):
        # Resolving for one platform: the lock serves it, and must be installable there.
        target = PLATFORMS[platform]
        required.append(target)
        settings.append(f"environments = [{_toml(target)}]")
    if required:
        settings.append("required-environments = [" + ", ".join(_toml(m) for m in required) + "]")
    if settings:
        lines += ["", "[tool.tether]", *settings]
    return "\n".join(lines) + "\n"


def run(path: Path) -> tuple[bool, str]:
    scenario = tomllib.loads(path.read_text())
    options = scenario.get("resolver_options", {})
    unsupported = [o for o in UNSUPPORTED_OPTIONS if o in options]
    if unsupported:
        return False, f"unsupported resolver option(s): {', '.join(unsupported)}"
    expected = scenario.get("expected", {})
    with tempfile.TemporaryDirectory() as tmp, IndexServer(dists(scenario)) as server:
        root = Path(tmp)
        (root / "pyproject.toml").write_text(project_text(scenario))
        prerelease = "allow" if options.get("prereleases") else None
        try:
            lock(
                LockOptions(
                    start=root,
                    index=IndexOptions(index_url=server.index_url),
                    environ={"TETHER_CACHE_DIR": str(root / "cache"), "TETHER_HTTP_RETRIES": "0"},
                    resolution=options.get("resolution"),
                    prerelease=prerelease,
                )
            )
        except ResolutionError as err:
            if expected.get("satisfiable", True):
                return False, "unsatisfiable, expected a solution: " + err.explanation.splitlines()[
                    -1
                ]
            return True, ""
        except TetherError as err:
            return False, f"error: {err.message}"
        if not expected.get("satisfiable", True):
            return False, "found a solution, expected none"
        locked = tomllib.loads((root / "pylock.toml").read_text())
        versions: dict[str, list[str]] = {}
        for package in locked["packages"]:
            versions.setdefault(package["name"], []).append(package.get("version"))
        for name, version in (expected.get("packages") or {}).items():
            found = versions.get(name.replace("_", "-").lower())
            if not found or version not in found:
                return False, f"{name}: expected {version}, locked {found}"
    return True, ""


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("-k", dest="match", default="")
    parser.add_argument("-v", action="store_true", help="print passing scenarios too")
    args = parser.parse_args()
    if not args.directory.is_dir():
        print(f"no scenarios at {args.directory}", file=sys.stderr)
        return 2
    passed = failed = 0
    for path in sorted(args.directory.rglob("*.toml")):
        if args.match not in str(path):
            continue
        ok, reason = run(path)
        name = path.relative_to(args.directory)
        if ok:
            passed += 1
            if args.v:
                print(f"PASS {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {reason}")
    print(f"{passed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
