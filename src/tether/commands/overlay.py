"""`tether run --with PKG`: extra packages for one command, without touching the
project's environment.

They go into an overlay environment in the cache, keyed by what it holds and what it
lays over; a `.pth` file puts the project environment's site-packages behind the
overlay's, so the command sees both (the overlay first). Reused on the next run with
the same request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from tether.cache import Bucket
from tether.commands.build_env import installer
from tether.commands.services import IndexOptions, open_cache, resolve_indexes
from tether.environment.cached import cached_environment
from tether.errors import UsageError
from tether.project import Project
from tether.python.interpreter import describe
from tether.python.venv import VirtualEnv


def overlay(
    project: Project, environment: Path, requirements: Sequence[str], environ: Mapping[str, str]
) -> Path:
    try:
        parsed = [Requirement(r) for r in requirements]
    except InvalidRequirement as err:
        raise UsageError(
            f"invalid --with requirement: {err}", hint="e.g. --with 'rich>=13'"
        ) from None
    base = describe(environment / "bin" / "python")
    base_site = Path(base.paths["purelib"])
    key = hashlib.sha256(
        "\n".join([str(environment.resolve()), *sorted(str(r) for r in parsed)]).encode()
    ).hexdigest()[:32]
    indexes = resolve_indexes(project.settings.indexes, IndexOptions(), environ)

    def behind_project(env: VirtualEnv) -> None:
        site = Path(describe(env.python).paths["purelib"])
        # Processed by site after the overlay's own packages: the project's come second.
        (site / "_tether_project.pth").write_text(f"{base_site}\n", encoding="utf-8")

    return cached_environment(
        open_cache(environ).path(Bucket.OVERLAYS, key),
        base,
        parsed,
        install=installer(indexes, IndexOptions(), environ),
        prompt=f"{project.display_name}+with",
        finish=behind_project,
    )
