"""The cache store: keys that cannot escape it, whole entries, the CACHEDIR tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.cache import Bucket, Cache


def test_write_read_and_tag(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    assert cache.read(Bucket.SIMPLE, "idx", "demo.json") is None
    cache.write(Bucket.SIMPLE, "idx", "demo.json", data=b"{}")
    assert cache.read(Bucket.SIMPLE, "idx", "demo.json") == b"{}"
    assert (
        (tmp_path / "c" / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert [p.name for p in cache.entries(Bucket.SIMPLE)] == ["demo.json"]
    cache.remove(Bucket.SIMPLE, "idx", "demo.json")
    assert cache.read(Bucket.SIMPLE, "idx", "demo.json") is None


@pytest.mark.parametrize("segment", ["..", ".", "../x", "a/b", "/etc", "", ".hidden"])
def test_unsafe_segments_are_refused(tmp_path: Path, segment: str) -> None:
    with pytest.raises(ValueError, match="unsafe cache key"):
        Cache(tmp_path).path(Bucket.METADATA, segment)
