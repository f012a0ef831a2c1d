"""Declared dependency metadata (uv's dependency-metadata): which entry applies."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.index.declared import DeclaredMetadata, by_name, declared_metadata

NAME = canonicalize_name("flash-attn")
EXACT = DeclaredMetadata(name=NAME, version=Version("2.8.3"), requires_dist=(Requirement("torch"),))
ANY = DeclaredMetadata(name=NAME, requires_dist=(Requirement("einops"),))


def test_an_exact_entry_wins_over_one_for_every_version() -> None:
    found = declared_metadata([ANY, EXACT], Version("2.8.3"))
    assert found is not None
    assert [str(r) for r in found.requires_dist] == ["torch"]
    assert found.version == Version("2.8.3")


def test_an_entry_without_a_version_serves_the_others() -> None:
    found = declared_metadata([ANY, EXACT], Version("2.7.0"))
    assert found is not None
    assert [str(r) for r in found.requires_dist] == ["einops"]
    assert found.version == Version("2.7.0")


def test_no_entry_for_the_version_means_the_package_s_own_metadata() -> None:
    assert declared_metadata([EXACT], Version("2.7.0")) is None
    assert by_name([EXACT, ANY]) == {NAME: (EXACT, ANY)}
