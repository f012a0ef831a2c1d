"""Git references as users write them (PEP 440 direct references)."""

from __future__ import annotations

import pytest

from tether.vcs.reference import BadGitReference, GitReference, parse_git_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("git+https://github.com/o/r", GitReference("https://github.com/o/r")),
        ("git+https://github.com/o/r.git@v1.2", GitReference("https://github.com/o/r.git", "v1.2")),
        (
            "git+https://github.com/o/r@main#subdirectory=libs/core",
            GitReference("https://github.com/o/r", "main", "libs/core"),
        ),
        (
            "git+ssh://git@github.com/o/r@" + "a" * 40,
            GitReference("ssh://git@github.com/o/r", "a" * 40),
        ),
        ("git+file:///srv/repo@feature/x", GitReference("file:///srv/repo", "feature/x")),
        (
            "git+https://user:tok@host/o/r@v1",
            GitReference("https://user:tok@host/o/r", "v1"),
        ),
    ],
)
def test_parse(text: str, expected: GitReference) -> None:
    assert parse_git_url(text) == expected


def test_credentials_are_never_shown_and_commits_are_recognised() -> None:
    reference = parse_git_url("git+https://user:tok@host/o/r@" + "0123abcd" * 5)
    assert reference.shown == "https://host/o/r"
    assert reference.is_commit
    assert not parse_git_url("git+https://host/o/r@abc123").is_commit
    assert reference.requirement_url("f" * 40) == "git+https://user:tok@host/o/r@" + "f" * 40


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("git+git://host/o/r", "git+git:// is not supported"),
        ("git+https://host/o/r@", "without a revision"),
        ("git+https://host/o/r#subdirectory=../up", "relative path inside the repo"),
        ("git+https://host/o/r#subdirectory=/abs", "relative path inside the repo"),
        ("https://host/o/r", "does not start with git+"),
    ],
)
def test_bad_references(text: str, problem: str) -> None:
    with pytest.raises(BadGitReference, match=problem.replace("+", r"\+")):
        parse_git_url(text)
