"""Credentials in URLs never reach output, however the URL was mistyped; index URLs
are checked for what an index needs."""

from __future__ import annotations

import pytest

from tether.urls import index_url_problem, redact_text, redact_url


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://alice:s3cret@host/simple", "https://***@host/simple"),
        ("https://token@host/simple", "https://***@host/simple"),
        ("https//alice:s3cret@host/simple", "https//***@host/simple"),
        ("https:/alice:s3cret@host/simple", "https:/***@host/simple"),
        ("alice:s3cret@host/simple", "***@host/simple"),
        ("reach 'https//alice:s3cret@host/x/': no", "reach 'https//***@host/x/': no"),
        ("git+https://github.com/org/repo@v1.0", "git+https://github.com/org/repo@v1.0"),
        ("requires pkg @ https://host/pkg.whl", "requires pkg @ https://host/pkg.whl"),
        ("mail me: a@b", "mail me: a@b"),
    ],
)  # fmt: skip
def test_redacted(text: str, shown: str) -> None:
    assert redact_text(text) == shown
    assert "s3cret" not in redact_url(text)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://pypi.org/simple", None),
        ("http://127.0.0.1:8080/simple", None),
        ("file:///srv/wheels", None),
        ("https//pypi.org/simple", "it has no scheme (write https://...)"),
        ("pypi.org/simple", "it has no scheme (write https://...)"),
        ("htps://pypi.org/simple", "its scheme htps:// is not http://, https:// or file://"),
        ("https:/pypi.org/simple", "it has no host after https://"),
        ("https://", "it has no host after https://"),
    ],
)
def test_index_url_problem(url: str, problem: str | None) -> None:
    assert index_url_problem(url) == problem
