"""URL handling shared by every layer that may show a URL to a user.

Index URLs may carry credentials in their user-info (`https://user:token@host/simple`);
anything that prints, logs, stores or hashes a URL for display goes through `redact_url`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

# User-info in text: after `//` (any), or a `user:secret@` where the URL is malformed
# (`https//u:t@h`, `https:/u:t@h`, `u:t@h/simple`); a `/repo@v1` ref has no colon.
_AFTER_SLASHES = re.compile(r"//[^/\s@'\"<>]+@")
_USER_SECRET = re.compile(r"(^|[\s'\"(<=/])[^\s/@'\"<>:]*:[^\s/@'\"<>]*@")


def redact_url(url: str) -> str:
    """`url` with any user-info replaced by `***`, so a credential never reaches a
    message, a log line, a lock file or a cache key (malformed URLs included)."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return parts._replace(netloc=f"***@{host}").geturl()
    return redact_text(url) if "@" in url else url


def redact_text(text: str) -> str:
    """`text` (a message, a URL as the user wrote it) with anything that looks like
    user-info replaced by `***`."""
    if "@" not in text:
        return text
    text = _AFTER_SLASHES.sub("//***@", text)
    return _USER_SECRET.sub(lambda found: f"{found[1]}***@", text)


def index_url_problem(url: str) -> str | None:
    """Why `url` cannot be an index's address (None: it can): it needs http(s) and a
    host, or file and a path."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as err:
        return f"it cannot be read as a URL ({err})"
    if parts.scheme not in ("http", "https", "file"):
        if not parts.scheme or "://" not in url:
            return "it has no scheme (write https://...)"
        return f"its scheme {parts.scheme}:// is not http://, https:// or file://"
    if parts.scheme != "file" and not parts.hostname:
        return f"it has no host after {parts.scheme}://"
    if parts.scheme == "file" and not parts.path:
        return "it has no path after file://"
    return None


def without_userinfo(url: str) -> str:
    """`url` with its user-info (credentials) left out."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def location_url(location: str, base: Path) -> str:
    """A find-links or flat-index location as a URL: a URL as it is, a directory
    (relative to `base`) as its `file://` URL."""
    if "://" in location:
        return location
    return (base / location).resolve().as_uri()
