"""Credentials for private indexes, found in one documented order and never shown.

For a request to an index, the first source that has credentials wins:

1. user-info in the index URL (`https://user:token@host/simple`);
2. `TETHER_INDEX_<NAME>_USERNAME` / `TETHER_INDEX_<NAME>_PASSWORD` for the index named
   NAME (upper-cased, `-` and `.` as `_`), password alone meaning a bearer token;
3. the index's `credential-command`: its stdout, stripped, is the token (sent as the
   password of the index's `username`, else as a bearer token), the way git credential
   helpers and cloud registries (Artifact Registry, CodeArtifact) hand out short-lived
   tokens; run once per process;
4. `~/.netrc` (or `$NETRC`) for the host;
5. after a 401 only: `keyring get <index-url> <username>` when a `keyring` executable
   is installed and a username is known (from the sources above or `username`).

Credentials are sent only to the realm (scheme, host, port) of the index they belong to,
never to a file host elsewhere, and are never put in a message, a log, a lock or a cache
key (URLs are redacted by `tether.urls.redact_url`).
"""

from __future__ import annotations

import base64
import netrc
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tether.errors import IndexFetchError
from tether.index.config import Index
from tether.urls import redact_url, without_userinfo

COMMAND_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str | None
    password: str = field(repr=False)

    def header(self) -> str:
        """The Authorization header value: basic with a username, else bearer."""
        if self.username is None:
            return f"Bearer {self.password}"
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthConfig:
    """Where credentials may come from besides the index configuration itself.

    `environ` are `TETHER_INDEX_*` credentials by index name (see
    `credentials_from_environ`); `netrc` the netrc file to read, if any; `keyring` the
    path of a `keyring` executable, if one is installed.
    """

    environ: Mapping[str, Credentials] = field(default_factory=dict)
    netrc: Path | None = None
    keyring: str | None = None


def env_prefix(index_name: str) -> str:
    """`TETHER_INDEX_<NAME>_`, for an index called NAME."""
    return "TETHER_INDEX_" + re.sub(r"[^A-Za-z0-9]", "_", index_name).upper() + "_"


def credentials_from_environ(
    indexes: Sequence[Index], environ: Mapping[str, str]
) -> dict[str, Credentials]:
    """Pick `TETHER_INDEX_<NAME>_USERNAME/PASSWORD` for each index out of `environ`."""
    found = {}
    for index in indexes:
        prefix = env_prefix(index.name)
        password = environ.get(prefix + "PASSWORD")
        if password:
            found[index.name] = Credentials(environ.get(prefix + "USERNAME") or None, password)
    return found


def strip_userinfo(url: str) -> tuple[str, Credentials | None]:
    """`url` without user-info, and the credentials it carried."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo = parts.netloc.rsplit("@", 1)[0]
    user, sep, password = userinfo.partition(":")
    clean = without_userinfo(url)
    if not sep:  # a token alone in the user part (`https://TOKEN@host/`)
        return clean, Credentials(None, unquote(user))
    return clean, Credentials(unquote(user), unquote(password))


def realm(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80 if parts.scheme == "http" else None
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class Authenticator:
    """Finds and remembers credentials per index; thread-safe."""

    def __init__(self, indexes: Sequence[Index], config: AuthConfig | None = None) -> None:
        self._config = config or AuthConfig()
        self._indexes = list(indexes)
        self._known: dict[tuple[str, str, int | None], Credentials | None] = {}
        self._lock = threading.Lock()
        self._netrc: netrc.netrc | None = None
        self._netrc_loaded = False

    def add_index(self, index: Index) -> None:
        with self._lock:
            self._indexes.append(index)

    def credentials(self, url: str) -> Credentials | None:
        """What to send with a request for `url`, before any 401 (sources 1 to 4)."""
        key = realm(url)
        with self._lock:
            if key in self._known:
                return self._known[key]
            found = self._lookup(url, key)
            self._known[key] = found
            return found

    def on_unauthorized(self, url: str, sent: Credentials | None) -> Credentials | None:
        """After a 401: credentials not tried yet (keyring), or None to give up."""
        keyring = self._config.keyring
        if keyring is None:
            return None
        index = self._index_for(realm(url))
        username = (sent.username if sent else None) or (index.username if index else None)
        if username is None:
            return None
        service = strip_userinfo(index.url)[0] if index else url
        password = run_keyring(keyring, service, username)
        if password is None or (sent is not None and sent.password == password):
            return None
        found = Credentials(username, password)
        with self._lock:
            self._known[realm(url)] = found
        return found

    def _lookup(self, url: str, key: tuple[str, str, int | None]) -> Credentials | None:
        index = self._index_for(key)
        if index is not None:
            in_url = strip_userinfo(index.url)[1]
            if in_url is not None:
                return in_url
            from_env = self._config.environ.get(index.name)
            if from_env is not None:
                return from_env
            if index.credential_command:
                token = run_credential_command(index)
                return Credentials(index.username, token)
        in_request = strip_userinfo(url)[1]
        if in_request is not None:
            return in_request
        return self._from_netrc(key[1])

    def _index_for(self, key: tuple[str, str, int | None]) -> Index | None:
        for index in self._indexes:
            if realm(strip_userinfo(index.url)[0]) == key:
                return index
        return None

    def _from_netrc(self, host: str) -> Credentials | None:
        path = self._config.netrc
        if path is None:
            return None
        if not self._netrc_loaded:
            self._netrc_loaded = True
            try:
                self._netrc = netrc.netrc(str(path))
            except (OSError, netrc.NetrcParseError):
                self._netrc = None
        if self._netrc is None:
            return None
        entry = self._netrc.authenticators(host)
        if entry is None:
            return None
        login, _account, password = entry
        return Credentials(login or None, password or "")


def run_credential_command(index: Index) -> str:
    """Run the index's credential-command; its stdout is the token. Its output is never
    shown, even when it fails: it may hold a secret."""
    command = list(index.credential_command)
    failure = f"the credential-command of index '{index.name}' ({command[0]})"
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise IndexFetchError(
            f"{failure} was not found",
            url=redact_url(index.url),
            hint="install it, or fix `credential-command` in [[tool.tether.index]]",
        ) from None
    except subprocess.TimeoutExpired:
        raise IndexFetchError(
            f"{failure} did not finish within {COMMAND_TIMEOUT:.0f} seconds",
            url=redact_url(index.url),
            hint="run the command by hand to see what it waits for (a login prompt?)",
        ) from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        outcome = f"exited with status {done.returncode}" if done.returncode else "printed nothing"
        raise IndexFetchError(
            f"{failure} {outcome}",
            url=redact_url(index.url),
            hint="run the command by hand; it must print a token on stdout and exit 0",
        )
    return token


def run_keyring(executable: str, service: str, username: str) -> str | None:
    try:
        done = subprocess.run(
            [executable, "get", service, username],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    password = done.stdout.rstrip("\r\n")
    return password if done.returncode == 0 and password else None
