"""The GitHub Actions workflow `tether ci init` writes: every job runs the tether command
a developer runs locally (fmt, lint, deps, typecheck, audit, tests on each supported
Python), installs from the lock (`--locked`: a stale lock fails CI), and caches tether's
global cache keyed by the lock. A pure function of the project's facts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from packaging.specifiers import SpecifierSet
from packaging.version import Version

# The CPython minors a new workflow may test (those still supported or current).
KNOWN_MINORS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")


def supported_pythons(requires_python: str) -> list[str]:
    """The known minors `requires-python` admits (its upper bound honoured here, since
    a test matrix is a choice, not a resolution)."""
    allowed = SpecifierSet(requires_python)
    chosen = [m for m in KNOWN_MINORS if allowed.contains(Version(f"{m}.0"), prereleases=True)]
    return chosen or [KNOWN_MINORS[-2]]


_COMMIT = re.compile(r"@[0-9a-f]{40}(?:#.*)?$")
_HASHED = re.compile(r"#(?:.*&)?sha256=[0-9a-f]{64}\b")


def pinned_source_problem(spec: str) -> str | None:
    """Why `spec` is not a pinned, verifiable place to install tether from in CI (None:
    it is): a VCS URL at a full commit, an archive URL with its `#sha256=`, or a file
    committed with the project (a path)."""
    text = spec.strip()
    if text.startswith(("git+", "hg+")):
        return None if _COMMIT.search(text) else "a VCS URL must name a full commit (@<40 hex>)"
    if text.startswith(("https://", "http://")):
        return None if _HASHED.search(text) else "an archive URL must end with #sha256=<hash>"
    if text.startswith(("./", "../", "/")) and text.endswith((".whl", ".tar.gz")):
        return None
    return "give a git URL at a commit, an archive URL with #sha256=, or a committed wheel"


def workflow(
    *,
    project: str,
    pythons: Sequence[str],
    install: str,
    torch_backends: bool = False,
) -> str:
    latest = pythons[-1]
    matrix = ", ".join(f'"{p}"' for p in pythons)
    cpu = "\n  TETHER_TORCH_BACKEND: cpu  # CI runners have no GPU" if torch_backends else ""
    template = f"""\
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "@PYTHON@"
      - uses: actions/cache@v4
        with:
          path: ~/.cache/tether
          key: tether-${{{{ runner.os }}}}-@PYTHON@-${{{{ hashFiles('pylock.toml') }}}}
          restore-keys: tether-${{{{ runner.os }}}}-@PYTHON@-
      # tether itself, from the pinned source `tether ci init --install` was given
      # (never a bare name on PyPI: whoever registers it there would run in your CI).
      - run: python -m pip install "{install}"
"""

    def setup(python: str) -> str:
        return template.replace("@PYTHON@", python)

    return f"""\
# CI for {project}, written by `tether ci init`. Every step is a tether command you can
# run locally; the environment is installed from pylock.toml (`--locked` fails on a
# stale lock, so the lock is always committed with the change that needs it).
name: CI

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

env:
  TETHER_PYTHON: "{latest}"{cpu}

jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
{setup(latest)}      - run: tether lock --check
      - run: tether sync --locked
      - run: tether fmt --check
      - run: tether lint
      - run: tether deps

  typecheck:
    runs-on: ubuntu-latest
    steps:
{setup(latest)}      - run: tether sync --locked
      - run: tether typecheck

  test:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        python-version: [{matrix}]
    env:
      TETHER_PYTHON: ${{{{ matrix.python-version }}}}
    steps:
{setup("${{ matrix.python-version }}")}      - run: tether sync --locked
      - run: tether test

  security:
    runs-on: ubuntu-latest
    steps:
{setup(latest)}      - run: tether audit
      - run: tether hooks run --all-files
"""
