"""Reachability through a lock's dependency lists (what one member or group needs)."""

from __future__ import annotations

from tether.lock.reach import dependency_names, reached


def test_reached_follows_names_and_stops_at_cycles() -> None:
    children = {"app": ["Core", "web"], "core": ["util"], "util": ["core"], "web": []}
    assert reached(children, ["app"]) == {"app", "core", "util", "web"}
    assert reached(children, ["core"]) == {"core", "util"}
    assert reached(children, ["missing"]) == {"missing"}
    assert reached(children, []) == set()


def test_dependency_names_read_pep751_tables() -> None:
    assert dependency_names([{"name": "Foo_Bar"}, {"version": "1"}, "junk"]) == ["foo-bar"]
    assert dependency_names(None) == []
