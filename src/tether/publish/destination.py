"""Where an upload goes and with what: the upload URL and the simple API checked for
files already there (PyPI, TestPyPI, a configured index's publish-url, or a URL), the
files (sdists first, as twine), the credentials (token, username and password, the URL's
user-info, the index's credential command, keyring), and files already on the index."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from tether.errors import PublishError, UsageError
from tether.index import Index
from tether.index.auth import Credentials, run_credential_command, run_keyring, strip_userinfo
from tether.index.client import IndexClient, Offline
from tether.publish.distribution import Distribution
from tether.publish.upload import digests
from tether.urls import redact_url

# Indexes everyone knows by name: (upload URL, simple API to check against).
KNOWN = {
    "pypi": ("https://upload.pypi.org/legacy/", "https://pypi.org/simple"),
    "testpypi": ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple"),
}


PYPI_HOSTS = ("upload.pypi.org", "test.pypi.org")


def target(
    publish_url: str | None, check_url: str | None, named: str | None, index: Index | None
) -> tuple[str, str | None]:
    """The upload URL and the simple-API URL to check for files already there."""
    if publish_url is not None:
        if urlsplit(publish_url).scheme not in ("http", "https"):
            raise UsageError(f"invalid --publish-url '{redact_url(publish_url)}'")
        return publish_url, check_url
    if index is not None:
        if index.publish_url is None:
            raise UsageError(
                f"index '{index.name}' has no publish-url",
                hint=f'add `publish-url = "..."` to the [[tool.tether.index]] named '
                f"{index.name} (its upload API, e.g. https://host/legacy/)",
            )
        return index.publish_url, check_url or index.url
    upload_url, simple = KNOWN[named or "pypi"]
    return upload_url, check_url or simple


def files(given: tuple[Path, ...], start: Path, pyproject: Path | None) -> list[Path]:
    """The files named (relative to `start`), else the project's dist/ wheels and sdists."""
    if given:
        missing = [str(p) for p in given if not p.is_file()]
        if missing:
            raise UsageError(f"no such file: {', '.join(missing)}")
        return [p if p.is_absolute() else start / p for p in given]
    dist = (pyproject.parent if pyproject is not None else start) / "dist"
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


def credentials(
    environ: Mapping[str, str], given_username: str | None, index: Index | None, url: str
) -> Credentials | None:
    if token := environ.get("TETHER_PUBLISH_TOKEN"):
        return Credentials("__token__", token)
    username = (
        given_username
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


def already_there(client: IndexClient, dists: list[Distribution]) -> dict[str, str | None]:
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


def same_file(dist: Distribution, sha256: str | None, url: str) -> None:
    if sha256 is not None and digests(dist.path).sha256 != sha256:
        raise PublishError(
            f"{dist.path.name} is already on {redact_url(url)} with different contents",
            hint="an index never replaces a file: bump the version and build again",
        )
