"""URL handling shared by every layer that may show a URL to a user.

Index URLs may carry credentials in their user-info (`https://user:token@host/simple`);
anything that prints, logs, stores or hashes a URL for display goes through `redact_url`.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def redact_url(url: str) -> str:
    """`url` with any user-info replaced by `***`, so a credential never reaches a
    message, a log line, a lock file or a cache key."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"***@{host}").geturl()


def without_userinfo(url: str) -> str:
    """`url` with its user-info (credentials) left out."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
