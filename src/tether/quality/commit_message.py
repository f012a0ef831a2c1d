"""Conventional Commits (https://www.conventionalcommits.org): `type(scope)!: subject`.
Merge, revert and fixup!/squash! messages git writes itself pass."""

from __future__ import annotations

import re

DEFAULT_TYPES = (
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert",
)  # fmt: skip
_GIT_WRITTEN = re.compile(r"^(?:Merge |Revert \"|fixup! |squash! |amend! )")


def check_message(message: str, types: tuple[str, ...] = DEFAULT_TYPES) -> str | None:
    """None when `message` is conventional, else what is wrong with it."""
    lines = [line for line in message.splitlines() if not line.startswith("#")]
    subject = next((line for line in lines if line.strip()), "")
    if not subject:
        return "the commit message is empty"
    if _GIT_WRITTEN.match(subject):
        return None
    # Types compare case-insensitively (`Feat:`), as conventional-pre-commit does.
    pattern = re.compile(
        r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s]+)\))?(?P<bang>!)?: (?P<subject>\S.*)$"
    )
    match = pattern.match(subject)
    if match is None:
        return (
            f"{subject!r} is not a conventional commit subject: write `type(scope): summary`, "
            f"with type one of {', '.join(types)} (e.g. `fix(lock): keep hashes sorted`)"
        )
    if match.group("type").lower() not in {t.lower() for t in types}:
        return (
            f"unknown commit type {match.group('type')!r}: use one of {', '.join(types)} "
            f"as `type(scope): summary` (e.g. `feat(api): add streaming`)"
        )
    body_start = lines.index(subject) + 1
    if body_start < len(lines) and lines[body_start].strip():
        return "leave a blank line between the subject and the body"
    return None
