"""`tether add git+https://host/org/repo --tag v1` and `tether add 'name @ git+…@rev'`:
the dependency written by name, its repository as a `[tool.tether.sources]` git source
(as `uv add` writes it), so the revision is moved by editing one line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from tether.commands.git_sources import git_fetcher
from tether.commands.services import open_cache
from tether.errors import UsageError
from tether.project.discovery import project_name_at
from tether.vcs.reference import BadGitReference, GitReference, is_git_url, parse_git_url


@dataclass(frozen=True, slots=True, kw_only=True)
class GitRevision:
    """`--tag`, `--branch` or `--rev` (at most one), for git URLs given to `add`."""

    tag: str | None = None
    branch: str | None = None
    rev: str | None = None

    def given(self) -> tuple[str, str] | None:
        for key in ("tag", "branch", "rev"):
            value = getattr(self, key)
            if value is not None:
                return key, value
        return None


def git_additions(
    names: tuple[str, ...],
    revision: GitRevision,
    environ: Mapping[str, str],
) -> tuple[tuple[str, ...], dict[Requirement, dict[str, object]]]:
    """`names` without the git ones, and each git one as a requirement by name with the
    source to write for it."""
    if len([v for v in (revision.tag, revision.branch, revision.rev) if v is not None]) > 1:
        raise UsageError("--tag, --branch and --rev exclude each other")
    rest: list[str] = []
    found: dict[Requirement, dict[str, object]] = {}
    for text in names:
        requirement, reference = _git_reference(text)
        if reference is None:
            rest.append(text)
            continue
        if requirement is None:
            requirement = Requirement(_name_of(reference, environ))
        source: dict[str, object] = {"git": reference.url}
        chosen = revision.given()
        if chosen is not None:
            source[chosen[0]] = chosen[1]
        elif reference.rev is not None:
            source["rev"] = reference.rev
        if reference.subdirectory:
            source["subdirectory"] = reference.subdirectory
        found[requirement] = source
    if revision.given() is not None and not found:
        raise UsageError(
            "--tag, --branch and --rev apply to git URLs, and none was given",
            hint="e.g. tether add git+https://github.com/org/repo --tag v1.2",
        )
    return tuple(rest), found


def _git_reference(text: str) -> tuple[Requirement | None, GitReference | None]:
    """(the requirement without its URL, the reference) for a git one; (None, None) else."""
    url, requirement = text, None
    if not is_git_url(text):
        try:
            parsed = Requirement(text)
        except InvalidRequirement:
            return None, None
        if parsed.url is None or not is_git_url(parsed.url):
            return None, None
        url = parsed.url
        parsed.url = None
        requirement = parsed
    try:
        return requirement, parse_git_url(url)
    except BadGitReference as err:
        raise UsageError(
            f"invalid git reference '{text}': {err}",
            hint="e.g. git+https://github.com/org/repo@v1.2#subdirectory=libs/core",
        ) from None


def _name_of(reference: GitReference, environ: Mapping[str, str]) -> str:
    """The project name the repository declares (checked out at what the reference
    names now)."""
    checkout = git_fetcher(open_cache(environ), environ, {})(reference)
    name = project_name_at(checkout.project)
    if name is None:
        raise UsageError(
            f"cannot tell the name of the package at {reference.shown}: its "
            f"{Path(reference.subdirectory or '.') / 'pyproject.toml'} declares none",
            hint=f"name it: tether add 'NAME @ git+{reference.shown}'",
        )
    return name
