"""Whether a project's lock was made from its pyproject.toml as it is now: what `run`,
`sync` and `env` ask before deciding to lock again."""

from __future__ import annotations

from tether.commands.locations import lock_location
from tether.errors import LockError
from tether.lock.freshness import check_inputs, resolver_options
from tether.project import Project
from tether.project.fingerprint import inputs


def lock_is_fresh(project: Project) -> bool:
    """The lock exists and was made from pyproject.toml as it is now."""
    settings = project.settings
    fingerprints = inputs(
        project,
        resolver_options(
            resolution=settings.resolution.value,
            prerelease=settings.prerelease.value,
            exclude_newer=settings.exclude_newer_input(),
            exclude_newer_package=settings.exclude_newer_package_inputs,
        ),
    )
    try:
        check_inputs(lock_location(project), fingerprints)
    except LockError:
        return False
    return True
