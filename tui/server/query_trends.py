"""A TrendsQuery sent to ``query/``, read and answered without SQL: event counts per hour or
per day over a date range, with PostHog's filters.

This is what hogtree's event volume asks (``POST query/`` with ``{"query": {"kind":
"TrendsQuery", …}}``, as PostHog's web app does): the counts of events, not the events. The
local server computes the common part only — event series counted in total, by hour or
day, filtered by event, person and ``event_metadata`` (distinct id) properties — and says
plainly (400) what it does not compute. The store counts (``store.events.count_by_bucket``);
reading the query and shaping the answer is here. Insights' own trends (day, week, month,
stored queries) are ``tui.server.trends``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.models.events import PropertyFilter
from tui.server.errors import ApiProblem, invalid
from tui.server.event_query import Condition, ConditionGroup, EventQuery, condition, parse_moment
from tui.server.limits import check_property_filters

INTERVALS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
# PostHog's default range for a trends query.
DEFAULT_DATE_FROM = "-7d"
# A bound on the buckets of one answer, so "-10y" by hour cannot build a huge answer.
MAX_BUCKETS = 5_000
# ``dStart``-like dates: the start of today, of the month, of the year.
_STARTS = {"dStart", "mStart", "yStart"}
_DAY_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CountSeries:
    """One EventsNode: the events it counts (``None``: every event) and how it is echoed."""

    event: str | None
    label: str
    order: int
    custom_name: str | None


@dataclass(frozen=True)
class CountQuery:
    """What a supported TrendsQuery asks: each series' events, counted per ``interval``
    bucket from ``start`` to ``end`` (both included), filtered by ``filters``."""

    series: tuple[CountSeries, ...]
    interval: str
    start: datetime
    end: datetime
    filters: EventQuery

    def buckets(self) -> list[datetime]:
        """The start of every bucket from the one holding ``start`` to the one holding
        ``end``."""
        current = truncate(self.start, self.interval)
        out: list[datetime] = []
        while current <= self.end:
            out.append(current)
            current += INTERVALS[self.interval]
        return out

    def series_query(self, series: CountSeries) -> EventQuery:
        """The events one series counts, as the store filters them (exclusive bounds)."""
        moment = timedelta(microseconds=1)
        return EventQuery(
            event=series.event,
            distinct_id=self.filters.distinct_id,
            after=self.start - moment,
            before=self.end + moment,
            properties=self.filters.properties,
        )


def truncate(moment: datetime, interval: str) -> datetime:
    """The start of the hour or UTC day holding ``moment``."""
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if interval == "day" else moment


def bucket_key(start: datetime, interval: str) -> str:
    """A bucket as the store keys it (``store.events.count_by_bucket``)."""
    return start.strftime("%Y-%m-%dT%H" if interval == "hour" else "%Y-%m-%d")


# --------------------------------------------------------------------------- reading


def read_query(body: Any, *, now: datetime) -> CountQuery:
    """The request body of ``POST query/`` as a :class:`CountQuery`; a 400 for anything
    that is not a TrendsQuery the local server computes."""
    if not isinstance(body, Mapping) or not isinstance(body.get("query"), Mapping):
        raise invalid("The request needs a query object.", attr="query")
    query: Mapping[str, Any] = body["query"]
    kind = query.get("kind")
    if kind != "TrendsQuery":
        raise _unsupported(f"the local server answers TrendsQuery only, not {kind!r}")
    interval = query.get("interval") or "day"
    if interval not in INTERVALS:
        raise _unsupported(f"the local server counts by hour or day, not by {interval!r}")
    breakdown = query.get("breakdownFilter")
    if isinstance(breakdown, Mapping) and (
        breakdown.get("breakdown") or breakdown.get("breakdowns")
    ):
        raise _unsupported("the local server does not compute breakdowns")
    compare = query.get("compareFilter")
    if isinstance(compare, Mapping) and compare.get("compare"):
        raise _unsupported("the local server does not compare with a previous period")
    raw_series = query.get("series")
    if not isinstance(raw_series, list) or not raw_series:
        raise invalid("A trends query needs at least one series.", attr="series")
    series = tuple(_series(item, order) for order, item in enumerate(raw_series))
    start, end = _date_range(query.get("dateRange"), interval, now)
    filters = _filters(query.get("properties"))
    counted = CountQuery(series, interval, start, end, filters)
    if (end - truncate(start, interval)) / INTERVALS[interval] >= MAX_BUCKETS:
        raise _unsupported(f"the date range holds more than {MAX_BUCKETS} {interval}s")
    return counted


def _unsupported(reason: str) -> ApiProblem:
    return invalid(f"Unsupported query: {reason}.", code="unsupported_query", attr="query")


def _series(item: Any, order: int) -> CountSeries:
    if not isinstance(item, Mapping) or item.get("kind", "EventsNode") != "EventsNode":
        raise _unsupported("the local server counts EventsNode series only")
    if item.get("math") not in (None, "total"):
        raise _unsupported(f"the local server counts events in total, not {item['math']!r}")
    if item.get("properties"):
        raise _unsupported("the local server does not filter one series by properties")
    event = item.get("event")
    if event is not None and not isinstance(event, str):
        raise invalid("A series' event must be a name.", attr="series")
    custom = item.get("custom_name")
    return CountSeries(
        event=event,
        label=event if event is not None else "All events",
        order=order,
        custom_name=custom if isinstance(custom, str) else None,
    )


def _date_range(raw: Any, interval: str, now: datetime) -> tuple[datetime, datetime]:
    """The first and last moment counted. As PostHog: relative and day-only dates start at
    the bucket's start and ``date_to`` of a day ends at its end, unless ``explicitDate``
    asks for the moments as given."""
    date_range: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    explicit = date_range.get("explicitDate") is True
    start = _moment(date_range.get("date_from") or DEFAULT_DATE_FROM, "date_from", now)
    raw_to = date_range.get("date_to")
    end = now if raw_to in (None, "") else _moment(raw_to, "date_to", now)
    if not explicit:
        start = truncate(start, interval)
        if isinstance(raw_to, str) and _DAY_ONLY.match(raw_to.strip()):
            end = end + timedelta(days=1, microseconds=-1)
    if end < start:
        raise invalid("date_to must not be before date_from.", attr="dateRange")
    return start, end


def _moment(text: Any, name: str, now: datetime) -> datetime:
    if not isinstance(text, str):
        raise invalid(f"{name} must be a date.", attr="dateRange")
    if text in _STARTS:
        day = truncate(now, "day")
        if text == "mStart":
            day = day.replace(day=1)
        elif text == "yStart":
            day = day.replace(month=1, day=1)
        return day
    moment = parse_moment(text, name, now=now)
    assert moment is not None  # a non-empty text is a moment or a 400
    return moment.astimezone(UTC)


def _filters(raw: Any) -> EventQuery:
    """The query's ``properties``: event and person filters as ``events/`` reads them, and
    ``event_metadata`` ``distinct_id`` (exact, one value) as its distinct id filter."""
    if raw in (None, []):
        return EventQuery()
    items = raw.get("values") if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or (
        isinstance(raw, Mapping) and str(raw.get("type", "AND")).upper() != "AND"
    ):
        raise _unsupported("the local server reads a plain list of property filters")
    check_property_filters(len(items))
    distinct_id: str | None = None
    conditions: list[Condition | ConditionGroup] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise invalid("Properties are unparsable!", attr="properties")
        if item.get("type") == "event_metadata":
            distinct_id = _distinct_id(item, distinct_id)
            continue
        try:
            spec = PropertyFilter.model_validate(dict(item))
        except ValueError:
            raise invalid("Properties are unparsable!", attr="properties") from None
        conditions.append(condition(spec))
    group = ConditionGroup("AND", tuple(conditions)) if conditions else None
    return EventQuery(distinct_id=distinct_id, properties=group)


def _distinct_id(item: Mapping[str, Any], already: str | None) -> str:
    value = item.get("value")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if (
        item.get("key") != "distinct_id"
        or item.get("operator", "exact") != "exact"
        or not isinstance(value, str)
        or already is not None
    ):
        raise _unsupported("of event metadata the local server filters one exact distinct_id")
    return value


# --------------------------------------------------------------------------- answering


def series_json(
    query: CountQuery, series: CountSeries, counts: Mapping[str, int]
) -> dict[str, Any]:
    """One series as PostHog's TrendsQuery answers it (``data``, ``labels``, ``days``…)."""
    starts = query.buckets()
    data = [int(counts.get(bucket_key(start, query.interval), 0)) for start in starts]
    hourly = query.interval == "hour"
    days = [start.strftime("%Y-%m-%d %H:%M:%S" if hourly else "%Y-%m-%d") for start in starts]
    return {
        "data": data,
        "labels": [_label(start, hourly) for start in starts],
        "days": days,
        "count": float(sum(data)),
        "label": series.label,
        "action": {
            "days": [start.isoformat() for start in starts],
            "id": series.event,
            "type": "events",
            "order": series.order,
            "name": series.label,
            "custom_name": series.custom_name,
            "math": "total",
            "math_property": None,
            "properties": {},
        },
    }


def _label(start: datetime, hourly: bool) -> str:
    """PostHog's label of a bucket: ``1-May-2024``, by hour ``1-May-2024 13:00``."""
    day = f"{start.day}-{start.strftime('%b-%Y')}"
    return f"{day} {start.strftime('%H:%M')}" if hourly else day


def response_json(
    query: CountQuery, results: Sequence[dict[str, Any]], *, now: datetime
) -> dict[str, Any]:
    """The whole answer of ``query/`` for a TrendsQuery, computed now (never cached)."""
    return {
        "results": list(results),
        "hasMore": False,
        "is_cached": False,
        "last_refresh": now.isoformat(),
        "next_allowed_client_refresh": now.isoformat(),
        "timezone": "UTC",
        "resolved_date_range": {
            "date_from": query.start.isoformat(),
            "date_to": query.end.isoformat(),
        },
        "query_status": None,
        "timings": [],
        "error": None,
    }
