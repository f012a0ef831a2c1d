"""The verbs, by name. Each module has `configure(parser)` and `handle(args, ctx) -> int`;
only the module of the verb being run is imported (start-up stays lean)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verb:
    name: str
    summary: str
    module: str
    # Everything after the verb goes to the tool it runs (`tether test -q -k x`): global
    # options are only read before the verb.
    passthrough: bool = False


VERBS: tuple[Verb, ...] = (
    Verb("init", "Create a new project (pyproject.toml, src layout, dev tools)", "init"),
    Verb("add", "Add dependencies to pyproject.toml, then lock and sync", "add"),
    Verb("remove", "Remove dependencies from pyproject.toml, then lock and sync", "remove"),
    Verb("lock", "Resolve the project for every supported environment into pylock.toml", "lock"),
    Verb("upgrade", "Re-lock with the newest allowed versions, show what moved, sync", "upgrade"),
    Verb("sync", "Make the project's environment match the lock", "sync"),
    Verb(
        "run",
        "Run a command in the project's environment (locking and syncing first if needed)",
        "run",
    ),
    Verb("task", "Run a task from [tool.tether.tasks] (no name: list them)", "task"),
    Verb("tree", "Show the locked dependency graph", "tree"),
    Verb(
        "pip",
        "pip-tools workflow: compile requirements.in into pins, sync a venv to them",
        "pip",
    ),
    Verb("export", "Write the lock in another format (a hashed requirements file)", "export"),
    Verb("check", "Check the environment: requirements met, contents match the lock", "check"),
    Verb("fmt", "Format the code with ruff (--check to only check)", "quality"),
    Verb("lint", "Lint the code with ruff, security rules included (--fix)", "quality"),
    Verb("typecheck", "Type-check the code with mypy and the project's configuration", "quality"),
    Verb(
        "test",
        "Run the tests with pytest (arguments passed through)",
        "quality",
        passthrough=True,
    ),
    Verb("deps", "Find missing, transitive, dev-only and unused dependencies from imports", "deps"),
    Verb("hooks", "Git hooks with tether's checks (install, run [--all-files] [--fix])", "hooks"),
    Verb("ci", "Write a GitHub Actions workflow that runs tether's checks (ci init)", "ci"),
    Verb(
        "check-all",
        "Run fmt --check, lint, typecheck, deps, audit and test; summarise in a table",
        "check_all",
    ),
    Verb(
        "tool", "Run a tool from a cached, isolated environment (tool run NAME, like uvx)", "tool"
    ),
    Verb("audit", "Check locked or installed packages for known vulnerabilities", "audit"),
    Verb("build", "Build the project's sdist and wheel into dist/ (PEP 517)", "build"),
    Verb("publish", "Upload dist/* to PyPI or a configured index, checking them first", "publish"),
    Verb(
        "version", "Show, set or bump the project's version (major, minor, patch, pre)", "version"
    ),
    Verb("env", "Describe the project's environment, or switch its Python (info, use)", "env"),
    Verb("cache", "Show or clean the global cache (dir, size, clean [PKG], prune)", "cache"),
    Verb(
        "migrate",
        "Rewrite a Poetry project as PEP 621 and PEP 735, keeping its locked versions",
        "migrate",
    ),
    Verb("project", "Show the project as tether reads it, validating pyproject.toml", "project"),
    Verb("index", "Show what the package indexes serve: versions, files, metadata", "index"),
    Verb("python", "List the Python interpreters tether finds, or the one it would use", "python"),
    Verb("venv", "Create a virtual environment (fast, without pip)", "venv"),
)
