"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.index_server import IndexServer


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live-network tests run only when asked for (`-m network`) or TETHER_TEST_NETWORK=1."""
    if os.environ.get("TETHER_TEST_NETWORK") == "1" or "network" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="live network test: set TETHER_TEST_NETWORK=1 or -m network")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def index_server() -> Iterator[IndexServer]:
    """A fresh, empty test index on 127.0.0.1; tests `add()` the packages they need."""
    with IndexServer() as server:
        yield server
