"""Candidate policies, on plain pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.index.page import DistFile, ProjectPage
from tether.provider.candidates import Policy, best_file, releases


def page(*files: DistFile) -> ProjectPage:
    return ProjectPage(name=canonicalize_name("demo"), url="https://i/simple/demo/", files=files)


def wheel(version: str, **fields: object) -> DistFile:
    return DistFile(
        filename=f"demo-{version}-py3-none-any.whl",
        url=f"https://f/demo-{version}-py3-none-any.whl",
        version=Version(version),
        **fields,  # type: ignore[arg-type]
    )


def test_upper_bounds_of_requires_python_are_ignored() -> None:
    found = releases(
        page(wheel("1.0", requires_python=">=3.10,<3.14"), wheel("2.0", requires_python=">=3.12")),
        Policy(requires_python=">=3.11"),
    )
    assert [(str(r.version), r.unusable) for r in found] == [
        ("2.0", "requires Python >=3.12, but the project supports >=3.11"),
        ("1.0", None),
    ]


def test_yanked_exclude_newer_prereleases_and_order() -> None:
    stamp = datetime(2024, 6, 1, tzinfo=UTC)
    files = page(
        wheel("1.0", upload_time=datetime(2024, 1, 1, tzinfo=UTC)),
        wheel("1.1", yanked=True),
        wheel("1.2", upload_time=datetime(2024, 12, 1, tzinfo=UTC)),
        wheel("2.0b1"),
    )

    def usable(policy: Policy) -> list[str]:
        return [str(r.version) for r in releases(files, policy) if r.unusable is None]

    assert usable(Policy(exclude_newer=stamp)) == ["1.0", "2.0b1"]
    assert usable(Policy(prereleases="never")) == ["1.2", "1.0"]
    # A yanked release stays listed, unusable, so that an error can say it exists.
    (yanked,) = [r for r in releases(files, Policy()) if r.unusable is not None]
    assert (str(yanked.version), yanked.unusable) == (
        "1.1",
        "was yanked; only an exact pin (==) selects a yanked release",
    )
    assert [
        str(r.version) for r in releases(files, Policy(allow_yanked=frozenset({Version("1.1")})))
    ] == [
        "1.2",
        "1.1",
        "1.0",
        "2.0b1",
    ]
    assert usable(Policy(prereleases="allow", lowest=True)) == ["1.0", "1.2", "2.0b1"]


def test_best_file_prefers_a_universal_wheel() -> None:
    sdist = DistFile(filename="demo-1.0.tar.gz", url="u", version=Version("1.0"))
    native = DistFile(
        filename="demo-1.0-cp312-cp312-win_amd64.whl", url="u", version=Version("1.0")
    )
    assert best_file([sdist, native, wheel("1.0")]).filename == "demo-1.0-py3-none-any.whl"
    assert best_file([sdist, native]) is native
    assert best_file([sdist]) is sdist


def test_the_metadata_file_of_a_release_is_its_best_file() -> None:
    """Read from the page's rows, one file made: the same file `best_file` picks."""
    sdist = DistFile(filename="demo-1.0.tar.gz", url="s", version=Version("1.0"))
    native = DistFile(
        filename="demo-1.0-cp312-cp312-win_amd64.whl", url="n", version=Version("1.0")
    )
    for files in ([sdist, native, wheel("1.0")], [sdist, native], [sdist]):
        (release,) = releases(page(*files), Policy())
        assert release.metadata_file() == best_file(release.files)
    (only_sdist,) = releases(page(sdist), Policy())
    assert only_sdist.metadata_file() == sdist


def test_exclude_newer_to_the_microsecond_and_files_made_only_for_what_is_read() -> None:
    cutoff = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
    at_cutoff = wheel("1.0", upload_time=cutoff, sha256="aa", requires_python=">=3.8")
    after = wheel("1.1", upload_time=cutoff + timedelta(microseconds=1))
    naive = wheel("0.9", upload_time=datetime(2024, 6, 1, 12, 0, 0))  # a zone-less time is UTC
    found = releases(page(at_cutoff, after, naive), Policy(exclude_newer=cutoff))
    assert [str(r.version) for r in found] == ["1.0", "0.9"]
    # A release's files come back as the page gave them, the same on every read.
    assert found[0].files == (at_cutoff,)
    assert found[0].files is found[0].files
    assert found[1].files[0].upload_time == datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def test_a_page_groups_equal_versions_spelled_differently() -> None:
    spelled = [wheel("1.0"), wheel("1.0.0"), wheel("1.0.post1")]
    grouped = page(*spelled).versions()
    assert [str(v) for v in grouped] == ["1.0.post1", "1.0"]
    assert {f.filename for f in grouped[Version("1")]} == {
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.0-py3-none-any.whl",
    }


def named(filename: str, version: str, **fields: object) -> DistFile:
    return DistFile(
        filename=filename,
        url=f"https://f/{filename}",
        version=Version(version),
        **fields,  # type: ignore[arg-type]
    )


def test_only_the_floor_of_requires_python_counts() -> None:
    """torchvision 0.29 says `!=3.14.1,>=3.10`: one broken patch release excluded does not
    make it unusable for a >=3.12 project (uv reads the floor alone, as here)."""
    found = releases(
        page(wheel("0.29", requires_python="!=3.14.1,>=3.10")), Policy(requires_python=">=3.12")
    )
    assert [(str(r.version), r.unusable) for r in found] == [("0.29", None)]


def test_a_release_kept_out_by_requires_python_says_its_floor() -> None:
    found = releases(page(wheel("2.0", requires_python=">=3.12")), Policy(requires_python=">=3.10"))
    assert found[0].python_floor == (3, 12, 0)


def test_wheels_that_fit_no_python_of_the_range_and_no_sdist() -> None:
    """uv's rule: a release with wheels only, all for Pythons above those the lock (or
    fork) serves, is unusable: onnxruntime 1.20 (cp310+) in a fork below 3.10. One whose
    wheels start above the lowest Python is usable, and says where they start (the
    universal resolution splits there)."""
    files = page(
        named("demo-1.20-cp310-cp310-manylinux_2_28_x86_64.whl", "1.20"),
        named("demo-1.20-cp311-cp311-manylinux_2_28_x86_64.whl", "1.20"),
        named("demo-1.19-cp38-cp38-manylinux_2_28_x86_64.whl", "1.19"),
        named("demo-1.19-cp39-cp39-manylinux_2_28_x86_64.whl", "1.19"),
        named("demo-1.18-cp310-abi3-win_amd64.whl", "1.18"),
        named("demo-1.18.tar.gz", "1.18"),
    )
    below = releases(files, Policy(requires_python=">=3.9,<3.10"))
    assert [(str(r.version), r.unusable, r.python_floor) for r in below] == [
        ("1.20", "has wheels only for Python 3.10 and newer, and no sdist", (3, 10, 0)),
        ("1.19", None, None),
        ("1.18", None, None),  # an sdist builds anywhere
    ]
    whole = releases(files, Policy(requires_python=">=3.9"))
    assert [(str(r.version), r.unusable, r.wheel_floor) for r in whole] == [
        ("1.20", None, (3, 10, 0)),
        ("1.19", None, None),
        ("1.18", None, None),
    ]
    # Wheels that stop below the range (no cp310 for 1.19) are kept, as uv keeps them:
    # refusing would fail a lock for Pythons its wheels have not caught up with.
    above = releases(files, Policy(requires_python=">=3.10"))
    assert above[1].unusable is None


def test_required_environments_need_a_wheel_or_an_sdist() -> None:
    linux = {"sys_platform": "linux", "platform_machine": "x86_64",
             "implementation_name": "cpython", "python_full_version": "3.12.1"}  # fmt: skip
    files = page(
        named("demo-2.0-cp312-abi3-win_amd64.whl", "2.0"),
        named("demo-1.0-py3-none-any.whl", "1.0"),
    )
    found = releases(files, Policy(required=(("sys_platform == 'linux'", (linux,)),)))
    assert [(str(r.version), r.unusable) for r in found] == [
        ("2.0", "has no wheel for sys_platform == 'linux' (required-environments) and no sdist"),
        ("1.0", None),
    ]


def test_wheels_for_the_minor_a_patch_bounded_range_ends_in_fit() -> None:
    """A fork `>=3.11,<3.11.5` (soupsieve 4.1 asks for 3.11.5) runs cp311 wheels: a
    release whose wheels start at cp311 fits it (onnxruntime-genai 0.15, which
    semantic-kernel's onnx extra needs, was refused there)."""
    files = page(named("demo-0.15-cp311-cp311-manylinux_2_28_x86_64.whl", "0.15"))
    for python in (">=3.11,<3.11.5", ">=3.10,<=3.11.0"):
        found = releases(files, Policy(requires_python=python))
        assert [(str(r.version), r.unusable) for r in found] == [("0.15", None)], python
    below = releases(files, Policy(requires_python=">=3.10,<3.11"))
    assert below[0].unusable == "has wheels only for Python 3.11 and newer, and no sdist"
