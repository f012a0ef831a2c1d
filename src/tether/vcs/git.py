"""Git repositories in the cache: a revision resolved to its commit, and that commit
checked out once.

`git` runs as a subprocess, so private hosts authenticate through the user's own
credential helpers and SSH keys, and tether adds no dependency. Credentials never reach
a message, the lock or a cache key: URLs are shown without user-info, and git's own
output is scrubbed of the URL as given before it is quoted.

Layout: `git-db-v1/<url key>` is a bare repository per remote, holding each commit tether
fetched under `refs/tether/<commit>`; `git-checkouts-v1/<url key>/<commit>` is that
commit's tree (with its `.git`, so setuptools-scm and friends can read versions), written
beside its final name and renamed into place. Fetches are shallow where the server allows
(the smart protocol); the dumb HTTP protocol falls back to a full fetch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from tether.cache.store import Bucket, Cache, digest
from tether.errors import GitError
from tether.vcs.reference import GitReference

_DONE = ".tether-checkout-complete"
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class GitCheckout:
    reference: GitReference
    commit: str
    root: Path  # the repository at `commit`

    @property
    def project(self) -> Path:
        """The package's directory: the root, or the reference's subdirectory in it."""
        sub = self.reference.subdirectory
        return self.root / sub if sub else self.root


def resolve_commit(reference: GitReference, cache: Cache, environ: Mapping[str, str]) -> str:
    """The full commit the reference's revision names now on the remote."""
    if reference.is_commit:
        return reference.rev or ""
    rev = reference.rev
    listed = _must(["ls-remote", reference.url], reference, environ)
    refs: dict[str, str] = {}
    for line in listed.splitlines():
        commit, _, name = line.partition("\t")
        refs[name.strip()] = commit.strip()
    if rev is None:
        if "HEAD" in refs:
            return refs["HEAD"]
        raise GitError(
            f"the git repository {reference.shown} has no default branch (HEAD)",
            hint="name a branch, tag or commit (`@rev` in the URL, or tag/branch/rev)",
        )
    for name in (f"refs/tags/{rev}^{{}}", f"refs/tags/{rev}", f"refs/heads/{rev}", rev):
        if name in refs:
            return refs[name]
    if 4 <= len(rev) < 40 and set(rev.lower()) <= _HEX:  # an abbreviated commit
        db = _fetch_all(reference, cache, environ)
        found = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], db, environ)
        if found.returncode == 0:
            return found.stdout.strip()
    raise GitError(
        f"the git repository {reference.shown} has no branch, tag or commit '{rev}'",
        hint="check the revision (`git ls-remote` lists branches and tags)",
    )


def checkout(
    reference: GitReference, commit: str, cache: Cache, environ: Mapping[str, str]
) -> GitCheckout:
    """`commit` of the reference's repository, checked out in the cache (fetched first
    unless an earlier run left it there)."""
    target = cache.path(Bucket.GIT_CHECKOUTS, digest(reference.shown), commit)
    done = GitCheckout(reference, commit, target)
    if (target / ".git" / _DONE).exists():
        return _checked(done)
    db = _fetch_commit(reference, commit, cache, environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.parent / f".tmp-{uuid.uuid4().hex}"
    try:
        _must(["init", "--quiet", str(scratch)], reference, environ)
        steps: list[list[str]] = [
            ["fetch", "--quiet", "--no-tags", "--update-shallow", str(db), f"refs/tether/{commit}"],
            ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit],
        ]
        for step in steps:
            _must(step, reference, environ, cwd=scratch)
        if (scratch / ".gitmodules").exists():
            _must(
                ["submodule", "update", "--init", "--recursive", "--depth", "1"],
                reference,
                environ,
                cwd=scratch,
            )
        (scratch / ".git" / _DONE).write_text(commit)
        try:
            scratch.rename(target)
        except OSError:  # another process put it there first: theirs is the same commit
            if not (target / ".git" / _DONE).exists():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return _checked(done)


def _checked(checkout: GitCheckout) -> GitCheckout:
    if not checkout.project.is_dir():
        raise GitError(
            f"commit {checkout.commit[:12]} of {checkout.reference.shown} has no "
            f"subdirectory '{checkout.reference.subdirectory}'",
            hint="fix the subdirectory (`#subdirectory=…` in the URL, or `subdirectory`)",
        )
    return checkout


def _database(reference: GitReference, cache: Cache, environ: Mapping[str, str]) -> Path:
    db = cache.path(Bucket.GIT_DB, digest(reference.shown))
    if not (db / "HEAD").exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        _must(["init", "--quiet", "--bare", str(db)], reference, environ)
    return db


def _fetch_commit(
    reference: GitReference, commit: str, cache: Cache, environ: Mapping[str, str]
) -> Path:
    """The cache's repository for the remote, holding `commit` under refs/tether/."""
    db = _database(reference, cache, environ)
    with FileLock(str(db) + ".lock"):
        if _has(db, commit, environ):
            _git(["update-ref", f"refs/tether/{commit}", commit], db, environ)
            return db
        shallow = _git(
            ["fetch", "--quiet", "--no-tags", "--depth", "1", reference.url,
             f"{commit}:refs/tether/{commit}"],
            db,
            environ,
        )  # fmt: skip
        if shallow.returncode != 0 or not _has(db, commit, environ):
            _fetch_everything(reference, db, environ)
            if not _has(db, commit, environ):
                raise GitError(
                    f"the git repository {reference.shown} has no commit {commit}",
                    hint="the commit may have been force-pushed away; run `tether lock "
                    "--upgrade-package` for this package to pin what the revision names now",
                )
            _git(["update-ref", f"refs/tether/{commit}", commit], db, environ)
    return db


def _fetch_all(reference: GitReference, cache: Cache, environ: Mapping[str, str]) -> Path:
    db = _database(reference, cache, environ)
    with FileLock(str(db) + ".lock"):
        _fetch_everything(reference, db, environ)
    return db


def _fetch_everything(reference: GitReference, db: Path, environ: Mapping[str, str]) -> None:
    """Every branch and tag (the dumb protocol and servers that refuse to send a commit
    by its id need this)."""
    args = ["fetch", "--quiet", "--no-tags", "--update-head-ok"]
    if (db / "shallow").exists():
        args.append("--unshallow")
    refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    _must([*args, reference.url, *refspecs], reference, environ, cwd=db)


def _has(db: Path, commit: str, environ: Mapping[str, str]) -> bool:
    return _git(["cat-file", "-e", f"{commit}^{{commit}}"], db, environ).returncode == 0


def _git(
    args: Sequence[str], cwd: Path, environ: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    return _spawn(args, environ, cwd=cwd)


def _must(
    args: Sequence[str],
    reference: GitReference,
    environ: Mapping[str, str],
    *,
    cwd: Path | None = None,
) -> str:
    done = _spawn(args, environ, cwd=cwd)
    if done.returncode != 0:
        raise _failure(args, reference, done.stderr)
    return done.stdout


def _spawn(
    args: Sequence[str], environ: Mapping[str, str], *, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git", path=environ.get("PATH", os.defpath))
    if git is None:
        raise GitError(
            "git dependencies need `git`, and it is not on PATH",
            hint="install git (https://git-scm.com/downloads), then run this again",
        )
    env = {
        **environ,
        "GIT_TERMINAL_PROMPT": "0",  # a missing credential fails instead of hanging
        "LC_ALL": "C",
    }
    try:
        return subprocess.run(
            [git, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as err:
        raise GitError(f"cannot run git: {err}", hint="check the git installation") from None


def _failure(args: Sequence[str], reference: GitReference, stderr: str) -> GitError:
    """One paragraph from git's complaint, without the credentials of the URL."""
    text = stderr.replace(reference.url, reference.shown).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    said = " ".join(lines[-3:]) or "no output"
    verb = next((a for a in args if not a.startswith("-") and a != "advice.detachedHead=false"), "")
    if verb in ("ls-remote", "fetch"):
        hint = (
            "check the URL and your network; for a private host, configure git's "
            "credentials (a credential helper or an SSH key) so that `git ls-remote "
            f"{reference.shown}` works"
        )
        return GitError(f"cannot reach the git repository {reference.shown}: {said}", hint=hint)
    return GitError(f"git {verb} failed for {reference.shown}: {said}", hint="run it again")
