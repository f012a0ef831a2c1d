"""The legacy upload API (what twine, uv and PyPI speak): one multipart/form-data POST
per file, with the file's core metadata as form fields and its digests, streamed from
disk so a multi-gigabyte wheel is never held in memory."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tether.errors import PublishError
from tether.index.auth import Credentials
from tether.index.http import HttpClient
from tether.publish.distribution import Distribution
from tether.urls import redact_url

CHUNK = 1 << 20

# RawMetadata keys sent under the same name; lists are sent as repeated fields.
_FIELDS = (
    "summary", "description", "description_content_type", "keywords", "home_page",
    "download_url", "author", "author_email", "maintainer", "maintainer_email", "license",
    "license_expression", "license_files", "classifiers", "platforms", "supported_platforms",
    "requires_dist", "requires_python", "requires_external", "provides_extra",
    "provides_dist", "obsoletes_dist", "dynamic",
)  # fmt: skip
# The upload API's names where they differ from packaging's RawMetadata keys.
_RENAMED = {"platforms": "platform", "supported_platforms": "supported_platform",
            "license_files": "license_file"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Digests:
    sha256: str
    blake2_256: str


def digests(path: Path) -> Digests:
    sha, blake = hashlib.sha256(), hashlib.blake2b(digest_size=32)
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            sha.update(chunk)
            blake.update(chunk)
    return Digests(sha.hexdigest(), blake.hexdigest())


def form_fields(dist: Distribution, found: Digests) -> list[tuple[str, str]]:
    """The form fields for `dist`, in the order twine sends them."""
    raw = dist.raw
    fields: list[tuple[str, str]] = [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("metadata_version", raw.get("metadata_version", "2.1")),
        ("name", dist.name),
        ("version", dist.version),
        ("filetype", dist.filetype),
        ("pyversion", dist.pyversion),
        ("sha256_digest", found.sha256),
        ("blake2_256_digest", found.blake2_256),
    ]
    for key in _FIELDS:
        value: object = raw.get(key)
        name = _RENAMED.get(key, key)
        if isinstance(value, str):
            fields.append((name, value))
        elif isinstance(value, list) and key == "keywords":
            fields.append((name, ",".join(map(str, value))))
        elif isinstance(value, list):
            fields.extend((name, str(item)) for item in value)
    for label, url in (raw.get("project_urls") or {}).items():
        fields.append(("project_urls", f"{label}, {url}"))
    return fields


def upload(http: HttpClient, url: str, dist: Distribution, credentials: Credentials | None) -> None:
    """POST `dist` to the upload URL; a `PublishError` says why the index refused it."""
    found = digests(dist.path)
    boundary = secrets.token_hex(16)
    head = b"".join(_field(boundary, name, value) for name, value in form_fields(dist, found))
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="{dist.path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = dist.path.stat().st_size

    def body() -> Iterator[bytes]:
        yield head
        with dist.path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
        yield tail

    response = http.post(
        url,
        body=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        },
        credentials=credentials,
    )
    if 200 <= response.status < 300:
        return
    raise refusal(response.status, response.body, response.headers, dist.path.name, url)


def refusal(
    status: int, body: bytes, headers: Mapping[str, str], filename: str, url: str
) -> PublishError:
    """The error for an upload the index answered with `status`."""
    safe = redact_url(url)
    reason = _reason(body)
    said = f": {reason}" if reason else ""
    if status in (401, 403):
        return PublishError(
            f"{safe} refused the credentials for uploading {filename} (HTTP {status}){said}",
            hint="check TETHER_PUBLISH_TOKEN (or TETHER_PUBLISH_USERNAME and "
            "TETHER_PUBLISH_PASSWORD): the token may be wrong, expired, or not allowed "
            "to upload this project",
        )
    if status == 409 or "already exist" in reason.lower():
        return PublishError(
            f"{filename} is already on {safe} (HTTP {status}){said}",
            hint="indexes never replace a file: bump the version (`tether version --bump "
            "patch`) and build again, or pass --check-url to skip files already uploaded",
        )
    if status in (301, 302, 303, 307, 308):
        location = redact_url(headers.get("location", "?"))
        return PublishError(
            f"{safe} redirected the upload of {filename} to {location} (HTTP {status})",
            hint="an upload is not redirected; use the URL it points to as --publish-url",
        )
    return PublishError(
        f"{safe} refused {filename} (HTTP {status}){said}",
        hint="the index's message is above; fix the distribution or the upload URL",
    )


def _field(boundary: str, name: str, value: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def _reason(body: bytes) -> str:
    """The first meaningful line of an index's answer (PyPI puts it in an HTML <title>
    or the plain body; pypiserver in the body)."""
    text = body.decode("utf-8", "replace")
    if "<title>" in text:
        text = text.split("<title>", 1)[1].split("</title>", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first[:300]
