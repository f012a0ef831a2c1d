"""`tether audit`: every locked (or installed, or named) package version checked against
known vulnerabilities, from PyPI's JSON API (the default), the OSV API, or a local
advisory database; findings listed with the smallest upgrade that clears them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tether.commands.basics import IndexOptions, open_cache
from tether.environment.freshness import lock_location
from tether.errors import ProjectError, UsageError
from tether.project import Project, try_find_pyproject
from tether.project.workspace import open_project
from tether.quality.advisory_sources import (
    OSV_URL,
    PYPI_URL,
    AdvisorySource,
    LocalDatabase,
    OsvApi,
    PypiJson,
)
from tether.quality.audit import (
    AuditResult,
    audit_releases,
    configured_ignores,
    locked_releases,
    parse_pin,
)

SOURCES = ("pypi", "osv")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditOptions:
    start: Path
    environ: Mapping[str, str]
    source: str = "pypi"  # or "osv"; `db` overrides both
    db: Path | None = None
    pypi_url: str | None = None
    osv_url: str | None = None
    packages: tuple[str, ...] = ()  # NAME==VERSION pins to audit instead of the lock
    requirement_files: tuple[Path, ...] = ()
    installed: bool = False  # the project's environment instead of its lock
    ignore: tuple[str, ...] = ()
    ignore_unknown: bool = False
    index: IndexOptions = field(default_factory=IndexOptions)
    frozen: bool = False  # audit the lock as it is (else: lock first when it is stale)
    locked: bool = False  # fail when the lock is stale


def audit(options: AuditOptions) -> AuditResult:
    pyproject = try_find_pyproject(options.start)
    project = open_project(pyproject) if pyproject is not None else None
    configured: Mapping[str, object] = project.settings.quality.get("audit", {}) if project else {}
    releases = _what_to_audit(options, project)
    source = _source(options, configured, project)
    ignore = set(options.ignore) | set(configured_ignores(configured, pyproject))
    return audit_releases(
        source,
        releases,
        ignore,
        ignore_unknown=options.ignore_unknown or configured.get("ignore-unknown") is True,
    )


def _what_to_audit(options: AuditOptions, project: Project | None) -> list[tuple[str, str]]:
    """The (name, version) pairs to check."""
    if options.packages or options.requirement_files:
        pins = [*options.packages, *_pins_from_files(options)]
        return sorted({parse_pin(text) for text in pins})
    if project is None:
        raise ProjectError(
            f"no pyproject.toml in {options.start} or above, and no packages named",
            hint="run it in a project, or name what to audit: `tether audit requests==2.19.0` "
            "or `tether audit -r requirements.txt`",
        )
    if options.installed:
        return _installed(project.environment(options.environ))
    if not options.frozen:  # as export, tree and sync: a stale or missing lock is made first
        from tether.commands.lock import LockOptions, lock  # noqa: PLC0415

        lock(
            LockOptions(
                start=project.root,
                index=options.index,
                environ=options.environ,
                check=options.locked,
            )
        )
    return locked_releases(lock_location(project))


def _installed(environment: Path) -> list[tuple[str, str]]:
    from tether.install.wheel import installed  # noqa: PLC0415

    sites = sorted(environment.glob("lib/python*/site-packages"))
    if not sites:
        raise UsageError(
            f"there is no environment at {environment}", hint="run `tether sync` first"
        )
    found = set()
    for site in sites:
        for name, dist in installed(site).items():
            found.add((name, dist.version))
    return sorted(found)


def _pins_from_files(options: AuditOptions) -> Iterable[str]:
    from tether.project.requirements_txt import read_requirements  # noqa: PLC0415

    read = read_requirements(list(options.requirement_files), options.environ)
    for entry in read.requirements:
        yield str(entry.requirement)


def _source(
    options: AuditOptions, configured: Mapping[str, object], project: Project | None
) -> AdvisorySource:
    if options.db is not None:
        return LocalDatabase(options.db if options.db.is_absolute() else options.start / options.db)
    if project is not None and options.source == "pypi" and isinstance(configured.get("db"), str):
        # `[tool.tether.audit] db = "..."`, relative to the project: the default source.
        return LocalDatabase(project.root / str(configured["db"]))
    source = options.source
    if source == "pypi" and configured.get("source") == "osv":
        source = "osv"
    if source not in SOURCES:
        raise UsageError(f"unknown advisory source {options.source!r} (pypi, osv, or --db PATH)")
    from tether.commands.services import index_client  # noqa: PLC0415

    client = index_client((), options.index, options.environ, offline_hint=False)
    if client.policy.offline:
        raise UsageError(
            "an audit against PyPI or OSV needs the network",
            hint="use --db PATH with a local copy of the PyPA advisory database",
        )
    cache = open_cache(options.environ)
    if source == "osv":
        url = options.osv_url or str(configured.get("osv-url") or OSV_URL)
        return OsvApi(client.http, cache, base_url=url)
    url = options.pypi_url or str(configured.get("pypi-url") or PYPI_URL)
    return PypiJson(client.http, cache, base_url=url)
