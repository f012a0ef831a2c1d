"""`exclude-newer` as a point in time or a cool-down: "2024-06-01", an RFC 3339
timestamp, or a span back from now ("7 days", "1 week", "24 hours", ISO 8601 "P7D",
"PT12H"), so that a release must have been public that long before tether uses it (a
common defence against compromised uploads, which are usually caught within days).

A span is kept as written in the lock's inputs (normalised to ISO 8601), not as the
moment it gave: the lock does not go stale as the days pass.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_FRIENDLY = re.compile(r"^\s*(\d+)\s*(second|minute|hour|day|week)s?\s*$", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$",
    re.IGNORECASE,
)


def parse_span(text: str) -> timedelta | None:
    """The span `text` names, or None when it is not a span."""
    if match := _FRIENDLY.match(text):
        return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])
    match = _ISO.match(text.strip())
    if match is None or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    if not parts:
        return None
    return timedelta(**parts)


def iso_span(span: timedelta) -> str:
    """`span` as ISO 8601 (`P7D`, `PT12H`, `P1DT2H`)."""
    days, seconds = span.days, span.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "") or "PT0S"


def cutoff(value: object, now: datetime | None = None) -> tuple[datetime, str | None]:
    """The moment `value` means, and its normalised span when it is one. Raises
    ValueError for anything else."""
    if isinstance(value, datetime):
        return _utc(value), None
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC), None
    if not isinstance(value, str):
        raise ValueError(f"expected a string, not {type(value).__name__}")
    span = parse_span(value)
    if span is not None:
        return (now or datetime.now(UTC)) - span, iso_span(span)
    return _utc(datetime.fromisoformat(value)), None


def _utc(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
