"""The secrets baseline in detect-secrets' own format (`.secrets.baseline`), so one file
serves both tools: `tether hooks baseline` writes what `detect-secrets-hook --baseline`
reads, and keeps what detect-secrets wrote (its plugin list, filters, audit marks).

Only hashes of accepted secrets are stored (SHA-1 of the secret, as detect-secrets
does), never a secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DETECT_SECRETS_VERSION = "1.5.0"
# detect-secrets' default plugins and filters: what a baseline it can load names.
PLUGINS = (
    "ArtifactoryDetector", "AWSKeyDetector", "AzureStorageKeyDetector", "BasicAuthDetector",
    "CloudantDetector", "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector",
    "IbmCloudIamDetector", "IbmCosHmacDetector", "JwtTokenDetector", "KeywordDetector",
    "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector",
    "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SoftlayerDetector",
    "SquareOAuthDetector", "StripeDetector", "TelegramBotTokenDetector", "TwilioKeyDetector",
)  # fmt: skip
FILTERS = (
    "detect_secrets.filters.allowlist.is_line_allowlisted",
    "detect_secrets.filters.heuristic.is_indirect_reference",
    "detect_secrets.filters.heuristic.is_likely_id_string",
    "detect_secrets.filters.heuristic.is_lock_file",
    "detect_secrets.filters.heuristic.is_not_alphanumeric_string",
    "detect_secrets.filters.heuristic.is_potential_uuid",
    "detect_secrets.filters.heuristic.is_prefixed_with_dollar_sign",
    "detect_secrets.filters.heuristic.is_sequential_string",
    "detect_secrets.filters.heuristic.is_swagger_file",
    "detect_secrets.filters.heuristic.is_templated_secret",
)


# tether's finding -> the secret type detect-secrets records (its equality includes the
# type, so a baseline both tools read must use detect-secrets' names).
DETECT_SECRETS_TYPES = {
    "an AWS access key id": "AWS Access Key",
    "an AWS secret access key": "AWS Access Key",
    "a GitHub token": "GitHub Token",
    "a GitLab token": "GitLab Token",
    "a Slack token": "Slack Token",
    "a Stripe secret key": "Stripe Access Key",
    "an OpenAI API key": "OpenAI Token",
    "a PyPI token": "PyPI Token",
    "a Twilio API key": "Twilio API Key",
    "a SendGrid API key": "SendGrid API Key",
    "a JSON web token": "JSON Web Token",
}


def detect_secrets_type(kind: str) -> str:
    """The detect-secrets type for one of tether's secret findings (a keyword-assigned
    secret otherwise, as detect-secrets' KeywordDetector names it)."""
    return DETECT_SECRETS_TYPES.get(kind, "Secret Keyword")


@dataclass(frozen=True, slots=True)
class Accepted:
    path: str
    kind: str
    hashed_secret: str
    line: int | None


def accepted(text: str) -> set[tuple[str, str]]:
    """(path, sha1) of every accepted secret in a baseline (either format: detect-secrets'
    or what tether wrote before)."""
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    results = data.get("results") if isinstance(data, dict) else None
    return {
        (str(path), str(entry.get("hashed_secret")))
        for path, entries in (results.items() if isinstance(results, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict) and entry.get("hashed_secret")
    }


def render(existing: str | None, found: Iterable[Accepted], generated_at: str) -> str:
    """The baseline holding `found`, in detect-secrets' format: an existing baseline's
    settings and audit marks kept, its entries for secrets still found kept as they
    are, new ones added."""
    try:
        previous: Any = json.loads(existing) if existing else {}
    except ValueError:
        previous = {}
    if not isinstance(previous, dict) or "plugins_used" not in previous:
        previous = {}  # tether's own earlier format, or nothing: start afresh
    old_entries: dict[tuple[str, str], Mapping[str, Any]] = {
        (str(path), str(entry.get("hashed_secret"))): entry
        for path, entries in (previous.get("results") or {}).items()
        for entry in entries
        if isinstance(entry, dict)
    }
    results: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(found, key=lambda a: (a.path, a.line or 0, a.hashed_secret)):
        entry = dict(old_entries.get((item.path, item.hashed_secret), {}))
        entry.update(
            {"type": entry.get("type", detect_secrets_type(item.kind)), "filename": item.path,
             "hashed_secret": item.hashed_secret, "is_verified": entry.get("is_verified", False)}
        )  # fmt: skip
        if item.line is not None:
            entry["line_number"] = item.line
        results.setdefault(item.path, []).append(entry)
    document = {
        "version": previous.get("version", DETECT_SECRETS_VERSION),
        "plugins_used": previous.get("plugins_used", [{"name": name} for name in PLUGINS]),
        "filters_used": previous.get("filters_used", [{"path": path} for path in FILTERS]),
        "results": results,
        "generated_at": generated_at,
    }
    return json.dumps(document, indent=2) + "\n"
