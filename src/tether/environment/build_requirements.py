"""What an isolated build environment installs: the backend's requirements resolved for
that one interpreter (its version, platform and implementation), within the project's
build constraints, each as the wheel the interpreter takes best."""

from __future__ import annotations

from collections.abc import Sequence

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.errors import BuildError
from tether.index.client import IndexClient
from tether.install.plan import Wanted
from tether.install.wheel_choice import best_wheel
from tether.provider.index_provider import (
    IndexProvider,
    ProviderOptions,
    RootRequirement,
    RootRequirements,
)
from tether.python.interpreter import Interpreter
from tether.resolve import Package, solve
from tether.resolve.markers import Grid


def build_requirement_wheels(
    client: IndexClient,
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    interpreter: Interpreter,
) -> list[Wanted]:
    markers = interpreter.markers
    grid = Grid.build(
        f"=={interpreter.version}",
        [
            f"sys_platform == '{markers['sys_platform']}' and platform_machine == "
            f"'{markers['platform_machine']}' and implementation_name == "
            f"'{markers['implementation_name']}'"
        ],
    )
    root = RootRequirements(
        name=canonicalize_name("build-environment"),
        requirements=tuple(RootRequirement(r) for r in requirements),
    )
    provider = IndexProvider(
        client,
        root,
        ProviderOptions(grid=grid, constraints=tuple(constraints)),
    )
    try:
        resolution = solve(Package.root("build-environment"), Version("0"), provider)
    finally:
        provider.close()
    wanted = []
    for package, version in resolution.versions.items():
        if package.extra is not None:
            continue
        release = provider.release(package.name, version)
        wheel = best_wheel(release.files, interpreter)
        if wheel is None or not wheel.sha256:
            raise BuildError(
                f"the build requirement {package.name} {version} has no wheel for "
                f"Python {interpreter.version}; building it from source is not supported yet"
            )
        wanted.append(Wanted.from_index(package.name, str(version), wheel))
    return wanted
