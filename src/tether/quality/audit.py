"""An audit of (name, version) releases against an advisory source: each release's
advisories (fetched in parallel), split into findings and ignored ones (by id or alias),
releases the source does not know, and the smallest upgrade that clears each package's
findings; plus the pins an audit reads from a lock or from NAME==VERSION arguments."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from tether.errors import LockError, ProjectError, UsageError
from tether.quality.advisories import Advisory, smallest_fix
from tether.quality.advisory_sources import (
    AdvisorySource,
)


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


def locked_releases(path: Path) -> list[tuple[str, str]]:
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


def parse_pin(text: str) -> tuple[str, str]:
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


def configured_ignores(table: Mapping[str, object], pyproject: Path | None) -> tuple[str, ...]:
    value = table.get("ignore", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(
            "`tool.tether.audit.ignore` must be a list of advisory ids",
            path=pyproject,
            hint='e.g. ignore = ["PYSEC-2018-28"]',
        )
    return tuple(value)


def _fixes(findings: list[Finding]) -> list[Fix]:
    by_release: dict[tuple[str, str], list[Advisory]] = {}
    for finding in findings:
        by_release.setdefault((finding.package, finding.version), []).append(finding.advisory)
    return [
        Fix(name, version, smallest_fix(version, advisories), tuple(a.id for a in advisories))
        for (name, version), advisories in sorted(by_release.items())
    ]


def audit_releases(
    source: AdvisorySource,
    releases: list[tuple[str, str]],
    ignore: set[str],
    *,
    ignore_unknown: bool,
) -> AuditResult:
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
        ignore_unknown=ignore_unknown,
    )
