"""Reading a property's value as a moment, as PostHog's date filters do.

PostHog (ClickHouse) reads a property with ``parseDateTimeBestEffortOrNull``, and failing
that its first ten characters (which reads a Unix time in milliseconds as seconds). This
takes the forms people and SDKs send: ISO 8601 (a date, a date and time, with ``Z`` or an
offset, ``T`` or a space), and Unix seconds or milliseconds. A moment without a zone is UTC,
as PostHog's project default.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Moments compare as this text: seconds, as ClickHouse's DateTime holds them.
MOMENT_FORMAT = "%Y-%m-%dT%H:%M:%S"
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNIX = re.compile(r"^\d{10}")


def format_timestamp(moment: datetime) -> str:
    """A moment as events and persons store it: UTC, microseconds, ``+00:00`` (fixed width,
    so text order is time order)."""
    if moment.tzinfo is not UTC:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def best_effort_moment(text: str | None) -> datetime | None:
    """``text`` as a UTC moment, or None when it reads as none."""
    if text is None:
        return None
    text = text.strip()
    for candidate in (text, text[:10]):
        try:
            moment = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if _UNIX.match(text):
        try:
            return datetime.fromtimestamp(int(text[:10]), UTC)
        except (OverflowError, ValueError, OSError):
            return None
    return None


def moment_text(text: str | None) -> str | None:
    """``best_effort_date(value)`` in SQL: the moment as :data:`MOMENT_FORMAT`, or NULL."""
    moment = best_effort_moment(text)
    return None if moment is None else moment.strftime(MOMENT_FORMAT)


# DRF's refusal of a date-time field it cannot read (PostHog's serializers' words).
DATETIME_FORMAT_ERROR = (
    "Datetime has wrong format. Use one of these formats instead:"
    " YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


def parse_moment(text: str) -> datetime | None:
    """A date-time field as DRF reads it (ISO 8601 with a time; no zone is UTC), or None."""
    text = text.strip()
    if len(text) <= len("YYYY-MM-DD"):
        return None  # a date alone is not a date-time
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
