"""The checks tether's git hooks run on file contents, written in tether: pure functions
from (path, bytes) to findings, and fixers from bytes to bytes. No I/O, no git.

- toml / yaml / json: the file parses;
- whitespace: no trailing spaces or tabs (fixable);
- eof: a non-empty file ends with exactly one newline (fixable);
- large-files: no file above a size limit (model weights belong in a registry);
- private-keys: no PEM / OpenSSH / PuTTY / PGP private key;
- secrets: no token in a known format (cloud keys, API tokens), and no high-entropy
  string assigned to something named like a secret;
- merge-conflicts: no leftover conflict markers;
- ml-security: model and data loading that runs code, unpinned Hub downloads, unsafe
  YAML, eval of model output (quality/ml_checks.py), on Python files.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from tether.quality.file_types import is_text
from tether.quality.ml_checks import check_source

BUILTIN_CHECKS = (
    "toml",
    "yaml",
    "json",
    "whitespace",
    "eof",
    "large-files",
    "private-keys",
    "secrets",
    "merge-conflicts",
    "ml-security",
)
FIXABLE = ("whitespace", "eof")
DEFAULT_LARGE_FILE_KB = 1000


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    path: str
    line: int | None  # 1-based; None for the whole file
    message: str
    secret_hash: str | None = None  # sha1 of a secret, for baselines (never the secret)

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path


def run_check(check: str, path: str, content: bytes, *, large_file_kb: int) -> list[Finding]:
    """Findings of one built-in `check` on one file (binary files skip text checks)."""
    if check == "large-files":
        size_kb = len(content) / 1024
        if size_kb > large_file_kb and not _lock_file(path):
            return [
                Finding(check, path, None,
                        f"{size_kb:.0f} KB is over the {large_file_kb} KB limit for a committed "
                        "file (large binaries and model weights belong in a registry or LFS)")
            ]  # fmt: skip
        return []
    if not is_text(path, content):
        return []  # binary: text checks do not apply
    text = content.decode("utf-8", errors="replace")
    return _TEXT_CHECKS[check](path, text)


# Lock files are expected to be large (a universal pylock.toml of an ML stack runs to
# megabytes), and are written by tools, not pasted in by mistake.
LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "package-lock.json",
              "yarn.lock", "pnpm-lock.yaml", "Cargo.lock")  # fmt: skip


def _lock_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in LOCK_FILES or (name.startswith("pylock.") and name.endswith(".toml"))


def applies(check: str, path: str) -> bool:
    """Whether `check` looks at `path` at all (parsers only at their own file types)."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if check == "toml":
        return suffix == "toml"
    if check == "yaml":
        return suffix in ("yaml", "yml")
    if check == "json":
        return suffix == "json"
    if check == "ml-security":
        return suffix in ("py", "pyi")
    return True


def fix(check: str, content: bytes, path: str = "") -> bytes:
    """`content` with `check`'s problems repaired (only FIXABLE checks; never a binary
    file)."""
    if not is_text(path, content):
        return content
    if check == "whitespace":
        lines = content.split(b"\n")
        return b"\n".join(_strip_trailing(line) for line in lines)
    if check == "eof":
        stripped = content.rstrip(b"\r\n")
        return stripped + b"\n" if stripped else b""
    return content


def _strip_trailing(line: bytes) -> bytes:
    ending = b"\r" if line.endswith(b"\r") else b""
    return line.rstrip(b"\r").rstrip(b" \t") + ending


def _toml(path: str, text: str) -> list[Finding]:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+), column \d+\)", str(err))
        line = int(match.group(1)) if match else None
        return [Finding("toml", path, line, f"invalid TOML: {str(err).split(' (at line')[0]}")]
    return []


def _yaml(path: str, text: str) -> list[Finding]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for _ in yaml.load_all(text, Loader=loader):
            pass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        return [Finding("yaml", path, mark.line + 1 if mark else None, f"invalid YAML: {problem}")]
    return []


def _json(path: str, text: str) -> list[Finding]:
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return [Finding("json", path, err.lineno, f"invalid JSON: {err.msg}")]
    return []


def _whitespace(path: str, text: str) -> list[Finding]:
    return [
        Finding("whitespace", path, number, "trailing whitespace")
        for number, line in enumerate(text.split("\n"), start=1)
        if line.rstrip("\r") != line.rstrip("\r").rstrip(" \t")
    ]


def _eof(path: str, text: str) -> list[Finding]:
    if not text:
        return []
    if not text.endswith("\n"):
        return [Finding("eof", path, text.count("\n") + 1, "no newline at the end of the file")]
    if text.endswith(("\n\n", "\n\r\n")) or text.strip("\r\n") == "":
        return [Finding("eof", path, None, "blank lines at the end of the file")]
    return []


_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY"
    r"(?: BLOCK)?-----|PuTTY-User-Key-File-\d"
)


def _private_keys(path: str, text: str) -> list[Finding]:
    return [
        Finding("private-keys", path, number, "a private key")
        for number, line in enumerate(text.splitlines(), start=1)
        if _PRIVATE_KEY.search(line)
    ]


# Token formats with a fixed shape: (what, pattern).
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(pattern))
    for what, pattern in (
        ("an AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"),
        ("an AWS secret access key",
         r"(?i)aws_?secret_?access_?key\W{0,5}[=:]\W{0,3}[A-Za-z0-9/+=]{40}\b"),
        ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
        ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
        ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
        ("a Stripe secret key", r"\b[rs]k_live_[A-Za-z0-9]{20,}\b"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("an OpenAI API key",
         r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"
         r"|\bsk-proj-[A-Za-z0-9_-]{40,}\b"),
        ("an Anthropic API key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{40,}\b"),
        ("a Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}\b"),
        ("a PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}\b"),
        ("a Twilio API key", r"\bSK[0-9a-f]{32}\b"),
        ("a SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
        ("a JSON web token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    )
)  # fmt: skip
_SECRET_NAME = re.compile(
    r"(?i)(?:secret|token|passw(?:or)?d|pwd|api_?key|apikey|access_?key|private_?key|"
    r"credential|auth)[A-Za-z0-9_]*[\"']?\s*[:=]\s*[\"']([^\"'\s]{16,})[\"']"
)
_PLACEHOLDER = re.compile(r"(?i)^(?:x+|\*+|<[^>]*>|\$\{[^}]*\}|your[_-].*|changeme.*|example.*)$")


def _secrets(path: str, text: str) -> list[Finding]:
    found: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "tether: allow-secret" in line or "pragma: allowlist secret" in line:
            continue
        found.extend(
            _secret(path, number, what, match.group(0))
            for what, pattern in TOKEN_PATTERNS
            for match in pattern.finditer(line)
        )
        for match in _SECRET_NAME.finditer(line):
            value = match.group(1)
            if _PLACEHOLDER.match(value) or any(p.search(value) for _, p in TOKEN_PATTERNS):
                continue
            if high_entropy(value):
                found.append(_secret(path, number, "a high-entropy string assigned to a "
                                     "secret-like name", value))  # fmt: skip
    return found


def _secret(path: str, line: int, what: str, secret: str) -> Finding:
    digest = hashlib.sha1(secret.encode(), usedforsecurity=False).hexdigest()
    return Finding("secrets", path, line, f"{what} (never commit credentials)", digest)


def high_entropy(value: str) -> bool:
    """Shannon entropy over the string's alphabet, with detect-secrets' limits: 3.0 bits
    for hex strings, 4.5 for base64-like ones (and 3.5 for other long strings)."""
    if len(value) < 16:
        return False
    counts = {c: value.count(c) for c in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    if re.fullmatch(r"[0-9a-fA-F]+", value):
        return entropy > 3.0
    if re.fullmatch(r"[A-Za-z0-9+/=_-]+", value):
        return entropy > 4.0 if len(value) < 32 else entropy > 4.5 or len(set(value)) > 20
    return entropy > 3.5


_MARKERS = (re.compile(r"^<<<<<<< "), re.compile(r"^>>>>>>> "), re.compile(r"^\|\|\|\|\|\|\| "))


def _merge_conflicts(path: str, text: str) -> list[Finding]:
    lines = text.splitlines()
    found = [
        Finding("merge-conflicts", path, number, "a merge conflict marker")
        for number, line in enumerate(lines, start=1)
        if any(m.match(line) for m in _MARKERS)
    ]
    if found:  # `=======` alone is a heading underline unless other markers are there
        found += [
            Finding("merge-conflicts", path, number, "a merge conflict marker")
            for number, line in enumerate(lines, start=1)
            if line == "======="
        ]
    return sorted(found, key=lambda f: f.line or 0)


def _ml_security(path: str, text: str) -> list[Finding]:
    return [
        Finding("ml-security", path, f.line, f"{f.code} {f.message} (hint: {f.hint})")
        for f in check_source(path, text)
    ]


_TEXT_CHECKS: dict[str, Callable[[str, str], list[Finding]]] = {
    "toml": _toml,
    "yaml": _yaml,
    "json": _json,
    "whitespace": _whitespace,
    "eof": _eof,
    "private-keys": _private_keys,
    "secrets": _secrets,
    "merge-conflicts": _merge_conflicts,
    "ml-security": _ml_security,
}
