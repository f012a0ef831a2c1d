"""How the command line and the environment combine with the project's indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.commands.services import IndexOptions, cache_dir, index_client, resolve_indexes
from tether.errors import UsageError
from tether.index import Index
from tether.index.config import index_chain


def test_chain_order_and_default() -> None:
    a = Index(name="a", url="https://a/simple")
    b = Index(name="b", url="https://b/simple", explicit=True)
    c = Index(name="c", url="https://c/simple", default=True)
    assert [i.name for i in index_chain([a, b])] == ["a", "pypi"]
    assert [i.name for i in index_chain([c, a, b])] == ["a", "c"]


def test_command_line_indexes() -> None:
    configured = (Index(name="corp", url="https://corp/simple", default=True),)
    options = IndexOptions(index_url="https://mirror/simple/", extra_index_urls=("https://x/",))
    indexes = resolve_indexes(configured, options, {})
    assert [(i.name, i.url, i.default) for i in indexes] == [
        ("extra-1", "https://x", False),
        ("corp", "https://corp/simple", False),
        ("default", "https://mirror/simple", True),
    ]
    assert [i.name for i in index_chain(indexes)] == ["extra-1", "corp", "default"]
    from_env = resolve_indexes((), IndexOptions(), {"TETHER_INDEX_URL": "https://env/simple"})
    assert [i.url for i in from_env] == ["https://env/simple"]


def test_cache_dir(tmp_path: Path) -> None:
    assert cache_dir({"TETHER_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert cache_dir({}).name == "tether"


def test_bad_numbers_in_the_environment(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="TETHER_HTTP_TIMEOUT='soon' is not a number"):
        index_client(
            (), IndexOptions(), {"TETHER_HTTP_TIMEOUT": "soon", "TETHER_CACHE_DIR": str(tmp_path)}
        )


def test_offline_from_the_environment(tmp_path: Path) -> None:
    client = index_client(
        (), IndexOptions(), {"TETHER_OFFLINE": "1", "TETHER_CACHE_DIR": str(tmp_path)}
    )
    assert client.policy.offline
