"""Where advisories come from, three interchangeable ways, each answering "which
advisories affect NAME VERSION":

- PyPI's JSON API (`/pypi/NAME/VERSION/json`, its `vulnerabilities` field: what pip-audit
  uses by default);
- the OSV API (`POST /v1/query`), which also knows advisories PyPI has not attached;
- a local directory of OSV records in YAML or JSON (a PyPA Advisory Database checkout),
  for air-gapped machines.

HTTP answers are cached (an hour by default) so re-auditing an unchanged lock is
offline; base URLs are parameters, for mirrors.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from tether.cache import Bucket, Cache
from tether.cache.store import digest
from tether.errors import AdvisorySourceError
from tether.index.http import HttpClient
from tether.quality.advisories import Advisory, affects, to_advisory
from tether.urls import redact_url

PYPI_URL = "https://pypi.org"
OSV_URL = "https://api.osv.dev"
MAX_AGE = 3600.0


class AdvisorySource(Protocol):
    name: str

    def advisories(self, package: str, version: str) -> list[Advisory] | None:
        """The advisories affecting `package` at `version`; None when the source does
        not know the release at all (a private package, say)."""
        ...


@dataclass
class LocalDatabase:
    """A directory of OSV records: `vulns/<package>/*.yaml` as the PyPA database lays
    them out, or any tree of `.yaml`/`.yml`/`.json` files (read once, indexed by the
    packages they affect)."""

    root: Path
    name: str = "local database"

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise AdvisorySourceError(
                f"the advisory database {self.root} is not a directory",
                hint="point --db at a checkout of https://github.com/pypa/advisory-database "
                "(or any directory of OSV .yaml/.json files)",
            )
        base = self.root / "vulns" if (self.root / "vulns").is_dir() else self.root
        self._dirs: dict[str, Path] = {
            canonicalize_name(p.name): p for p in base.iterdir() if p.is_dir()
        }
        self._scanned: dict[str, list[Mapping[str, Any]]] | None = None

    def advisories(self, package: str, version: str) -> list[Advisory]:
        records = self._records(canonicalize_name(package))
        return [to_advisory(r, package) for r in records if affects(r, package, version)]

    def _records(self, package: str) -> list[Mapping[str, Any]]:
        directory = self._dirs.get(package)
        if directory is not None:
            return [_load(path) for path in sorted(directory.iterdir()) if _is_record(path)]
        if self._scanned is None:  # no per-package layout: read every record once
            self._scanned = {}
            for path in sorted(self.root.rglob("*")):
                if _is_record(path):
                    record = _load(path)
                    for name in _packages(record):
                        self._scanned.setdefault(name, []).append(record)
        return self._scanned.get(package, [])


@dataclass
class PypiJson:
    http: HttpClient
    cache: Cache
    base_url: str = PYPI_URL
    name: str = "PyPI"
    max_age: float = MAX_AGE

    def advisories(self, package: str, version: str) -> list[Advisory] | None:
        url = f"{self.base_url.rstrip('/')}/pypi/{canonicalize_name(package)}/{version}/json"
        data = _cached(self.cache, url, self.max_age, lambda: self._get(url))
        if data is None:
            return None
        found = []
        for vuln in data.get("vulnerabilities") or ():
            if vuln.get("withdrawn"):
                continue
            fixed = sorted(set(vuln.get("fixed_in") or ()), key=_sort_key)
            summary = vuln.get("summary") or vuln.get("details") or ""
            found.append(
                Advisory(
                    id=str(vuln.get("id", "?")),
                    aliases=tuple(vuln.get("aliases") or ()),
                    summary=" ".join(str(summary).split())[:200],
                    fixed=tuple(fixed),
                    link=vuln.get("link"),
                )
            )
        return found

    def _get(self, url: str) -> dict[str, Any] | None:
        response = self.http.get(url, headers={"Accept": "application/json"})
        if response.status == 404:
            return None
        if response.status != 200:
            raise AdvisorySourceError(
                f"{redact_url(url)} answered HTTP {response.status}",
                hint="try again later, use --source osv, or --db for a local database",
            )
        return _json(response.body, url)


@dataclass
class OsvApi:
    http: HttpClient
    cache: Cache
    base_url: str = OSV_URL
    name: str = "OSV"
    max_age: float = MAX_AGE

    def advisories(self, package: str, version: str) -> list[Advisory]:
        url = f"{self.base_url.rstrip('/')}/v1/query"
        key = f"{url} {canonicalize_name(package)} {version}"
        data = _cached(self.cache, key, self.max_age, lambda: self._query(url, package, version))
        records = (data or {}).get("vulns") or []
        return [to_advisory(r, package) for r in records if affects(r, package, version)]

    def _query(self, url: str, package: str, version: str) -> dict[str, Any]:
        vulns: list[Any] = []
        token: str | None = None
        while True:
            query: dict[str, Any] = {
                "package": {"name": package, "ecosystem": "PyPI"},
                "version": version,
            }
            if token:
                query["page_token"] = token
            body = json.dumps(query).encode()
            response = self.http.post(
                url,
                body=[body],
                headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
                credentials=None,
            )
            if response.status != 200:
                raise AdvisorySourceError(
                    f"{redact_url(url)} answered HTTP {response.status}",
                    hint="try again later, use --source pypi, or --db for a local database",
                )
            data = _json(response.body, url)
            vulns.extend(data.get("vulns") or [])
            token = data.get("next_page_token")
            if not token:
                return {"vulns": vulns}


def _cached(cache: Cache, key: str, max_age: float, fetch: Any) -> dict[str, Any] | None:
    name = digest(key, 32) + ".json"
    raw = cache.read(Bucket.ADVISORIES, name)
    if raw is not None:
        try:
            entry = json.loads(raw)
            if time.time() - float(entry["fetched"]) < max_age:
                return entry["data"]  # type: ignore[no-any-return]
        except (ValueError, KeyError, TypeError):
            pass
    data = fetch()
    cache.write(
        Bucket.ADVISORIES, name, data=json.dumps({"fetched": time.time(), "data": data}).encode()
    )
    return data  # type: ignore[no-any-return]


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise AdvisorySourceError(
            f"{redact_url(url)} did not answer with a JSON object",
            hint="check the source's base URL (a mirror must serve the same API)",
        )
    return data


def _is_record(path: Path) -> bool:
    return path.is_file() and path.suffix in (".yaml", ".yml", ".json")


def _load(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise AdvisorySourceError(
            f"cannot read the advisory {path}: {err}",
            hint="the database is damaged; update or re-clone it",
        ) from None
    if not isinstance(data, Mapping):
        raise AdvisorySourceError(f"{path} is not an OSV record (not a mapping)")
    return data


def _packages(record: Mapping[str, Any]) -> Iterable[str]:
    for entry in record.get("affected") or ():
        meta = entry.get("package") if isinstance(entry, Mapping) else None
        if isinstance(meta, Mapping) and str(meta.get("ecosystem", "")).startswith("PyPI"):
            yield canonicalize_name(str(meta.get("name", "")))


def _sort_key(text: str) -> tuple[int, object]:
    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
