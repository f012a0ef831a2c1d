"""`tether publish`: upload the built distributions to PyPI, TestPyPI or a configured
index, after checking every file's metadata (so a bad file is refused before any is
sent), skipping files the index already has when a check URL is known.

Credentials, first found wins: `TETHER_PUBLISH_TOKEN` (sent as PyPI expects, user
`__token__`); `TETHER_PUBLISH_USERNAME` + `TETHER_PUBLISH_PASSWORD`; user-info in the
publish URL; the index's `credential-command`; `keyring get URL USER` when a keyring is
installed. They are never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tether.commands.basics import IndexOptions
from tether.commands.services import index_client
from tether.errors import UsageError
from tether.index import Index
from tether.index.auth import strip_userinfo
from tether.project import load_project, try_find_pyproject
from tether.publish.destination import (
    KNOWN,
    PYPI_HOSTS,
    already_there,
    credentials,
    files,
    same_file,
    target,
)
from tether.publish.distribution import read_distribution
from tether.publish.upload import upload
from tether.urls import redact_url


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishOptions:
    start: Path
    environ: Mapping[str, str]
    files: tuple[Path, ...] = ()  # none: the project's dist/*
    index: str | None = None  # a [[tool.tether.index]] with publish-url, or pypi / testpypi
    publish_url: str | None = None
    check_url: str | None = None
    username: str | None = None
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class PublishResult:
    url: str  # redacted
    uploaded: tuple[str, ...]
    skipped: tuple[str, ...]  # already on the index
    warnings: tuple[str, ...]


def publish(options: PublishOptions) -> PublishResult:
    pyproject = try_find_pyproject(options.start)
    index = _configured_index(options, pyproject)
    url, check_url = target(options.publish_url, options.check_url, options.index, index)
    paths = files(options.files, options.start, pyproject)
    pypi = urlsplit(url).hostname in PYPI_HOSTS
    dists = [read_distribution(path, pypi_rules=pypi) for path in paths]  # all before any
    warnings = [warning for dist in dists for warning in dist.warnings]
    auth = credentials(options.environ, options.username, index, url)
    client = index_client(
        (Index(name="publish-check", url=check_url.rstrip("/")),) if check_url else (),
        IndexOptions(refresh=True),
        options.environ,
        offline_hint=False,
    )
    existing = already_there(client, dists) if check_url else {}
    uploaded: list[str] = []
    skipped: list[str] = []
    for dist in dists:
        there = existing.get(dist.path.name)
        if there is not None:
            same_file(dist, there, url)
            skipped.append(dist.path.name)
            continue
        if not options.dry_run:
            upload(client.http, strip_userinfo(url)[0], dist, auth)
        uploaded.append(dist.path.name)
    return PublishResult(redact_url(url), tuple(uploaded), tuple(skipped), tuple(warnings))


def _configured_index(options: PublishOptions, pyproject: Path | None) -> Index | None:
    if options.index is None or options.index in KNOWN:
        return None
    indexes = load_project(pyproject).settings.indexes if pyproject is not None else ()
    for index in indexes:
        if index.name == options.index:
            return index
    known = ", ".join([*(i.name for i in indexes if i.publish_url), *KNOWN])
    raise UsageError(
        f"no index named '{options.index}' to publish to (known: {known})",
        hint="add `publish-url` to its [[tool.tether.index]] entry, or pass --publish-url",
    )
