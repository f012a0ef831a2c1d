"""`tether hooks` beside pre-commit, detect-secrets and conventional-pre-commit: real
commits through the installed hooks in temporary repositories (issue 20)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.e2e.test_hooks import AWS_KEY, commit, git, repo
from tests.support.cli import run_tether

# pre-commit-hooks' fixers, as `repo: local` hooks run them: rewrite every file given.
FIXER = textwrap.dedent(
    """\
    import sys
    for name in sys.argv[1:]:
        data = open(name, "rb").read()
        fixed = b"\\n".join(line.rstrip() for line in data.split(b"\\n")).rstrip() + b"\\n"
        if fixed != data:
            open(name, "wb").write(fixed)
            print("fixed", name)
            sys.exit(1)
    """
)


def precommit_repo(tmp_path: Path, hooks: str) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "fixer.py").write_text(FIXER)
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n" + textwrap.indent(hooks, "      ")
    )
    git(root, "add", ".")
    installed = run_tether("hooks", "install", cwd=root)
    assert installed.exit_code == 0, installed.stderr
    return root


def test_binary_files_never_reach_text_hooks(tmp_path: Path) -> None:
    root = precommit_repo(
        tmp_path,
        textwrap.dedent(
            f"""\
            - id: end-of-file-fixer
              name: fix end of files
              entry: {sys.executable} fixer.py
              language: system
              types: [text]
            - id: trailing-whitespace-fixer
              name: trim trailing whitespace
              entry: {sys.executable} fixer.py
              language: system
            """
        ),
    )
    # Model weights: a safetensors header, then bytes that end in whitespace-like bytes.
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}'
    weights = len(header).to_bytes(8, "little") + header + bytes(range(256)) * 8 + b" \n\n"
    done = commit(root, {"weights.safetensors": weights, "notes.txt": "ok\n"})
    assert done.returncode == 0, done.stdout
    assert (root / "weights.safetensors").read_bytes() == weights  # byte for byte
    committed = subprocess.run(
        ["git", "show", "HEAD:weights.safetensors"], cwd=root, capture_output=True, check=True
    ).stdout
    assert committed == weights
    # A text file with trailing whitespace is still handed to the fixer.
    refused = commit(root, {"readme.txt": "text  \n"}, message="docs: readme")
    assert refused.returncode == 1
    assert "fixed readme.txt" in refused.stdout
    # tether's own fixers leave binaries alone too.
    (root / "weights2.safetensors").write_bytes(weights)
    git(root, "add", ".")
    fixed = run_tether("hooks", "run", "--all-files", "--fix", cwd=root)
    assert (root / "weights2.safetensors").read_bytes() == weights
    assert "weights" not in fixed.stderr


def test_commit_msg_stage_hooks_run_and_other_stages_are_named(tmp_path: Path) -> None:
    checker = tmp_path / "ticket.py"
    checker.write_text(
        "import sys\n"
        "text = open(sys.argv[1]).read()\n"
        "sys.exit(0 if 'JIRA-' in text else print('no ticket in the message') or 1)\n"
    )
    root = precommit_repo(
        tmp_path,
        textwrap.dedent(
            f"""\
            - id: ticket
              name: ticket in the message
              entry: {sys.executable} {checker}
              language: system
              stages: [commit-msg]
            - id: slow-tests
              name: slow tests before push
              entry: false
              language: system
              stages: [pre-push]
            """
        ),
    )
    refused = commit(root, {"a.txt": "a\n"}, message="feat: add a")
    assert refused.returncode == 1
    assert "ticket" in refused.stdout
    assert "no ticket in the message" in refused.stdout
    accepted = git(root, "commit", "-q", "-m", "feat: add a (JIRA-12)")
    assert accepted.returncode == 0, accepted.stdout
    report = run_tether("hooks", "run", "--all-files", cwd=root)
    assert "pre-commit hook slow-tests runs at pre-push, not at commit: skipped" in report.stderr


def test_native_hook_arguments_are_honoured_or_named(tmp_path: Path) -> None:
    root = precommit_repo(
        tmp_path,
        '- id: noop\n  name: noop\n  entry: "true"\n  language: system\n',
    )
    (root / ".pre-commit-config.yaml").write_text(
        (root / ".pre-commit-config.yaml").read_text()
        + textwrap.indent(
            textwrap.dedent(
                """\
              - repo: https://github.com/Yelp/detect-secrets
                rev: v1.5.0
                hooks:
                  - id: detect-secrets
                    args: ["--baseline", "config/secrets.json"]
              - repo: https://github.com/pre-commit/mirrors-mypy
                rev: v1.13.0
                hooks:
                  - id: mypy
                    additional_dependencies: [types-requests]
              - repo: https://github.com/pre-commit/pre-commit-hooks
                rev: v5.0.0
                hooks:
                  - id: trailing-whitespace
                    args: [--markdown-linebreak-ext=md]
            """
            ),
            "  ",
        )
    )
    (root / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    git(root, "add", ".")
    (root / "config").mkdir()
    baseline = run_tether("hooks", "baseline", cwd=root)
    assert baseline.exit_code == 0, baseline.stderr
    assert (root / "config" / "secrets.json").exists()  # detect-secrets' --baseline
    assert not (root / ".secrets.baseline").exists()
    git(root, "add", ".")
    report = run_tether("hooks", "run", "--all-files", cwd=root)
    assert "settings.py:1: secrets" not in report.stdout  # accepted by that baseline
    assert "mypy: additional_dependencies types-requests" in report.stderr
    assert "trailing-whitespace: args --markdown-linebreak-ext=md" in report.stderr
    committed = git(root, "commit", "-q", "-m", "feat: settings")  # through the hooks
    assert committed.returncode == 0, committed.stdout
    assert "additional_dependencies types-requests" in committed.stdout


def test_the_baseline_is_detect_secrets_format_and_keeps_theirs(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "fixtures.py").write_text(f'TEST_KEY = "{AWS_KEY}"\n')
    git(root, "add", ".")
    # A baseline detect-secrets wrote, with an audit mark on another file's secret.
    (root / ".secrets.baseline").write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "plugins_used": [{"name": "AWSKeyDetector"}, {"name": "KeywordDetector"}],
                "filters_used": [{"path": "detect_secrets.filters.heuristic.is_lock_file"}],
                "results": {},
                "generated_at": "2026-01-01T00:00:00Z",
            }
        )
    )
    assert run_tether("hooks", "baseline", cwd=root).exit_code == 0
    written = json.loads((root / ".secrets.baseline").read_text())
    assert written["plugins_used"] == [{"name": "AWSKeyDetector"}, {"name": "KeywordDetector"}]
    assert written["filters_used"] == [{"path": "detect_secrets.filters.heuristic.is_lock_file"}]
    [entry] = written["results"]["fixtures.py"]
    assert entry["filename"] == "fixtures.py"
    assert entry["is_verified"] is False
    assert entry["line_number"] == 1
    assert len(entry["hashed_secret"]) == 40  # sha1, never the secret
    assert AWS_KEY not in (root / ".secrets.baseline").read_text()
    git(root, "add", ".")
    assert run_tether("hooks", "run", cwd=root).exit_code == 0


def test_lock_files_are_not_large_files_and_types_compare_case_insensitively(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path)
    big_lock = "\n".join(f'[[packages]]\nname = "p{i}"\nversion = "1.0"\n' for i in range(60_000))
    assert len(big_lock) > 1_500_000
    done = commit(root, {"pylock.toml": big_lock}, message="Feat: lock the project")
    assert done.returncode == 0, done.stdout
    refused = commit(root, {"a.txt": "a\n"}, message="Feature: more")
    assert refused.returncode == 1
    assert "as `type(scope): summary` (e.g. `feat(api): add streaming`)" in refused.stdout


def test_a_commit_loading_a_pickle_is_refused(tmp_path: Path) -> None:
    root = repo(tmp_path, checks='["ml-security"]')
    refused = commit(root, {"train.py": "import joblib\n\nmodel = joblib.load('model.joblib')\n"})
    assert refused.returncode == 1
    assert "train.py:3: ml-security: ML002 joblib.load runs code from the data it loads" in (
        refused.stdout
    )
    fine = commit(
        root,
        {"train.py": "import joblib\n\nmodel = joblib.load('m.joblib')  # tether: ignore[ML002]\n"},
    )
    assert fine.returncode == 0, fine.stdout


@pytest.mark.network
def test_detect_secrets_itself_reads_the_baseline_tether_writes(tmp_path: Path) -> None:
    """Live PyPI: detect-secrets (from a cached tool environment) loads tether's
    baseline and finds nothing new in the files it accepted."""
    root = repo(tmp_path)
    (root / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{AWS_KEY}"\n')
    git(root, "add", ".")
    assert run_tether("hooks", "baseline", cwd=root).exit_code == 0
    env = {"TETHER_CACHE_DIR": str(tmp_path / "cache")}
    checked = run_tether(
        "tool", "run", "--from", "detect-secrets==1.5.0", "detect-secrets-hook",
        "--baseline", ".secrets.baseline", "settings.py", cwd=root, env=env, timeout=300,
    )  # fmt: skip
    assert checked.exit_code == 0, checked.stdout + checked.stderr
