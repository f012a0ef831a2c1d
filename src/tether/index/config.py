"""What an index is, as configured: the one type `project` and `index` both need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    """A named package index (`[[tool.tether.index]]`, `--index-url`, PyPI).

    `url` is the simple-API root (`https://pypi.org/simple`), without a trailing slash;
    it may carry credentials in its user-info, which are never shown or stored.
    `default` replaces PyPI as the index of last resort; `explicit` serves only packages
    pinned to it in `[tool.tether.sources]`. `credential_command` is run to get a token
    (its stdout, stripped), sent as the password of `username`, or as a bearer token
    when there is no username. `publish_url` is where `tether publish --index NAME`
    uploads (the index's legacy upload API). `flat`: not a PEP 503 index but one page
    or directory listing every file (pip's `--find-links`, uv's `format = "flat"`); a
    directory's `url` is its `file://` URL.
    """

    name: str
    url: str
    default: bool = False
    explicit: bool = False
    username: str | None = None
    credential_command: tuple[str, ...] = ()
    publish_url: str | None = None
    flat: bool = False


PYPI = Index(name="pypi", url="https://pypi.org/simple", default=True)


def index_chain(indexes: Sequence[Index]) -> tuple[Index, ...]:
    """The indexes a package is looked up in, in order: the non-explicit ones as given,
    then the default (PyPI unless an index says `default = true`). The first index that
    has a package wins: a name on a private index cannot be shadowed from PyPI
    (dependency confusion)."""
    chain = [index for index in indexes if not index.explicit and not index.default]
    defaults = [index for index in indexes if index.default]
    chain.extend(defaults[:1] or [PYPI])
    return tuple(chain)
