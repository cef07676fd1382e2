"""The events bodies (``events/``, ``events/values/``), as pydantic models.

Shared vocabulary: the client parses responses with them, the local server validates
property filters with them. Unknown fields are ignored so that a newer PostHog adding a
field does not break an older hogtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from tui.models.file_system import WireModel

# Operators the local server understands in a property filter (PostHog knows more; the
# client passes any operator through so that a real PostHog can judge it).
PROPERTY_OPERATORS: tuple[str, ...] = (
    "exact",
    "is_not",
    "icontains",
    "not_icontains",
    "regex",
    "not_regex",
    "is_set",
    "is_not_set",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_date_exact",
    "is_date_before",
    "is_date_after",
)


class EventPerson(WireModel):
    """The person behind an event, as ``include_person=true`` adds it: PostHog sends
    ``is_identified``, one distinct id (the event's own) and only the ``email``, ``name``
    and ``username`` properties; the rest is kept for servers that send more."""

    is_identified: bool | None = None
    distinct_ids: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)
    id: int | str | None = None
    uuid: str | None = None
    created_at: datetime | None = None


class Event(WireModel):
    """One event, newest first in a page."""

    id: str
    distinct_id: str
    properties: dict[str, Any] = Field(default_factory=dict)
    event: str
    timestamp: datetime
    person: EventPerson | None = None
    elements: list[Any] = Field(default_factory=list)
    elements_chain: str = ""

    @field_validator("person", mode="before")
    @classmethod
    def _person_object_only(cls, value: Any) -> Any:
        # Older PostHog answers the bare distinct id when it has no person to show.
        return value if isinstance(value, dict) else None


class EventsPage(WireModel):
    """``GET events/``: cursor pagination, no ``count`` and no ``previous``."""

    next: str | None = None
    results: list[Event] = Field(default_factory=list)


class PropertyFilter(WireModel):
    """One entry of the ``properties`` filter, e.g. ``$browser exact ["Safari"]``."""

    key: str
    value: Any = None
    operator: str = "exact"
    type: str = "event"


class EventValue(WireModel):
    """One value a property took, as ``events/values/`` lists it."""

    name: str | int | float | bool | None = None


class EventValuesResponse(WireModel):
    """``GET events/values/``; older PostHog answers the bare ``results`` list instead."""

    results: list[EventValue] = Field(default_factory=list)
    refreshing: bool = False


# How a user types a property filter (the events tab, ``hogtree events --where``):
# ``key!=value`` (is not), ``key~value`` (contains, any case), ``key=value`` (exact),
# ``key`` alone (is set). The first operator found from the left wins.
FILTER_OPERATORS = (("!=", "is_not"), ("~", "icontains"), ("=", "exact"))


def parse_property_filter(text: str) -> PropertyFilter | None:
    """The property filter a user typed, or ``None`` for none; ``ValueError`` if unusable."""
    text = text.strip()
    if not text:
        return None
    found = [(text.find(mark), mark, op) for mark, op in FILTER_OPERATORS if mark in text]
    if not found:
        return PropertyFilter(key=text, operator="is_set")
    at, mark, operator = min(found, key=lambda f: (f[0], -len(f[1])))
    key, value = text[:at].strip(), text[at + len(mark) :].strip()
    if not key:
        raise ValueError("a property filter reads key=value")
    return PropertyFilter(
        key=key, value=value if operator == "icontains" else [value], operator=operator
    )


def split_property_text(text: str) -> tuple[str, str, str]:
    """``"$browser=Saf"`` → (``"$browser"``, ``"="``, ``"Saf"``); no operator → (text, "", "").
    The same reading as :func:`parse_property_filter`, kept raw for completing as one types."""
    found = [(text.find(mark), mark) for mark, _ in FILTER_OPERATORS if mark in text]
    if not found:
        return text, "", ""
    at, mark = min(found, key=lambda f: (f[0], -len(f[1])))
    return text[:at], mark, text[at + len(mark) :]


# Between event names in an event filter: events named either way.
EVENT_SEPARATOR = "|"


@dataclass(frozen=True)
class EventFilters:
    """What a user filters events by: event names (``a | b``: either), a distinct id, a
    property filter as typed (``key=value``)."""

    event: str = ""
    distinct_id: str = ""
    prop: str = ""

    @property
    def names(self) -> list[str]:
        """The event names asked for: ``a | b`` means either (a query each, merged)."""
        found: list[str] = []
        for name in self.event.split(EVENT_SEPARATOR):
            if name.strip() and name.strip() not in found:
                found.append(name.strip())
        return found

    def queries(self) -> list[dict[str, Any]]:
        """Keyword arguments of ``client.events.page``: one set per event name.
        ``ValueError`` if the property filter cannot be read."""
        condition = parse_property_filter(self.prop)
        base: dict[str, Any] = {
            "event": None,
            "distinct_id": self.distinct_id or None,
            "properties": [condition] if condition is not None else None,
        }
        return [base | {"event": name} for name in self.names] or [base]

    def __bool__(self) -> bool:
        return bool(self.event or self.distinct_id or self.prop.strip())
