"""`tether audit`: every locked (or installed, or named) package version checked against
known vulnerabilities, from PyPI's JSON API (the default), the OSV API, or a local
advisory database; findings listed with the smallest upgrade that clears them."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.commands.basics import IndexOptions, open_cache
from tether.commands.locations import lock_location
from tether.errors import LockError, ProjectError, UsageError
from tether.project import Project, try_find_pyproject
from tether.project.workspace import open_project
from tether.quality.advisories import Advisory, smallest_fix
from tether.quality.advisory_sources import (
    OSV_URL,
    PYPI_URL,
    AdvisorySource,
    LocalDatabase,
    OsvApi,
    PypiJson,
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


@dataclass(frozen=True, slots=True)
class Finding:
    package: str
    version: str
    advisory: Advisory


@dataclass(frozen=True, slots=True)
class Fix:
    package: str
    version: str
    to: str | None  # None: some advisory has no fixed version yet
    clears: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuditResult:
    source: str
    audited: int
    findings: tuple[Finding, ...]
    ignored: tuple[Finding, ...]
    unknown: tuple[str, ...]  # releases the source does not know (private packages)
    fixes: tuple[Fix, ...]
    ignore_unknown: bool = False  # unknown releases accepted (--ignore-unknown)

    @property
    def passed(self) -> bool:
        """No finding, and every release answered for (or unknown ones accepted): an
        unanswered package is not a pass."""
        return not self.findings and (self.ignore_unknown or not self.unknown)


def audit(options: AuditOptions) -> AuditResult:
    pyproject = try_find_pyproject(options.start)
    project = open_project(pyproject) if pyproject is not None else None
    configured: Mapping[str, object] = project.settings.quality.get("audit", {}) if project else {}
    releases = _what_to_audit(options, project)
    source = _source(options, configured, project)
    ignore = set(options.ignore) | set(_configured_ignores(configured, pyproject))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda r: source.advisories(*r), releases))
    findings: list[Finding] = []
    ignored: list[Finding] = []
    unknown: list[str] = []
    for (name, version), found in zip(releases, answers, strict=True):
        if found is None:
            unknown.append(f"{name}=={version}")
            continue
        for advisory in found:
            finding = Finding(name, version, advisory)
            skipped = any(advisory.known_as(i) for i in ignore)
            (ignored if skipped else findings).append(finding)
    return AuditResult(
        source=source.name,
        audited=len(releases),
        findings=tuple(findings),
        ignored=tuple(ignored),
        unknown=tuple(unknown),
        fixes=tuple(_fixes(findings)),
        ignore_unknown=options.ignore_unknown or configured.get("ignore-unknown") is True,
    )


def _what_to_audit(options: AuditOptions, project: Project | None) -> list[tuple[str, str]]:
    """The (name, version) pairs to check."""
    if options.packages or options.requirement_files:
        pins = [*options.packages, *_pins_from_files(options)]
        return sorted({_pin(text) for text in pins})
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
    return _locked(lock_location(project))


def _locked(path: Path) -> list[tuple[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LockError(
            f"{path} does not exist",
            hint="drop --frozen to lock first, or audit with --installed",
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise LockError(f"{path} cannot be read: {err}", hint="run `tether lock`") from None
    found = set()
    for package in data.get("packages", []):
        if not isinstance(package, dict) or "directory" in package:
            continue  # the project itself and path dependencies are not on any index
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and isinstance(version, str):
            found.add((canonicalize_name(name), version))
    return sorted(found)


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


def _pin(text: str) -> tuple[str, str]:
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        requirement = None
    specifiers = list(requirement.specifier) if requirement is not None else []
    if requirement is None or len(specifiers) != 1 or specifiers[0].operator not in ("==", "==="):
        raise UsageError(
            f"cannot audit {text!r}: name an exact version (NAME==VERSION)",
            hint="audit a range by locking it first (`tether lock`, then `tether audit`)",
        )
    return canonicalize_name(requirement.name), specifiers[0].version


def _configured_ignores(table: Mapping[str, object], pyproject: Path | None) -> tuple[str, ...]:
    value = table.get("ignore", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(
            "`tool.tether.audit.ignore` must be a list of advisory ids",
            path=pyproject,
            hint='e.g. ignore = ["PYSEC-2018-28"]',
        )
    return tuple(value)


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


def _fixes(findings: list[Finding]) -> list[Fix]:
    by_release: dict[tuple[str, str], list[Advisory]] = {}
    for finding in findings:
        by_release.setdefault((finding.package, finding.version), []).append(finding.advisory)
    return [
        Fix(name, version, smallest_fix(version, advisories), tuple(a.id for a in advisories))
        for (name, version), advisories in sorted(by_release.items())
    ]
