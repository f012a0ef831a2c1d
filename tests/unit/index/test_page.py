"""Parsing index pages from literal text: the odd things real indexes serve."""

from __future__ import annotations

import marshal

from packaging.utils import canonicalize_name
from packaging.version import Version

from tether.index.page import page_from_record, page_to_record, parse_html_page, parse_json_page

NAME = canonicalize_name("demo")


def test_html_with_base_entities_and_metadata_flags() -> None:
    body = b"""<!DOCTYPE html><html><head>
    <base href="https://files.example/root/">
    <meta name="pypi:repository-version" content="1.0">
    </head><body>
    <a href="demo-1.0-py3-none-any.whl#sha256=aa" data-requires-python="&gt;=3.8,&lt;4"
       data-core-metadata="true">demo-1.0-py3-none-any.whl</a>
    <a href="/abs/demo-1.1.tar.gz#md5=bb" data-yanked="">demo-1.1.tar.gz</a>
    <a href="demo-1.2-py3-none-any.whl" data-dist-info-metadata="sha256=cc">x</a>
    <a href="demo-1.3-py3-none-any.whl" data-core-metadata="false">x</a>
    <a href="demo-0.1.win32.exe">installer</a>
    <a href="demo-1.0-py2.4.egg">egg</a>
    <a href="demo-latest.tar.gz">legacy version</a>
    <a>no href</a>
    </body></html>"""
    page = parse_html_page(body, url="https://idx.example/simple/demo/", project=NAME)
    files = {f.filename: f for f in page.files}
    assert sorted(files) == [
        "demo-1.0-py3-none-any.whl",
        "demo-1.1.tar.gz",
        "demo-1.2-py3-none-any.whl",
        "demo-1.3-py3-none-any.whl",
    ]
    first = files["demo-1.0-py3-none-any.whl"]
    assert first.url == "https://files.example/root/demo-1.0-py3-none-any.whl"
    assert (first.sha256, first.requires_python, first.core_metadata) == ("aa", ">=3.8,<4", True)
    sdist = files["demo-1.1.tar.gz"]
    assert sdist.url == "https://files.example/abs/demo-1.1.tar.gz"
    assert (sdist.sha256, sdist.yanked, sdist.yanked_reason) == (None, True, None)
    assert files["demo-1.2-py3-none-any.whl"].metadata_sha256 == "cc"
    assert files["demo-1.3-py3-none-any.whl"].core_metadata is False
    assert page.advertises_metadata
    assert list(page.versions()) == [Version("1.3"), Version("1.2"), Version("1.1"), Version("1.0")]


def test_html_percent_encoded_filename() -> None:
    body = b'<a href="../../files/demo-1.0%2Blocal-py3-none-any.whl">x</a>'
    page = parse_html_page(body, url="https://i/simple/demo/", project=NAME)
    assert page.files[0].filename == "demo-1.0+local-py3-none-any.whl"
    assert page.files[0].version == Version("1.0+local")


def test_json_relative_urls_and_pep714_precedence() -> None:
    body = b"""{"meta": {"api-version": "1.3"}, "name": "demo", "files": [
      {"filename": "demo-1.0-py3-none-any.whl", "url": "../../f/demo-1.0-py3-none-any.whl",
       "hashes": {"sha256": "ab", "md5": "x"}, "core-metadata": {"sha256": "cd"},
       "data-dist-info-metadata": false, "yanked": false, "size": 12,
       "upload-time": "2024-01-02T03:04:05.123456Z", "requires-python": ""}
    ]}"""
    page = parse_json_page(body, url="https://i/simple/demo/", project=NAME)
    (file,) = page.files
    assert file.url == "https://i/f/demo-1.0-py3-none-any.whl"
    assert (file.core_metadata, file.metadata_sha256) == (True, "cd")
    assert file.requires_python is None
    assert file.upload_time is not None
    assert file.upload_time.microsecond == 123456


def test_cache_form_round_trips() -> None:
    body = b"""{"meta": {"api-version": "1.1"}, "name": "demo", "files": [
      {"filename": "demo-1.0.tar.gz", "url": "https://f/demo-1.0.tar.gz", "hashes": {},
       "yanked": "bad", "upload-time": "2024-01-02T03:04:05Z", "size": 3},
      {"filename": "demo-2.0-py3-none-any.whl", "url": "https://f/demo-2.0-py3-none-any.whl",
       "hashes": {"sha256": "ee"}, "core-metadata": true}
    ]}"""
    page = parse_json_page(body, url="https://u:secret@i/simple/demo/", project=NAME)
    stored = page_to_record(page)
    assert "secret" not in str(stored)
    again = page_from_record(marshal.loads(marshal.dumps(stored)))  # noqa: S302 - as cached
    assert again.files == page.files
    assert again.groups == page.groups
