"""What an ``events/`` query asks for, read from its query string: no SQL in here.

The list endpoint, CSV exports of ``export_context.path`` and tests all build an
:class:`EventQuery` the same way, with :func:`event_query` (parameters) or
:func:`event_query_from_path` (a path or URL with a query string). Bad input raises PostHog's
400 (:class:`~tui.server.errors.ApiProblem`).
"""

from __future__ import annotations

import calendar
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from tui.models.events import PROPERTY_OPERATORS, PropertyFilter
from tui.server.dates import DATE_ONLY, MOMENT_FORMAT, best_effort_moment
from tui.server.errors import invalid
from tui.server.limits import check_property_filters

UNPARSABLE = "Properties are unparsable!"
# event.py reads include_person itself, not as DRF's booleans: only these turn it on.
INCLUDE_PERSON_WORDS = frozenset({"true", "1"})

# Filters whose value is compared as text, as a number, or not at all.
TEXT_OPERATORS = frozenset({"exact", "is_not", "icontains", "not_icontains", "regex", "not_regex"})
NUMBER_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
PRESENCE_OPERATORS = frozenset({"is_set", "is_not_set"})
DATE_OPERATORS = frozenset({"is_date_exact", "is_date_before", "is_date_after"})
# Where a filter's key is looked up: the event's own properties or its person's.
PROPERTY_TYPES = frozenset({"event", "person"})

# PostHog's relative dates: "-7d", "-24h", "-2w"; "m" is months and "M" minutes, as in
# PostHog's relative_date_parse, so a query means the same thing here and on PostHog.
_RELATIVE = re.compile(r"^-?(\d{1,6})([smMhdwqy])$")
_RELATIVE_UNITS = {
    "s": timedelta(seconds=1),
    "M": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "q": timedelta(weeks=13),
}


def includes_person(params: Mapping[str, str]) -> bool:
    """Whether ``include_person`` asks for each event's person."""
    return params.get("include_person", "").lower() in INCLUDE_PERSON_WORDS


@dataclass(frozen=True)
class Condition:
    """One parsed property filter; ``values`` are already in the form SQL compares."""

    key: str
    operator: str
    type: Literal["event", "person"]
    values: tuple[str, ...] = ()  # text operators: the strings to compare with
    number: float | None = None  # number operators: the bound
    # Date operators: the bound as dates.MOMENT_FORMAT, and whether only the day counts.
    moment: str | None = None
    whole_day: bool = False


@dataclass(frozen=True)
class ConditionGroup:
    """Conditions combined with AND or OR (PostHog's property groups nest)."""

    combine: Literal["AND", "OR"]
    items: tuple[Condition | ConditionGroup, ...]


# PostHog's ``before`` when none is given: now plus this (event.py, query_event_list.py).
BEFORE_DEFAULT = timedelta(seconds=5)


@dataclass(frozen=True)
class EventQuery:
    """Every filter of ``GET events/`` (all combined with AND); ``None`` means unfiltered.

    ``before`` and ``after`` are exclusive bounds on the event's timestamp.
    """

    event: str | None = None
    distinct_id: str | None = None
    person_id: str | None = None
    before: datetime | None = None
    after: datetime | None = None
    properties: ConditionGroup | None = None


def event_query(params: Mapping[str, str], *, now: datetime | None = None) -> EventQuery:
    """The query that ``GET events/?<params>`` runs (pagination parameters are ignored).
    Without ``before``, PostHog lists events up to :data:`BEFORE_DEFAULT` from now: an
    event stamped further in the future is not listed (and there is no default ``after``)."""
    moment = now or datetime.now(UTC)
    before = parse_moment(params.get("before"), "before", now=moment)
    return EventQuery(
        event=params.get("event") or None,
        distinct_id=params.get("distinct_id") or None,
        person_id=params.get("person_id") or None,
        before=before if before is not None else moment + BEFORE_DEFAULT,
        after=parse_moment(params.get("after"), "after", now=moment),
        properties=parse_properties(params.get("properties")),
    )


def event_query_from_path(path: str, *, now: datetime | None = None) -> EventQuery:
    """The query of an events URL or path such as ``/api/projects/1/events/?event=$pageview``
    (an export's ``export_context.path``); a bare query string works too."""
    query = urlsplit(path).query if "?" in path or "://" in path else path.lstrip("?")
    return event_query(dict(parse_qsl(query, keep_blank_values=True)), now=now)


# --------------------------------------------------------------------------- dates


def parse_moment(text: str | None, name: str, *, now: datetime) -> datetime | None:
    """An ISO 8601 moment (naive means UTC) or a relative one (``-7d``) before ``now``."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        return _before(now, int(relative.group(1)), relative.group(2))
    moment = _iso(text)
    if moment is None and " " in text:
        # An unescaped "+01:00" in a query string arrives as " 01:00".
        head, _, tail = text.rpartition(" ")
        moment = _iso(f"{head}+{tail}")
    if moment is None:
        raise invalid(
            f"{name} must be an ISO 8601 date or a relative date like -7d, got {text!r}.",
            attr=name,
        )
    return moment


def _iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        return None


def _before(now: datetime, amount: int, unit: str) -> datetime:
    try:
        if unit in _RELATIVE_UNITS:
            return now - amount * _RELATIVE_UNITS[unit]
        months = amount * (12 if unit == "y" else 1)
        year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        return now.replace(year=year, month=month + 1, day=day)
    except (OverflowError, ValueError):
        return datetime.min.replace(tzinfo=UTC)  # further back than any event


# --------------------------------------------------------------------------- properties


def parse_properties(text: str | None) -> ConditionGroup | None:
    """The ``properties`` parameter: a JSON list of filters, a property group
    ``{"type": "AND"|"OR", "values": [...]}``, or PostHog's legacy ``{"key": value}`` form."""
    if text is None or not text.strip():
        return None
    try:
        group = _group(json.loads(text))
    except (ValueError, RecursionError):  # RecursionError: nested past what Python parses
        raise invalid(UNPARSABLE) from None
    check_property_filters(_size(group))
    return group if group.items else None


def _size(group: ConditionGroup) -> int:
    """The filters and groups inside ``group``, at any depth."""
    return sum(1 + (_size(item) if isinstance(item, ConditionGroup) else 0) for item in group.items)


def _group(raw: Any) -> ConditionGroup:
    if isinstance(raw, list):
        return ConditionGroup("AND", tuple(_item(item) for item in raw))
    if isinstance(raw, dict) and isinstance(raw.get("values"), list):
        combine = str(raw.get("type", "AND")).upper()
        if combine not in ("AND", "OR"):
            raise invalid(UNPARSABLE)
        return ConditionGroup(
            "AND" if combine == "AND" else "OR", tuple(_item(item) for item in raw["values"])
        )
    if isinstance(raw, dict):
        return ConditionGroup("AND", tuple(_legacy(key, value) for key, value in raw.items()))
    raise invalid(UNPARSABLE)


def _item(raw: Any) -> Condition | ConditionGroup:
    if isinstance(raw, dict) and "values" in raw and "key" not in raw:
        return _group(raw)
    if not isinstance(raw, dict):
        raise invalid(UNPARSABLE)
    try:
        spec = PropertyFilter.model_validate(raw)
    except ValidationError:
        raise invalid(UNPARSABLE) from None
    return condition(spec)


def _legacy(key: str, value: Any) -> Condition:
    """``{"$browser": "Safari", "amount__gt": 10}``: PostHog's oldest filter form."""
    name, _, operator = key.rpartition("__") if "__" in key else (key, "", "exact")
    return condition(PropertyFilter(key=name, value=value, operator=operator or "exact"))


def condition(spec: PropertyFilter) -> Condition:
    """Check one filter and put its value in the form the store compares."""
    operator = spec.operator or "exact"
    if not spec.key or operator not in PROPERTY_OPERATORS:
        raise invalid(UNPARSABLE)
    kind = spec.type or "event"
    if kind not in PROPERTY_TYPES:
        raise invalid(
            f"Property filters of type '{kind}' are not supported by the local server;"
            " use 'event' or 'person'.",
            attr="properties",
        )
    kind_literal: Literal["event", "person"] = "person" if kind == "person" else "event"
    if operator in PRESENCE_OPERATORS:
        return Condition(spec.key, operator, kind_literal)
    if operator in NUMBER_OPERATORS:
        return Condition(spec.key, operator, kind_literal, number=_number(spec.value))
    if operator in DATE_OPERATORS:
        return _date_condition(spec.key, operator, kind_literal, spec.value)
    values = _texts(spec.value, many=operator in ("exact", "is_not"))
    if operator in ("regex", "not_regex"):
        try:
            re.compile(values[0])
        except re.error:
            raise invalid(UNPARSABLE) from None
    return Condition(spec.key, operator, kind_literal, values=values)


def _date_condition(
    key: str, operator: str, kind: Literal["event", "person"], value: Any
) -> Condition:
    """PostHog's date filters: the value is a date or a moment. Against a date alone,
    ``is_date_exact`` compares days and ``is_date_after`` means after that whole day."""
    moment = best_effort_moment(value) if isinstance(value, str) else None
    if moment is None or not isinstance(value, str):
        raise invalid(UNPARSABLE)
    whole_day = bool(DATE_ONLY.match(value.strip()))
    if whole_day and operator == "is_date_after":
        moment += timedelta(days=1, seconds=-1)
    bound = moment.strftime(MOMENT_FORMAT)
    if whole_day and operator == "is_date_exact":
        bound = bound[:10]
    return Condition(key, operator, kind, moment=bound, whole_day=whole_day)


def as_text(value: Any) -> str:
    """A property value as PostHog compares it: JSON's spelling of true/false, numbers as
    written, strings as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _texts(value: Any, *, many: bool) -> tuple[str, ...]:
    if isinstance(value, list):
        if not many and len(value) != 1:
            raise invalid(UNPARSABLE)
        items = value
    else:
        items = [value]
    if any(item is None or isinstance(item, dict | list) for item in items):
        raise invalid(UNPARSABLE)
    return tuple(as_text(item) for item in items)


def _number(value: Any) -> float:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or value is None:
        raise invalid(UNPARSABLE)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid(UNPARSABLE) from None
    if not math.isfinite(number):
        raise invalid(UNPARSABLE)
    return number
