"""OSV matching: listed versions, ECOSYSTEM ranges (introduced / fixed / last_affected),
withdrawn records, other ecosystems, and the smallest fixing upgrade."""

from __future__ import annotations

from typing import Any

import pytest

from tether.quality.advisories import Advisory, affects, smallest_fix, to_advisory


def record(*events: dict[str, str], versions: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "id": "PYSEC-1",
        "aliases": ["CVE-1"],
        "summary": "A   problem\nspread over lines",
        "affected": [
            {
                "package": {"name": "Some_Pkg", "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": list(events)}],
                "versions": list(versions),
            },
            {
                "package": {"name": "some-pkg", "ecosystem": "npm"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
            },
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.9", True), ("1.4.2", True), ("1.5", False), ("2.0", True), ("2.1", True), ("2.2", False)],
)
def test_ranges_open_at_introduced_and_close_at_fixed_or_after_last_affected(
    version: str, expected: bool
) -> None:
    osv = record(
        {"introduced": "0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"last_affected": "2.1"}
    )
    assert affects(osv, "some-pkg", version) is expected


def test_listed_versions_names_ecosystems_and_withdrawn() -> None:
    osv = record(versions=("3.0",))
    assert affects(osv, "SOME.PKG", "3.0")  # names compare normalised
    assert not affects(osv, "other", "3.0")
    assert not affects(record({"introduced": "0"}, withdrawn="2024-01-01"), "some-pkg", "1")
    assert not affects(record({"introduced": "0"}), "some-pkg", "not a version")


def test_to_advisory_and_smallest_fix() -> None:
    osv = record({"introduced": "0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"fixed": "2.3"})
    advisory = to_advisory(osv, "some-pkg")
    assert advisory == Advisory(
        id="PYSEC-1",
        aliases=("CVE-1",),
        summary="A problem spread over lines",
        fixed=("1.5", "2.3"),
        link="https://osv.dev/vulnerability/PYSEC-1",
    )
    other = Advisory("PYSEC-2", (), "", ("1.7",))
    assert smallest_fix("1.0", [advisory, other]) == "1.7"
    assert smallest_fix("2.1", [advisory]) == "2.3"
    assert smallest_fix("1.0", [advisory, Advisory("X", (), "", ())]) is None
