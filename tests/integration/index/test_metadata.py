"""Core metadata without downloading wheels: each path forced, and each way to lie."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from packaging.requirements import Requirement

from tests.integration.index.conftest import MakeClient
from tests.support.dists import Dist
from tests.support.index_server import Fault, IndexServer
from tether.cache import Bucket
from tether.errors import IndexFetchError
from tether.index.client import IndexClient, MetadataResult, MetadataSource, Unavailable
from tether.index.page import DistFile, ProjectPage
from tether.index.remote_zip import (
    TAIL,
    dist_info_entries_in_tail,
    entries_in_tail,
    read_directory,
    read_entry,
)

DEMO = Dist(
    "demo",
    "1.0",
    requires=["numpy>=1.26", "pywin32; sys_platform == 'win32'"],
    extras={"gpu": ["torch>=2.4"]},
    requires_python=">=3.10",
)
WHEEL = "demo-1.0-py3-none-any.whl"


def fetch_metadata(client: IndexClient, filename: str = WHEEL) -> MetadataResult:
    page = client.project_page("demo", client.indexes[0])
    assert isinstance(page, ProjectPage)
    file = next(f for f in page.files if f.filename == filename)
    result = client.metadata(file, page=page)
    assert isinstance(result, MetadataResult)
    return result


def file_requests(server: IndexServer) -> list[tuple[str, str | None]]:
    return [
        (r.path, r.headers.get("Range")) for r in server.requests if r.path.startswith("/files/")
    ]


def check_demo(result: MetadataResult) -> None:
    meta = result.metadata
    assert (meta.name, str(meta.version)) == ("demo", "1.0")
    assert str(meta.requires_python) == ">=3.10"
    assert meta.provides_extra == ("gpu",)
    assert Requirement('torch>=2.4; extra == "gpu"') in meta.requires_dist
    assert Requirement("numpy>=1.26") in meta.requires_dist


def test_advertised_pep658_file(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        result = fetch_metadata(make_client(server))
        assert result.source is MetadataSource.PEP658
        assert file_requests(server) == [(f"/files/{WHEEL}.metadata", None)]
    check_demo(result)


def test_unadvertised_pep658_file(make_client: MakeClient) -> None:
    """The mirror our machines reach serves .metadata without listing it (for some files
    only): the guess and the archive's tail are asked for at once, so a miss costs no
    extra round trip."""
    with IndexServer([DEMO], advertise_metadata=False) as server:
        result = fetch_metadata(make_client(server))
        assert result.source is MetadataSource.UNADVERTISED
        requests = file_requests(server)
    assert (f"/files/{WHEEL}.metadata", None) in requests
    assert all(rng is not None and rng.startswith("bytes=-") for path, rng in requests
               if not path.endswith(".metadata"))  # fmt: skip
    check_demo(result)


def test_range_requests_when_there_is_no_metadata_file(make_client: MakeClient) -> None:
    with IndexServer([DEMO], advertise_metadata=False, serve_metadata=False) as server:
        result = fetch_metadata(make_client(server))
        requests = file_requests(server)
    assert result.source is MetadataSource.RANGE
    check_demo(result)
    # A guess at .metadata (404) beside ranges: the wheel itself is never downloaded.
    assert (f"/files/{WHEEL}.metadata", None) in requests
    others = [rng for path, rng in requests if not path.endswith(".metadata")]
    assert others
    assert all(rng is not None and rng.startswith("bytes=") for rng in others)


def test_metadata_inside_the_tail_costs_one_range_request(make_client: MakeClient) -> None:
    """A small wheel lies whole in the tail (and a large one's METADATA usually does,
    `.dist-info/` being written last): the entry is read from the bytes in hand."""
    with IndexServer([DEMO], advertise_metadata=False, serve_metadata=False) as server:
        result = fetch_metadata(make_client(server))
        ranges = [rng for path, rng in file_requests(server) if not path.endswith(".metadata")]
    assert result.source is MetadataSource.RANGE
    check_demo(result)
    assert ranges == [f"bytes=-{TAIL}"]


def test_a_host_that_never_serves_unlisted_metadata_is_no_longer_asked(
    make_client: MakeClient,
) -> None:
    """Each ask for an unlisted `.metadata` is a request: after a few misses the host is
    read with range requests alone (the answers are the same)."""
    dists = [Dist("demo", f"1.{n}", requires=[f"dep{n}"]) for n in range(12)]
    with IndexServer(dists, advertise_metadata=False, serve_metadata=False) as server:
        client = make_client(server)
        page = client.project_page("demo", client.indexes[0])
        assert isinstance(page, ProjectPage)
        for file in sorted(page.files, key=lambda f: f.version):
            result = client.metadata(file, page=page)
            assert isinstance(result, MetadataResult)
            assert [str(r) for r in result.metadata.requires_dist] == [
                f"dep{file.version.release[1]}"
            ]
        asked = [path for path, _ in file_requests(server) if path.endswith(".metadata")]
    assert len(asked) == 8


def test_advertised_but_missing_metadata_falls_back_to_ranges(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        server.fault(f"/files/{WHEEL}.metadata", Fault.missing())
        result = fetch_metadata(make_client(server))
    assert result.source is MetadataSource.RANGE
    check_demo(result)


def test_full_download_when_ranges_are_not_supported(make_client: MakeClient) -> None:
    with IndexServer(
        [DEMO], advertise_metadata=False, serve_metadata=False, ranges=False
    ) as server:
        result = fetch_metadata(make_client(server))
    assert result.source is MetadataSource.DOWNLOAD
    check_demo(result)


def test_big_wheel_reads_only_the_tail(make_client: MakeClient) -> None:
    """3,000 members make a ~200 kB central directory; METADATA's entry is in its last
    64 kB, so two small requests suffice."""
    files = {f"demo/module_{i:05d}.py": f"X = {i}\n" for i in range(3000)}
    big = Dist("demo", "1.0", requires=["numpy"], files=files)
    with IndexServer([big], advertise_metadata=False, serve_metadata=False) as server:
        result = fetch_metadata(make_client(server))
        ranged = [rng for _, rng in file_requests(server) if rng]
        size = len(server.artifact(WHEEL).content)
    assert result.source is MetadataSource.RANGE
    assert result.metadata.requires_dist == (Requirement("numpy"),)
    assert len(ranged) == 2
    assert size > 300_000


def test_metadata_is_cached_by_hash(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        client = make_client(server)
        fetch_metadata(client)
        server.clear_requests()
        again = fetch_metadata(client)
        assert again.source is MetadataSource.CACHE
        assert file_requests(server) == []
        sha = server.artifact(WHEEL).sha256
    assert client.cache.read(Bucket.METADATA, "sha256", f"{sha}.metadata") is not None


def test_wrong_metadata_hash_is_refused_and_not_cached(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        server.fault(f"/files/{WHEEL}.metadata", Fault.corrupt())
        client = make_client(server)
        with pytest.raises(IndexFetchError) as info:
            fetch_metadata(client)
    assert info.value.message.startswith(f"hash mismatch for {WHEEL}.metadata: the index lists")
    assert info.value.hint is not None
    assert "nothing was used or cached" in info.value.hint
    assert list(client.cache.entries(Bucket.METADATA)) == []


def test_wrong_wheel_hash_on_full_download(make_client: MakeClient) -> None:
    with IndexServer(
        [DEMO], advertise_metadata=False, serve_metadata=False, ranges=False
    ) as server:
        server.fault(f"/files/{WHEEL}", Fault.corrupt())
        with pytest.raises(IndexFetchError, match=f"hash mismatch for {WHEEL}:"):
            fetch_metadata(make_client(server))


def test_truncated_metadata_is_retried(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        server.fault(f"/files/{WHEEL}.metadata", Fault.truncate(times=1))
        result = fetch_metadata(make_client(server))
        assert result.source is MetadataSource.PEP658
        assert [p for p, _ in file_requests(server)].count(f"/files/{WHEEL}.metadata") == 2


def test_truncated_every_time_is_an_error(make_client: MakeClient) -> None:
    with IndexServer([DEMO]) as server:
        server.fault(f"/files/{WHEEL}.metadata", Fault.truncate())
        with pytest.raises(IndexFetchError) as info:
            fetch_metadata(make_client(server))
    assert info.value.message.startswith(
        f"the response from {server.url}/files/{WHEEL}.metadata was cut short (3 attempts)"
    )


def test_sdist_with_static_metadata(make_client: MakeClient) -> None:
    with IndexServer([Dist("demo", "1.0", requires=["numpy"], wheel=False, sdist=True)]) as server:
        result = fetch_metadata(make_client(server), "demo-1.0.tar.gz")
    assert result.source is MetadataSource.DOWNLOAD
    assert result.metadata.requires_dist == (Requirement("numpy"),)


def test_sdist_with_dynamic_dependencies_needs_a_build(make_client: MakeClient) -> None:
    dist = Dist("demo", "1.0", wheel=False, sdist=True, dynamic=["Requires-Dist"])
    with IndexServer([dist]) as server:
        client = make_client(server)
        page = client.project_page("demo", client.indexes[0])
        assert isinstance(page, ProjectPage)
        result = client.metadata(page.files[0], page=page)
    assert isinstance(result, Unavailable)
    assert "dynamically" in result.reason


def test_metadata_for_the_wrong_file_is_refused(make_client: MakeClient) -> None:
    """A mirror serving another package's metadata under this file's name."""
    with IndexServer([DEMO, Dist("other", "3.0")], advertise_metadata=False) as server:
        client = make_client(server)
        page = client.project_page("demo", client.indexes[0])
        assert isinstance(page, ProjectPage)
        wrong = DistFile(
            filename=WHEEL,
            url=server.file_url("other-3.0-py3-none-any.whl"),
            version=page.files[0].version,
        )
        with pytest.raises(IndexFetchError, match=r"describes other 3\.0"):
            client.metadata(wrong, page=page)


# ---------------------------------------------------------------------- the zip reader, pure


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ranged(content: bytes) -> tuple[list[tuple[int, int]], object]:
    calls: list[tuple[int, int]] = []

    def fetch(start: int, end: int) -> bytes:
        calls.append((start, end))
        return content[start : end + 1]

    return calls, fetch


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_entries_in_tail_and_read_entry(compression: int) -> None:
    members = {f"pkg/f{i}.py": b"x" * 50 for i in range(2000)}
    members["pkg-1.0.dist-info/METADATA"] = b"Metadata-Version: 2.1\nName: pkg\n"
    content = zip_bytes(members, compression=compression)
    tail = content[-4096:]
    entries = entries_in_tail(tail, len(content))
    assert entries
    assert entries[-1].name == "pkg-1.0.dist-info/METADATA"
    calls, fetch = ranged(content)
    assert read_entry(entries[-1], fetch, len(content)) == members["pkg-1.0.dist-info/METADATA"]  # type: ignore[arg-type]
    assert len(calls) == 1


def test_dist_info_entries_are_read_without_the_rest_of_the_tail() -> None:
    members = {f"pkg/f{i}.py": b"x" * 50 for i in range(2000)}
    members["pkg-1.0.dist-info/METADATA"] = b"Metadata-Version: 2.1\nName: pkg\n"
    members["pkg-1.0.dist-info/RECORD"] = b""
    content = zip_bytes(members)
    entries = dist_info_entries_in_tail(content[-TAIL:], len(content))
    assert [e.name for e in entries or []] == [
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.dist-info/RECORD",
    ]
    # No .dist-info/ in the tail's directory: all the entries it holds, as before.
    plain = zip_bytes({f"pkg/f{i}.py": b"x" for i in range(10)})
    assert [e.name for e in dist_info_entries_in_tail(plain, len(plain)) or []] == [
        f"pkg/f{i}.py" for i in range(10)
    ]
    assert dist_info_entries_in_tail(b"not a zip at all", 16) is None


def test_read_directory_when_metadata_is_not_at_the_end() -> None:
    """Some builders (meson-python) write .dist-info first: its entry then opens a
    directory larger than the tail, and one more request fetches the rest of it."""
    members = {"pkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pkg\n"}
    members |= {f"pkg/f{i}.py": random.Random(i).randbytes(200) for i in range(3000)}
    content = zip_bytes(members)
    tail = content[-TAIL:]
    partial = entries_in_tail(tail, len(content))
    assert partial
    assert "pkg-1.0.dist-info/METADATA" not in [e.name for e in partial]
    calls, fetch = ranged(content)
    entries = read_directory(tail, len(content), fetch)  # type: ignore[arg-type]
    assert len(entries) == len(members)
    assert entries[0].name == "pkg-1.0.dist-info/METADATA"
    assert read_entry(entries[0], fetch, len(content)) == members[entries[0].name]  # type: ignore[arg-type]
    assert len(calls) == 2
    assert sum(end - start + 1 for start, end in calls) < len(content) // 4


def test_entries_in_tail_without_end_record() -> None:
    assert entries_in_tail(b"not a zip at all", 16) is None


def test_zip64_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Big wheels (CUDA libraries) are zip64: 8-byte sizes and offsets in extra fields and
    a zip64 end record. Lowering zipfile's limits makes a small archive use them all."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 10)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    members = {f"pkg/f{i}.py": random.Random(i).randbytes(300) for i in range(50)}
    members["pkg-1.0.dist-info/METADATA"] = b"Metadata-Version: 2.1\nName: pkg\n" * 40
    raw = bytearray(zip_bytes(members))
    monkeypatch.undo()
    assert b"PK\x06\x06" in raw[-200:]  # the zip64 end record is there
    # Real zip64 writers put 0xFFFFFFFF in the classic end record; Python's zipfile keeps
    # the small values, so patch them to force reading the zip64 record.
    eocd = raw.rfind(b"PK\x05\x06")
    raw[eocd + 12 : eocd + 20] = b"\xff" * 8
    content = bytes(raw)
    entries = entries_in_tail(content[-TAIL:], len(content))
    assert entries is not None
    assert [e.name for e in entries] == list(members)
    _, fetch = ranged(content)
    last = entries[-1]
    assert read_entry(last, fetch, len(content)) == members[last.name]  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # what zipfile itself reads
        assert archive.read(last.name) == members[last.name]


def test_damaged_member_fails_its_crc() -> None:
    members = {"pkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pkg\n" * 10}
    content = bytearray(zip_bytes(members, compression=zipfile.ZIP_STORED))
    (entry,) = entries_in_tail(bytes(content[-TAIL:]), len(content)) or []
    content[entry.offset + 30 + len(entry.name) + 5] ^= 0xFF
    _, fetch = ranged(bytes(content))
    with pytest.raises(OSError, match="failed its CRC check"):
        read_entry(entry, fetch, len(content))  # type: ignore[arg-type]
