"""Filling an isolated build environment: resolve the backend's requirements for that
one interpreter and install the chosen wheels (the resolver and installer of `lock` and
`sync`, aimed at a single environment)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from filelock import FileLock
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.build.backend import Installer
from tether.commands.services import IndexOptions, index_client, open_cache, resolve_indexes
from tether.errors import BuildError
from tether.index import Index
from tether.install.apply import apply
from tether.install.plan import Wanted, plan
from tether.install.wheel import Target, installed
from tether.install.wheel_choice import best_wheel
from tether.provider.index_provider import IndexProvider, ProviderOptions, RootRequirements
from tether.python.interpreter import Interpreter, describe
from tether.python.venv import VirtualEnv, create
from tether.resolve import Package, solve
from tether.resolve.markers import Grid


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
        markers = interpreter.markers
        grid = Grid.build(
            f"=={interpreter.version}",
            [
                f"sys_platform == '{markers['sys_platform']}' and platform_machine == "
                f"'{markers['platform_machine']}' and implementation_name == "
                f"'{markers['implementation_name']}'"
            ],
        )
        client = index_client(resolve_indexes(indexes, options, environ), options, environ)
        root = RootRequirements(
            name=canonicalize_name("build-environment"),
            requirements=tuple((r, None) for r in requirements),
        )
        provider = IndexProvider(
            client,
            root,
            ProviderOptions(
                grid=grid, constraints={canonicalize_name(r.name): r for r in constraints}
            ),
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
            wanted.append(
                Wanted(
                    name=package.name,
                    version=str(version),
                    filename=wheel.filename,
                    url=wheel.url,
                    path=None,
                    sha256=wheel.sha256,
                    size=wheel.size,
                )
            )
        site = Path(interpreter.paths["purelib"])
        apply(
            plan(wanted, installed(site), exact=False),  # add to what is there
            target=Target.from_paths(interpreter.paths, environment.python),
            cache=open_cache(environ),
            http=lambda: client.http,
            offline=client.policy.offline,
        )

    return install_requirements


COMPLETE = ".tether-complete"


def cached_environment(
    root: Path,
    interpreter: Interpreter,
    requirements: Sequence[Requirement],
    *,
    install: Installer,
    prompt: str,
    refresh: bool = False,
    finish: Callable[[VirtualEnv], None] | None = None,
) -> Path:
    """The environment at `root` (in the cache) holding `requirements`, built now when
    missing, unfinished or `refresh`ed. Built in place under a file lock and marked
    complete last, so an interrupted build is redone rather than used; `finish` runs on
    the filled environment before the mark (an overlay's .pth file)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root) + ".lock"):
        if (root / COMPLETE).exists() and not refresh:
            return root
        shutil.rmtree(root, ignore_errors=True)
        environment = create(root, interpreter, prompt=prompt)
        install(list(requirements), environment)
        if finish is not None:
            finish(environment)
        (root / COMPLETE).write_text("\n".join(str(r) for r in requirements), encoding="utf-8")
    return root
