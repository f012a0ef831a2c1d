"""`tether hooks`: real commits in temporary git repositories, refused or let through by
the installed hooks; fixes, baselines, foreign hooks, and a pre-commit configuration."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import run_tether
from tests.support.index_server import IndexServer
from tests.support.rewheel import RUFF, rewheel

BUILTINS = '["toml", "yaml", "json", "whitespace", "eof", "large-files", "private-keys", ' \
    '"secrets", "merge-conflicts"]'  # fmt: skip
AWS_KEY = "AKIA" + "Z7QX3NDKEHV2TPWL"  # split: this file must not trip our own hooks


@pytest.fixture(scope="module")
def ruff_index() -> Iterator[IndexServer]:
    with IndexServer() as server:
        for name in RUFF:
            server.add_wheel(*rewheel(name))
        yield server


def repo(tmp_path: Path, checks: str = BUILTINS, extra: str = "") -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\n\n'
        f"[tool.tether.hooks]\nchecks = {checks}\n{extra}"
    )
    git(root, "add", "pyproject.toml")
    installed = run_tether("hooks", "install", cwd=root)
    assert installed.exit_code == 0, installed.stderr
    return root


def git(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TETHER_", "GIT_"))}
    environ |= {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "TETHER_CACHE_DIR": str(root.parent / "cache"), "NO_COLOR": "1",
        **(env or {}),
    }  # fmt: skip
    # Hooks' output arrives on git's stderr: both streams in one, in order.
    return subprocess.run(
        ["git", *args], cwd=root, env=environ, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, check=False, timeout=120,
    )  # fmt: skip


def commit(
    root: Path, files: dict[str, str | bytes], message: str = "feat: add files"
) -> subprocess.CompletedProcess[str]:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        git(root, "add", name)
    return git(root, "commit", "-q", "-m", message)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "deploy/id_rsa",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n",
            "deploy/id_rsa:1: private-keys: a private key",
        ),
        (
            "svc/merge.py",
            "a = 1\n<<<<<<< HEAD\nb = 2\n=======\nb = 3\n>>>>>>> topic\n",
            "svc/merge.py:2: merge-conflicts: a merge conflict marker",
        ),
        (
            "settings.py",
            f'REGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n',
            "settings.py:2: secrets: an AWS access key id (never commit credentials)",
        ),
        (
            "model.bin",
            b"\0" * (2 * 1024 * 1024),
            "model.bin: large-files: 2048 KB is over the 1000 KB limit",
        ),
        ("config/app.yaml", "name: svc\nitems: [1, 2\n", "config/app.yaml:3: yaml: invalid YAML"),
    ],
    ids=["private-key", "merge-marker", "aws-key", "large-file", "bad-yaml"],
)
def test_a_commit_with_a_problem_is_refused_naming_file_and_line(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    root = repo(tmp_path)

    refused = commit(root, {name: content})

    assert refused.returncode == 1
    assert expected in refused.stdout
    assert "Hooks failed on 2 file(s)" in refused.stdout
    assert git(root, "rev-parse", "HEAD").returncode != 0  # nothing was committed


def test_commit_messages_and_a_clean_commit(tmp_path: Path) -> None:
    root = repo(tmp_path)

    vague = commit(root, {"svc/__init__.py": "VALUE = 1\n"}, message="stuff")
    wrong_type = git(root, "commit", "-q", "-m", "feature: add svc")
    clean = git(root, "commit", "-q", "-m", "feat(svc): add the package")

    assert vague.returncode == 1
    assert "commit-msg: 'stuff' is not a conventional commit subject" in vague.stdout
    assert wrong_type.returncode == 1
    assert "unknown commit type 'feature'" in wrong_type.stdout
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert git(root, "log", "--format=%s").stdout == "feat(svc): add the package\n"


def test_fix_repairs_whitespace_and_end_of_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "notes.md").write_text("line one   \nline two\t\n\n\n")
    (root / "app.py").write_text("x = 1")
    git(root, "add", ".")

    failed = run_tether("hooks", "run", cwd=root)
    fixed = run_tether("hooks", "run", "--fix", cwd=root)

    assert failed.exit_code == 1
    assert "notes.md:1: whitespace: trailing whitespace" in failed.stdout
    assert "app.py:1: eof: no newline at the end of the file" in failed.stdout
    assert "notes.md: eof: blank lines at the end of the file" in failed.stdout
    assert fixed.exit_code == 1  # fixed files must be reviewed and staged again
    assert "Fixed app.py: review the change and `git add` it" in fixed.stderr
    assert (root / "notes.md").read_text() == "line one\nline two\n"
    assert (root / "app.py").read_text() == "x = 1\n"
    git(root, "add", ".")
    assert run_tether("hooks", "run", cwd=root).exit_code == 0


def test_ruff_runs_on_the_staged_python_files(tmp_path: Path, ruff_index: IndexServer) -> None:
    root = repo(tmp_path, checks='["ruff", "ruff-format", "whitespace"]')
    env = {"TETHER_INDEX_URL": ruff_index.index_url}
    (root / "ok.py").write_text("import os\n\nprint(os.sep)\n")
    (root / "bad.py").write_text("import sys\n")
    git(root, "add", "ok.py")
    only_ok = git(root, "commit", "-q", "-m", "feat: ok", env=env)
    git(root, "add", "bad.py")
    with_bad = git(root, "commit", "-q", "-m", "feat: bad", env=env)

    assert only_ok.returncode == 0, only_ok.stdout + only_ok.stderr
    assert with_bad.returncode == 1
    assert "--- ruff (ruff check --force-exclude) failed:" in with_bad.stdout
    assert "F401" in with_bad.stdout
    assert "ok.py" not in with_bad.stdout.split("failed:")[1]


def test_secrets_baseline_accepts_known_findings_only(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "fixtures.py").write_text(f'TEST_KEY = "{AWS_KEY}"\n')
    git(root, "add", ".")
    assert run_tether("hooks", "run", cwd=root).exit_code == 1

    baseline = run_tether("hooks", "baseline", cwd=root)
    git(root, "add", ".")
    accepted = run_tether("hooks", "run", cwd=root)
    (root / "more.py").write_text(
        'API_TOKEN = "ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"\n'
    )
    git(root, "add", ".")
    new = run_tether("hooks", "run", cwd=root)

    assert "Wrote 1 accepted secret finding(s)" in baseline.stderr
    assert AWS_KEY not in (root / ".secrets.baseline").read_text()  # stored hashed
    assert accepted.exit_code == 0, accepted.stdout
    assert new.exit_code == 1
    assert "more.py:1: secrets: a GitHub token" in new.stdout
    assert "fixtures.py" not in new.stdout


def test_foreign_hooks_are_kept_unless_forced(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    foreign = root / ".git" / "hooks" / "pre-commit"
    foreign.write_text("#!/bin/sh\necho mine\n")

    refused = run_tether("hooks", "install", cwd=root)
    forced = run_tether("hooks", "install", "--force", cwd=root)
    legacy = foreign.with_name("pre-commit.legacy").read_text()
    removed = run_tether("hooks", "uninstall", cwd=root)

    assert refused.exit_code == 2
    assert "were not written by tether" in refused.stderr
    assert forced.exit_code == 0
    assert legacy == "#!/bin/sh\necho mine\n"
    assert removed.exit_code == 0
    assert foreign.read_text() == "#!/bin/sh\necho mine\n"  # put back


def test_a_pre_commit_config_is_honoured(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(
            """\
            repos:
              - repo: https://github.com/pre-commit/pre-commit-hooks
                rev: v5.0.0
                hooks:
                  - id: trailing-whitespace
                  - id: check-added-large-files
                    args: ["--maxkb=1"]
                  - id: name-tests-test
              - repo: local
                hooks:
                  - id: no-print
                    name: no print calls
                    entry: grep -n "print("
                    language: system
                    types: [python]
                    pass_filenames: true
            """
        )
    )
    (root / "a.py").write_text("x = 1 \n")
    (root / "big.txt").write_text("y" * 2048 + "\n")
    git(root, "add", ".")

    result = run_tether("hooks", "run", cwd=root)

    assert result.exit_code == 1
    assert "a.py:1: whitespace: trailing whitespace" in result.stdout
    assert "big.txt: large-files: 2 KB is over the 1 KB limit" in result.stdout
    # grep exits 1 when it finds nothing: the local hook "fails" on a clean file.
    assert '--- no-print (grep -n "print(") failed:' in result.stdout
    assert "pre-commit hook name-tests-test (https://github.com/pre-commit/pre-commit-hooks) " \
        "is not one tether can run: skipped" in result.stderr  # fmt: skip


def test_bad_hook_settings_and_no_repository_are_clear_errors(tmp_path: Path) -> None:
    outside = run_tether("hooks", "run", cwd=tmp_path)
    root = repo(tmp_path, checks='["whitespace", "spellcheck"]')
    unknown = run_tether("hooks", "run", cwd=root)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\n\n[tool.tether.hooks]\nlarge-file-kb = "big"\n'
    )
    bad_size = run_tether("hooks", "run", cwd=root)
    (root / "pyproject.toml").write_text('[project]\nname = "svc"\nversion = "1.0"\n')
    (root / ".pre-commit-config.yaml").write_text("repos: [\n")
    bad_yaml = run_tether("hooks", "run", cwd=root)

    assert outside.exit_code == 2
    assert "is not in a git repository" in outside.stderr
    assert unknown.exit_code == 1
    assert "unknown hook check spellcheck in `tool.tether.hooks.checks`" in unknown.stderr
    assert bad_size.exit_code == 1
    assert "`tool.tether.hooks.large-file-kb` must be a positive integer" in bad_size.stderr
    assert bad_yaml.exit_code == 1
    assert ".pre-commit-config.yaml is not usable: invalid YAML" in bad_yaml.stderr


def test_ruff_checks_the_staged_version_of_a_partly_staged_file(
    tmp_path: Path, ruff_index: IndexServer
) -> None:
    root = repo(tmp_path, checks='["ruff"]')
    env = {"TETHER_INDEX_URL": ruff_index.index_url}
    module = root / "mod.py"
    module.write_text("import sys\n")  # F401, staged
    git(root, "add", "mod.py")
    module.write_text("import sys\n\nprint(sys.argv)\n")  # fixed, but not staged

    refused = git(root, "commit", "-q", "-m", "feat: mod", env=env)
    git(root, "add", "mod.py")
    module.write_text("import os\n")  # broken again, not staged: the commit is clean
    accepted = git(root, "commit", "-q", "-m", "feat: mod", env=env)

    assert refused.returncode == 1
    assert "F401 [*] `sys` imported but unused\n --> mod.py:1:8" in refused.stdout
    assert accepted.returncode == 0, accepted.stdout
    assert (root / "mod.py").read_text() == "import os\n"  # the working tree untouched
