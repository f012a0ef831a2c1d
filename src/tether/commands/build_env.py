"""Filling an isolated build environment: resolve the backend's requirements for that
one interpreter and install the chosen wheels (the resolver and installer of `lock` and
`sync`, aimed at a single environment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.requirements import Requirement

from tether.build.backend import Installer
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.environment.build_requirements import build_requirement_wheels
from tether.index import Index
from tether.install.apply import apply
from tether.install.plan import plan
from tether.install.wheel import Target, installed
from tether.python.interpreter import describe
from tether.python.venv import VirtualEnv


def installer(
    indexes: tuple[Index, ...],
    options: IndexOptions,
    environ: Mapping[str, str],
    constraints: Sequence[Requirement] = (),
) -> Installer:
    """An `Installer` for `build.backend`: requirements in, environment filled, within
    `constraints` (the project's build-constraint-dependencies)."""

    def install_requirements(requirements: Sequence[Requirement], environment: VirtualEnv) -> None:
        interpreter = describe(environment.python)
        client = index_client(resolve_indexes(indexes, options, environ), options, environ)
        wanted = build_requirement_wheels(client, requirements, constraints, interpreter)
        site = Path(interpreter.paths["purelib"])
        apply(
            plan(wanted, installed(site), exact=False),  # add to what is there
            target=Target.from_paths(interpreter.paths, environment.python),
            cache=open_cache(environ),
            http=lambda: client.http,
            offline=client.policy.offline,
        )

    return install_requirements
