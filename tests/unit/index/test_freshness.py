"""Freshness of cached index pages: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tether.index.freshness import CacheControl, CachePolicy, is_fresh, parse_cache_control

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, CacheControl()),
        ("max-age=600, public", CacheControl(max_age=600)),
        ("no-cache", CacheControl(no_cache=True)),
        ("private, no-store, max-age=0", CacheControl(max_age=0, no_store=True)),
        ('max-age="30"', CacheControl(max_age=30)),
        ("max-age=soon", CacheControl(max_age=0)),
        ("MAX-AGE=5", CacheControl(max_age=5)),
    ],
)
def test_parse_cache_control(header: str | None, expected: CacheControl) -> None:
    assert parse_cache_control(header) == expected


def fresh(
    age: float, control: CacheControl | None = None, newest: float | None = None, **policy: object
) -> bool:
    return is_fresh(
        fetched_at=NOW - age,
        control=control or CacheControl(),
        now=NOW,
        policy=CachePolicy(**policy),  # type: ignore[arg-type]
        newest_upload=newest,
    )


def test_default_window() -> None:
    assert fresh(599)
    assert not fresh(601)
    assert fresh(10, max_age=60)
    assert not fresh(61, max_age=60)


def test_headers_beat_the_default() -> None:
    assert fresh(3000, CacheControl(max_age=3600))
    assert not fresh(1, CacheControl(max_age=0))
    assert not fresh(1, CacheControl(no_cache=True, max_age=3600))


def test_refresh_beats_everything() -> None:
    stamp = datetime.fromtimestamp(NOW - 100_000, tz=UTC)
    assert not fresh(1, CacheControl(max_age=3600), refresh=True, exclude_newer=stamp)


def test_exclude_newer() -> None:
    """Fresh forever once the page lists an upload after the cutoff: then it lists every
    file before it. Being fetched after the cutoff is not proof (a mirror may lag)."""
    before = datetime.fromtimestamp(NOW - 10 * 86400, tz=UTC)
    newest = NOW - 5 * 86400
    assert fresh(86400, CacheControl(no_cache=True), exclude_newer=before, newest=newest)
    assert not fresh(86400, CacheControl(no_cache=True), exclude_newer=before)
    older = NOW - 20 * 86400
    assert not fresh(86400, CacheControl(no_cache=True), exclude_newer=before, newest=older)
    after = datetime.fromtimestamp(NOW, tz=UTC)
    assert not fresh(86400, exclude_newer=after, newest=newest)


def test_a_clock_that_went_backwards_is_not_fresh() -> None:
    assert not fresh(-5)
