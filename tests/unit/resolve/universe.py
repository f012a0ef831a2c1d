"""An in-memory provider: a universe of packages written as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from packaging.version import Version

from tether.resolve import Available, Dependency, Package, Unavailable
from tether.resolve.version_set import from_specifier

# name -> version -> {dependency name: specifier}
Universe = Mapping[str, Mapping[str, Mapping[str, str]]]


class MemoryProvider:
    def __init__(
        self,
        universe: Universe,
        *,
        unavailable: Mapping[tuple[str, str], str] | None = None,
        lowest: bool = False,
    ) -> None:
        self.universe = universe
        self.unavailable = dict(unavailable or {})
        self.lowest = lowest
        self.asked: list[str] = []

    def versions(self, package: Package) -> Sequence[Version]:
        self.asked.append(str(package))
        return sorted(
            (Version(v) for v in self.universe.get(package.name, {})), reverse=not self.lowest
        )

    def dependencies(self, package: Package, version: Version) -> Available | Unavailable:
        key = (package.name, str(version))
        if key in self.unavailable:
            return Unavailable(self.unavailable[key])
        releases = self.universe[package.name]
        requirements = next(r for v, r in releases.items() if Version(v) == version)
        return Available(
            tuple(
                Dependency(Package(name), from_specifier(spec))
                for name, spec in requirements.items()
            )
        )

    def prefetch(self, packages: Iterable[Package]) -> None:
        pass


def solve_universe(
    universe: Universe, root: Mapping[str, str], **options: object
) -> dict[str, str]:
    from tether.resolve import solve

    provider = MemoryProvider({**universe, "root": {"1.0.0": root}}, **options)  # type: ignore[arg-type]
    resolution = solve(Package.root("root"), Version("1.0.0"), provider)
    return {str(p): str(v) for p, v in sorted(resolution.versions.items())}
