"""Trends insights without SQL: read a TrendsQuery, lay out its time buckets, and shape
counts into PostHog's result and into a table.

The store counts events per bucket (``store/insights.py``); everything around that — which
series, which buckets, how the answer looks — is here, pure and easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

# What a series may count: every event, or distinct ids (PostHog's "unique users").
SUPPORTED_MATHS = frozenset({"total", "dau"})
SUPPORTED_INTERVALS = frozenset({"day", "week", "month"})
# PostHog's default range for a trends insight.
DEFAULT_DATE_FROM = "-7d"
# A bound on the number of buckets, so a query for "-100y" by day cannot build a huge answer.
MAX_BUCKETS = 5_000

# Days a query may name: far enough apart for any data, far enough from date.min and
# date.max that bucket arithmetic never overflows.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9000, 12, 31)

_RELATIVE = re.compile(r"^-(\d+)([hdwmy])$")


class UnsupportedQuery(ValueError):
    """A query the local server cannot compute; the message says what and why."""


@dataclass(frozen=True)
class Series:
    event: str | None  # None: all events
    math: str
    label: str
    action: dict[str, Any]  # the series as PostHog echoes it in a result


# Displays that show one number per series (PostHog's "total value" charts): their result
# has ``aggregated_value`` and empty ``data``.
TOTAL_DISPLAYS = frozenset(
    {"BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable", "WorldMap", "CalendarHeatmap"}
)
DEFAULT_DISPLAY = "ActionsLineGraph"


@dataclass(frozen=True)
class TrendsDefinition:
    series: tuple[Series, ...]
    interval: str
    date_from: str | None  # None: from the first event ("all")
    date_to: str | None
    display: str = DEFAULT_DISPLAY

    @property
    def is_total(self) -> bool:
        return self.display in TOTAL_DISPLAYS


@dataclass(frozen=True)
class SeriesValues:
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class TrendsResult:
    """One value per bucket per series: the rows of a trends insight."""

    title: str
    buckets: tuple[date, ...]
    series: tuple[SeriesValues, ...]
    interval: str = "day"


# --------------------------------------------------------------------------- reading a query


def trends_source(query: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The TrendsQuery inside an insight's query (bare or wrapped in an InsightVizNode)."""
    if not isinstance(query, Mapping):
        raise UnsupportedQuery("the insight has no query")
    source = query.get("source") if query.get("kind") == "InsightVizNode" else query
    if not isinstance(source, Mapping) or source.get("kind") != "TrendsQuery":
        kind = source.get("kind") if isinstance(source, Mapping) else None
        raise UnsupportedQuery(
            f"the local server computes trends insights only, not {kind or 'this query'}"
        )
    return source


def parse_trends(query: Mapping[str, Any] | None) -> TrendsDefinition:
    source = trends_source(query)
    if source.get("properties") or source.get("breakdownFilter", {}).get("breakdown"):
        raise UnsupportedQuery("the local server does not compute property filters or breakdowns")
    interval = source.get("interval") or "day"
    if interval not in SUPPORTED_INTERVALS:
        raise UnsupportedQuery(f"the local server does not compute trends by {interval}")
    raw_series = source.get("series")
    if not isinstance(raw_series, list) or not raw_series:
        raise UnsupportedQuery("the trends query has no series")
    series = tuple(_series(item, order) for order, item in enumerate(raw_series))
    date_range = source.get("dateRange") or {}
    date_from = date_range.get("date_from", DEFAULT_DATE_FROM)
    trends_filter = source.get("trendsFilter")
    display = trends_filter.get("display") if isinstance(trends_filter, Mapping) else None
    return TrendsDefinition(
        series=series,
        interval=interval,
        date_from=None if date_from == "all" else date_from,
        date_to=date_range.get("date_to"),
        display=display if isinstance(display, str) and display else DEFAULT_DISPLAY,
    )


def _series(item: Any, order: int) -> Series:
    if not isinstance(item, Mapping) or item.get("kind", "EventsNode") != "EventsNode":
        raise UnsupportedQuery("the local server computes event series only")
    if item.get("properties"):
        raise UnsupportedQuery("the local server does not compute property filters")
    math = item.get("math") or "total"
    if math not in SUPPORTED_MATHS:
        raise UnsupportedQuery(f"the local server does not compute math {math!r}")
    event = item.get("event")
    if event is not None and not isinstance(event, str):
        raise UnsupportedQuery("a series' event must be a name")
    label = item.get("custom_name") or item.get("name") or event or "All events"
    action = {
        "id": event,
        "type": "events",
        "name": event or "All events",
        "custom_name": item.get("custom_name"),
        "math": math,
        "order": order,
    }
    return Series(event=event, math=math, label=str(label), action=action)


# --------------------------------------------------------------------------- time buckets


def parse_day(text: Any, today: date, *, default: date) -> date:
    """A ``date_from``/``date_to`` as a day: ``-30d``, ``-24h``, ``-2w``, ``-3m``, ``-1y``,
    ``dStart``/``mStart``/``yStart``, or an ISO date, between EARLIEST_DAY and LATEST_DAY."""
    day = _parse_day(text, today, default=default)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise UnsupportedQuery(f"the date {text!r} is out of range")
    return day


def _parse_day(text: Any, today: date, *, default: date) -> date:
    if text is None or text == "":
        return default
    if not isinstance(text, str):
        raise UnsupportedQuery(f"cannot read the date {text!r}")
    if text == "dStart":
        return today
    if text == "mStart":
        return today.replace(day=1)
    if text == "yStart":
        return today.replace(month=1, day=1)
    match = _RELATIVE.match(text)
    try:
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            if unit == "h":
                return today - timedelta(days=amount // 24)
            if unit == "d":
                return today - timedelta(days=amount)
            if unit == "w":
                return today - timedelta(weeks=amount)
            months = amount * (12 if unit == "y" else 1)
            return _add_months(today, -months)
        return datetime.fromisoformat(text).date()
    except (ValueError, OverflowError):
        raise UnsupportedQuery(f"cannot read the date {text!r}") from None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def bucket_start(day: date, interval: str) -> date:
    """The first day of the bucket holding ``day`` (weeks start on Sunday, as PostHog's)."""
    if interval == "week":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if interval == "month":
        return day.replace(day=1)
    return day


def buckets(first: date, last: date, interval: str) -> tuple[date, ...]:
    """Every bucket from the one holding ``first`` to the one holding ``last``."""
    current = bucket_start(first, interval)
    out: list[date] = []
    while current <= last:
        out.append(current)
        if len(out) > MAX_BUCKETS:
            raise UnsupportedQuery(f"the date range holds more than {MAX_BUCKETS} {interval}s")
        if interval == "month":
            current = _add_months(current, 1).replace(day=1)
        else:
            current += timedelta(days=7 if interval == "week" else 1)
    return tuple(out)


# --------------------------------------------------------------------------- answers


def assemble(
    title: str,
    definition: TrendsDefinition,
    days: Sequence[date],
    counts: Sequence[Mapping[str, int]],
) -> TrendsResult:
    """Counts per bucket (keyed ``YYYY-MM-DD``, one mapping per series) over every bucket;
    a bucket without events is 0."""
    series = tuple(
        SeriesValues(spec.label, tuple(int(found.get(day.isoformat(), 0)) for day in days))
        for spec, found in zip(definition.series, counts, strict=True)
    )
    return TrendsResult(
        title=title, buckets=tuple(days), series=series, interval=definition.interval
    )


def posthog_result(result: TrendsResult, definition: TrendsDefinition) -> list[dict[str, Any]]:
    """The result as PostHog's trends API sends it: one entry per series; for a total
    display (a number, a pie…) each series' ``aggregated_value`` and no per-bucket data."""
    days = [day.isoformat() for day in result.buckets]
    labels = [f"{day.day}-{day.strftime('%b-%Y')}" for day in result.buckets]
    if definition.is_total:
        return [
            {
                "action": spec.action,
                "label": values.label,
                "count": 0,
                "aggregated_value": sum(values.values),
                "data": [],
                "labels": [],
                "days": [],
            }
            for spec, values in zip(definition.series, result.series, strict=True)
        ]
    return [
        {
            "action": spec.action,
            "label": values.label,
            "count": sum(values.values),
            "data": list(values.values),
            "labels": labels,
            "days": days,
        }
        for spec, values in zip(definition.series, result.series, strict=True)
    ]


def column_names(labels: Sequence[str]) -> list[str]:
    """Series labels as distinct column names: a repeated label gets `` (2)``, `` (3)``…"""
    seen: dict[str, int] = {}
    names: list[str] = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        names.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return names


def result_table(result: TrendsResult) -> tuple[list[str], list[list[Any]]]:
    """Header ``date`` then one column per series; one row per bucket."""
    header = ["date", *column_names([s.label for s in result.series])]
    rows = [
        [day.isoformat(), *(values.values[index] for values in result.series)]
        for index, day in enumerate(result.buckets)
    ]
    return header, rows
