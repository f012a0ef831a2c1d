"""`tether publish`: upload the built distributions to PyPI, TestPyPI or a configured
index, after checking every file's metadata (so a bad file is refused before any is
sent), skipping files the index already has when a check URL is known.

Credentials, first found wins: `TETHER_PUBLISH_TOKEN` (sent as PyPI expects, user
`__token__`); `TETHER_PUBLISH_USERNAME` + `TETHER_PUBLISH_PASSWORD`; user-info in the
publish URL; the index's `credential-command`; `keyring get URL USER` when a keyring is
installed. They are never printed.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tether.commands.basics import IndexOptions
from tether.commands.services import index_client
from tether.errors import PublishError, UsageError
from tether.index import Index
from tether.index.auth import Credentials, run_credential_command, run_keyring, strip_userinfo
from tether.index.client import IndexClient, Offline
from tether.project import load_project, try_find_pyproject
from tether.publish.distribution import Distribution, read_distribution
from tether.publish.upload import digests, upload
from tether.urls import redact_url

# Indexes everyone knows by name: (upload URL, simple API to check against).
KNOWN = {
    "pypi": ("https://upload.pypi.org/legacy/", "https://pypi.org/simple"),
    "testpypi": ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple"),
}
PYPI_HOSTS = ("upload.pypi.org", "test.pypi.org")


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
    url, check_url = _target(options, index)
    files = _files(options, pyproject)
    pypi = urlsplit(url).hostname in PYPI_HOSTS
    dists = [read_distribution(path, pypi_rules=pypi) for path in files]  # all before any
    warnings = [warning for dist in dists for warning in dist.warnings]
    credentials = _credentials(options, index, url)
    client = index_client(
        (Index(name="publish-check", url=check_url.rstrip("/")),) if check_url else (),
        IndexOptions(refresh=True),
        options.environ,
        offline_hint=False,
    )
    existing = _already_there(client, dists) if check_url else {}
    uploaded: list[str] = []
    skipped: list[str] = []
    for dist in dists:
        there = existing.get(dist.path.name)
        if there is not None:
            _same_file(dist, there, url)
            skipped.append(dist.path.name)
            continue
        if not options.dry_run:
            upload(client.http, strip_userinfo(url)[0], dist, credentials)
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


def _target(options: PublishOptions, index: Index | None) -> tuple[str, str | None]:
    """The upload URL and the simple-API URL to check for files already there."""
    if options.publish_url is not None:
        if urlsplit(options.publish_url).scheme not in ("http", "https"):
            raise UsageError(f"invalid --publish-url '{redact_url(options.publish_url)}'")
        return options.publish_url, options.check_url
    if index is not None:
        if index.publish_url is None:
            raise UsageError(
                f"index '{index.name}' has no publish-url",
                hint=f'add `publish-url = "..."` to the [[tool.tether.index]] named '
                f"{index.name} (its upload API, e.g. https://host/legacy/)",
            )
        return index.publish_url, options.check_url or index.url
    upload_url, simple = KNOWN[options.index or "pypi"]
    return upload_url, options.check_url or simple


def _files(options: PublishOptions, pyproject: Path | None) -> list[Path]:
    if options.files:
        missing = [str(p) for p in options.files if not p.is_file()]
        if missing:
            raise UsageError(f"no such file: {', '.join(missing)}")
        return [p if p.is_absolute() else options.start / p for p in options.files]
    dist = (pyproject.parent if pyproject is not None else options.start) / "dist"
    found = sorted(
        p for p in dist.glob("*") if p.is_file() and p.name.endswith((".whl", ".tar.gz"))
    )
    if not found:
        raise UsageError(
            f"nothing to publish: {dist} has no wheels or sdists",
            hint="run `tether build` first, or name the files to upload",
        )
    # sdists first, as twine does: the index learns the project from its source.
    return sorted(found, key=lambda p: (not p.name.endswith(".tar.gz"), p.name))


def _credentials(options: PublishOptions, index: Index | None, url: str) -> Credentials | None:
    environ = options.environ
    if token := environ.get("TETHER_PUBLISH_TOKEN"):
        return Credentials("__token__", token)
    username = (
        options.username
        or environ.get("TETHER_PUBLISH_USERNAME")
        or (index.username if index is not None else None)
    )
    if password := environ.get("TETHER_PUBLISH_PASSWORD"):
        return Credentials(username or "__token__", password)
    in_url = strip_userinfo(url)[1]
    if in_url is not None:
        return in_url
    if index is not None and index.credential_command:
        return Credentials(username or "__token__", run_credential_command(index))
    keyring = shutil.which("keyring")
    if keyring is not None:
        user = username or "__token__"
        password = run_keyring(keyring, strip_userinfo(url)[0], user)
        if password is not None:
            return Credentials(user, password)
    return None


def _already_there(client: IndexClient, dists: list[Distribution]) -> dict[str, str | None]:
    """Filename → sha256 (None when the index gives none) of this project's files on
    the check index."""
    index = client.index_named("publish-check")
    found: dict[str, str | None] = {}
    for name in sorted({dist.name for dist in dists}):
        page = client.project_page(name, index)
        if page is None or isinstance(page, Offline):
            continue
        found.update({file.filename: file.sha256 for file in page.files})
    return found


def _same_file(dist: Distribution, sha256: str | None, url: str) -> None:
    if sha256 is not None and digests(dist.path).sha256 != sha256:
        raise PublishError(
            f"{dist.path.name} is already on {redact_url(url)} with different contents",
            hint="an index never replaces a file: bump the version and build again",
        )
