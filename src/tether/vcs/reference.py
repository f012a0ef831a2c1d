"""Git references as users write them, read into one value. Pure.

`pkg @ git+https://host/org/repo@v1.2#subdirectory=sub` (PEP 440 direct references, as
pip, uv and Poetry accept them) and `[tool.tether.sources] pkg = { git = "…", tag = "…" }`
both become a `GitReference`: the repository URL git is given, the revision asked for
(a tag, a branch, a commit, or None for the remote's HEAD) and the subdirectory holding
the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from tether.urls import without_userinfo

# git URL schemes tether accepts after `git+` (`git+git://` is unauthenticated and
# unencrypted: refused, as uv does not take it either).
SCHEMES = ("https", "http", "ssh", "file")
_FULL_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class BadGitReference(ValueError):
    """The text is not a git reference tether can use; the message says why."""


@dataclass(frozen=True, slots=True)
class GitReference:
    url: str  # the repository, as git fetches it (credentials included, if the user wrote any)
    rev: str | None = None  # tag, branch or commit; None: the remote's default branch
    subdirectory: str | None = None

    @property
    def shown(self) -> str:
        """The repository URL without credentials: for messages, locks and cache keys."""
        return without_userinfo(self.url)

    @property
    def is_commit(self) -> bool:
        return self.rev is not None and _FULL_COMMIT.match(self.rev) is not None

    def requirement_url(self, commit: str | None = None) -> str:
        """`git+URL[@rev][#subdirectory=…]`, the direct-reference form (pinned to
        `commit` when given)."""
        rev = commit or self.rev
        text = f"git+{self.url}" + (f"@{rev}" if rev else "")
        if self.subdirectory:
            text += f"#subdirectory={self.subdirectory}"
        return text


def is_git_url(url: str) -> bool:
    return url.startswith("git+")


def parse_git_url(text: str) -> GitReference:
    """`git+https://host/repo[@rev][#subdirectory=sub]` as a `GitReference`."""
    if not is_git_url(text):
        raise BadGitReference(f"'{text}' does not start with git+")
    parts = urlsplit(text[len("git+") :])
    if parts.scheme not in SCHEMES:
        raise BadGitReference(
            f"git+{parts.scheme or '?'}:// is not supported; use one of "
            + ", ".join(f"git+{s}://" for s in SCHEMES)
        )
    path, rev = parts.path, None
    if "@" in path:
        path, rev = path.rsplit("@", 1)
        rev = unquote(rev)
        if not rev:
            raise BadGitReference(f"'{without_userinfo(text)}' ends in '@' without a revision")
    subdirectory = None
    for field in parts.fragment.split("&") if parts.fragment else ():
        key, _, value = field.partition("=")
        if key == "subdirectory":
            subdirectory = check_subdirectory(unquote(value))
    url = parts._replace(path=path, fragment="", query=parts.query).geturl()
    return GitReference(url=url, rev=rev, subdirectory=subdirectory)


def check_subdirectory(value: str) -> str | None:
    """A subdirectory inside the repository: relative, without `..` (a reference must
    not point a build outside its checkout)."""
    cleaned = value.strip("/")
    if not cleaned:
        return None
    if value.startswith("/") or "\\" in value or any(p in ("..", "") for p in cleaned.split("/")):
        raise BadGitReference(f"subdirectory '{value}' must be a relative path inside the repo")
    return cleaned
