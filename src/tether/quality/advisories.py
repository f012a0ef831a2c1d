"""Known vulnerabilities in the OSV format (what the PyPA Advisory Database, OSV.dev and
PyPI's JSON API speak), and whether one affects a given package version.

A version is affected when an advisory lists it in `affected[].versions`, or when it
falls in one of the `ECOSYSTEM` ranges, walked as the OSV schema says: events sorted by
version, `introduced` opening the range, `fixed` closing it before, `last_affected`
closing it after. Pure functions over parsed data; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]  # versions that fix it, lowest first
    link: str | None = None

    def known_as(self, name: str) -> bool:
        """Whether `name` is this advisory's id or one of its aliases."""
        return name == self.id or name in self.aliases


def affects(osv: Mapping[str, object], package: str, version: str) -> bool:
    """Whether the OSV record `osv` affects `package` at `version` (withdrawn: never)."""
    if osv.get("withdrawn"):
        return False
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    for entry in _entries(osv, package):
        listed = entry.get("versions")
        if isinstance(listed, list) and any(_same(v, parsed) for v in listed):
            return True
        for span in _ranges(entry):
            if _in_range(span, parsed):
                return True
    return False


def to_advisory(osv: Mapping[str, object], package: str) -> Advisory:
    """The parts of an OSV record a report shows, for `package`."""
    fixed: set[Version] = set()
    for entry in _entries(osv, package):
        for span in _ranges(entry):
            for event in _events(span):
                if "fixed" in event:
                    version = _version(event["fixed"])
                    if version is not None:
                        fixed.add(version)
    aliases = osv.get("aliases")
    summary = osv.get("summary") or osv.get("details") or ""
    return Advisory(
        id=str(osv.get("id", "?")),
        aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
        summary=" ".join(str(summary).split())[:200],
        fixed=tuple(str(v) for v in sorted(fixed)),
        link=_link(osv),
    )


def smallest_fix(version: str, advisories: Iterable[Advisory]) -> str | None:
    """The lowest version above `version` that every advisory says is fixed (None when
    one of them has no fix yet)."""
    current = Version(version)
    needed: Version | None = None
    for advisory in advisories:
        above = [v for v in map(_version, advisory.fixed) if v is not None and v > current]
        if not above:
            return None
        lowest = min(above)
        needed = lowest if needed is None else max(needed, lowest)
    return str(needed) if needed is not None else None


def _entries(osv: Mapping[str, object], package: str) -> list[Mapping[str, object]]:
    wanted = canonicalize_name(package)
    found = []
    affected = osv.get("affected")
    for entry in affected if isinstance(affected, list) else ():
        if not isinstance(entry, Mapping):
            continue
        meta = entry.get("package")
        if not isinstance(meta, Mapping):
            continue
        if str(meta.get("ecosystem", "")).split(":")[0] != "PyPI":
            continue
        if canonicalize_name(str(meta.get("name", ""))) == wanted:
            found.append(entry)
    return found


def _ranges(entry: Mapping[str, object]) -> list[Mapping[str, object]]:
    ranges = entry.get("ranges")
    return [
        r
        for r in (ranges if isinstance(ranges, list) else ())
        if isinstance(r, Mapping) and r.get("type") == "ECOSYSTEM"
    ]


def _events(span: Mapping[str, object]) -> list[Mapping[str, str]]:
    events = span.get("events")
    return [
        {str(k): str(v) for k, v in e.items()}
        for e in (events if isinstance(events, list) else ())
        if isinstance(e, Mapping)
    ]


def _in_range(span: Mapping[str, object], version: Version) -> bool:
    ordered: list[tuple[Version, int, str]] = []
    for event in _events(span):
        for kind, order in (("introduced", 0), ("fixed", 1), ("last_affected", 2)):
            if kind in event:
                raw = event[kind]
                point = Version("0") if kind == "introduced" and raw == "0" else _version(raw)
                if point is not None:
                    ordered.append((point, order, kind))
    affected = False
    for point, _order, kind in sorted(ordered):
        if kind == "introduced" and version >= point:
            affected = True
        elif (kind == "fixed" and version >= point) or (
            kind == "last_affected" and version > point
        ):
            affected = False
    return affected


def _same(listed: object, version: Version) -> bool:
    found = _version(str(listed))
    return found is not None and found == version


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _link(osv: Mapping[str, object]) -> str | None:
    references = osv.get("references")
    for kind in ("ADVISORY", "WEB"):
        for ref in references if isinstance(references, list) else ():
            if isinstance(ref, Mapping) and ref.get("type") == kind and ref.get("url"):
                return str(ref["url"])
    identifier = osv.get("id")
    return f"https://osv.dev/vulnerability/{identifier}" if identifier else None
