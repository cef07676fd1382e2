"""How one event reads in the Events tab: its time, and a short line of its properties."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

# Where an event happened, first found wins; then what it ran in.
PLACE_KEYS = ("$current_url", "$pathname", "$screen_name")
CLIENT_KEYS = ("$browser", "$os")
# How many of an event's own (non-$) properties the summary names when it has no place.
OWN_PROPERTIES_SHOWN = 3


def format_time(moment: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """``14:03:07`` today, ``Nov 24 14:03`` this year, ``2024-11-24`` before, in
    ``tz`` (the machine's local time zone when ``None``)."""
    local = moment.astimezone(tz)
    today = now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M:%S")
    if local.year == today.year:
        return local.strftime("%b %d %H:%M")
    return local.strftime("%Y-%m-%d")


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def summarize(properties: dict[str, Any]) -> str:
    """A short line of an event's properties: where it happened and in what, or else its
    own properties as ``key=value``."""
    parts: list[str] = []
    place = next((properties[k] for k in PLACE_KEYS if properties.get(k) not in (None, "")), None)
    if place is not None:
        shown = as_text(place)
        for scheme in ("https://", "http://"):
            shown = shown.removeprefix(scheme)
        parts.append(shown)
    parts += [as_text(properties[k]) for k in CLIENT_KEYS if properties.get(k) not in (None, "")]
    if not parts:
        own = [(k, v) for k, v in properties.items() if not k.startswith("$")]
        parts = [f"{k}={as_text(v)}" for k, v in own[:OWN_PROPERTIES_SHOWN]]
    return " · ".join(parts)
