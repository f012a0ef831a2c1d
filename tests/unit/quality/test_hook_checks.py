"""The built-in hook checks and commit-message rule on plain bytes and strings."""

from __future__ import annotations

import pytest

from tether.quality.commit_message import check_message
from tether.quality.hook_checks import fix, high_entropy, run_check
from tether.quality.precommit_config import PreCommitConfigError, parse_config


def lines(check: str, text: str | bytes, path: str = "f.txt") -> list[int | None]:
    content = text.encode() if isinstance(text, str) else text
    return [f.line for f in run_check(check, path, content, large_file_kb=1000)]


def test_parsers_report_the_line() -> None:
    assert lines("toml", 'a = 1\nb = "\n', "x.toml") == [2]
    assert lines("json", '{\n  "a": 1,\n}\n', "x.json") == [3]
    assert lines("yaml", "a: 1\nb: [\n", "x.yaml") == [3]
    assert lines("toml", "a = 1\n", "x.toml") == []


def test_whitespace_and_eof_found_and_fixed() -> None:
    assert lines("whitespace", "a \nb\t\r\nc\n") == [1, 2]
    assert fix("whitespace", b"a \nb\t\r\nc\n") == b"a\nb\r\nc\n"
    assert lines("eof", "a") == [1]
    assert lines("eof", "a\n\n") == [None]
    assert lines("eof", "") == []
    assert fix("eof", b"a\n\n\n") == b"a\n"
    assert fix("eof", b"\n\n") == b""
    assert lines("whitespace", b"\0binary \n") == []  # binary files are left alone


@pytest.mark.parametrize(
    "line",
    [
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        "PuTTY-User-Key-File-3: ssh-ed25519",
    ],
)
def test_private_keys(line: str) -> None:
    assert lines("private-keys", f"x\n{line}\n") == [2]


@pytest.mark.parametrize(
    "text",
    [
        "key = 'AKIA" + "Q2W3E4R5T6Y7U8I9'",
        "token: ghp_" + "A" * 36,
        "hf = 'hf_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3f" + "'",
        "slack = 'xoxb-" + "123456789012-abcdefghij'",
        'client_secret = "' + "q8Zr2LmX0vB7nT4kW1sY9cH6jP3dF5gA" + '"',
    ],
    ids=["aws", "github", "huggingface", "slack", "entropy"],
)
def test_secrets_are_found(text: str) -> None:
    assert lines("secrets", text + "\n") == [1]


@pytest.mark.parametrize(
    "text",
    [
        'password = "changeme-please-now"',
        'api_key = "${API_KEY}"',
        'token = "xxxxxxxxxxxxxxxxxxxxxxxx"',
        'sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
        'token = "AKIA' + 'Q2W3E4R5T6Y7U8I9"  # pragma: allowlist secret',
    ],
)
def test_placeholders_hashes_and_allowlisted_lines_are_not_secrets(text: str) -> None:
    assert lines("secrets", text + "\n") == []


def test_entropy_limits() -> None:
    assert not high_entropy("aaaaaaaaaaaaaaaaaaaa")
    assert high_entropy("q8Zr2LmX0vB7nT4kW1sY9cH6jP3dF5gA")


def test_merge_markers_and_heading_underlines() -> None:
    assert lines("merge-conflicts", "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n") == [1, 3, 5]
    assert lines("merge-conflicts", "Title\n=======\n") == []


@pytest.mark.parametrize(
    ("message", "ok"),
    [
        ("feat(lock): keep hashes sorted\n", True),
        ("fix!: drop Python 3.10\n\nBREAKING CHANGE: ...\n", True),
        ("Merge branch 'main' into topic\n", True),
        ("fixup! feat: x\n", True),
        ("# a comment only\n", False),
        ("Add stuff\n", False),
        ("feat: subject\nbody without a blank line\n", False),
        ("feature: x\n", False),
    ],
)
def test_conventional_commit_messages(message: str, ok: bool) -> None:
    assert (check_message(message) is None) is ok


def test_pre_commit_config_parsing() -> None:
    config = parse_config(
        "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: v0.6.0\n"
        "  hooks:\n  - id: ruff\n  - id: ruff-format\n"
        "- repo: https://example.com/other\n  rev: v1\n  hooks:\n  - id: other-hook\n"
    )
    assert config.native == ("ruff", "ruff-format")
    assert config.unsupported == ("other-hook (https://example.com/other)",)
    with pytest.raises(PreCommitConfigError, match="no `repos:` list"):
        parse_config("hooks: []\n")
