"""Funnels insights without SQL: read a FunnelsQuery, walk each person's events through its
steps, and shape the counts as PostHog's FunnelsQuery answers (one entry per step).

The store reads the events (``store/insights.py``); the rules are here, pure and easy to
test. A person enters the funnel at their first step-1 event in the date range and
converts each next step with the first matching event after the previous one, within the
conversion window (PostHog's default: 14 days).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tui.server.trends import DEFAULT_DATE_FROM, UnsupportedQuery

DEFAULT_WINDOW = timedelta(days=14)
_WINDOW_UNITS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}


@dataclass(frozen=True)
class Step:
    event: str
    custom_name: str | None


@dataclass(frozen=True)
class FunnelDefinition:
    steps: tuple[Step, ...]
    window: timedelta
    date_from: str | None  # None: from the first event ("all")
    date_to: str | None

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.event for step in self.steps))


def funnels_source(query: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The FunnelsQuery inside an insight's query, or None for a query of another kind."""
    if not isinstance(query, Mapping):
        return None
    source = query.get("source") if query.get("kind") == "InsightVizNode" else query
    if isinstance(source, Mapping) and source.get("kind") == "FunnelsQuery":
        return source
    return None


def parse_funnel(source: Mapping[str, Any]) -> FunnelDefinition:
    if source.get("properties") or (source.get("breakdownFilter") or {}).get("breakdown"):
        raise UnsupportedQuery("the local server does not compute property filters or breakdowns")
    raw_series = source.get("series")
    if not isinstance(raw_series, list) or len(raw_series) < 2:
        raise UnsupportedQuery("a funnel needs at least two steps")
    steps: list[Step] = []
    for item in raw_series:
        if not isinstance(item, Mapping) or item.get("kind", "EventsNode") != "EventsNode":
            raise UnsupportedQuery("the local server computes event steps only")
        event = item.get("event")
        if not isinstance(event, str) or not event:
            raise UnsupportedQuery("the local server computes funnels of named events only")
        custom = item.get("custom_name")
        steps.append(Step(event=event, custom_name=custom if isinstance(custom, str) else None))
    date_range = source.get("dateRange") or {}
    date_from = date_range.get("date_from", DEFAULT_DATE_FROM)
    return FunnelDefinition(
        steps=tuple(steps),
        window=_window(source.get("funnelsFilter")),
        date_from=None if date_from == "all" else date_from,
        date_to=date_range.get("date_to"),
    )


def _window(funnels_filter: Any) -> timedelta:
    if not isinstance(funnels_filter, Mapping):
        return DEFAULT_WINDOW
    amount = funnels_filter.get("funnelWindowInterval")
    unit = funnels_filter.get("funnelWindowIntervalUnit") or "day"
    if amount is None:
        return DEFAULT_WINDOW
    if not isinstance(amount, int) or amount <= 0 or unit not in _WINDOW_UNITS:
        raise UnsupportedQuery("cannot read the funnel's conversion window")
    return _WINDOW_UNITS[unit] * amount


def step_counts(
    definition: FunnelDefinition, events: Iterable[tuple[str, str, datetime]]
) -> list[int]:
    """How many people reached each step. ``events`` are (person, event, time) rows in
    time order."""
    by_person: dict[str, list[tuple[str, datetime]]] = {}
    for person, event, moment in events:
        by_person.setdefault(person, []).append((event, moment))
    counts = [0] * len(definition.steps)
    for sequence in by_person.values():
        for reached in range(_furthest_step(definition, sequence)):
            counts[reached] += 1
    return counts


def _furthest_step(definition: FunnelDefinition, sequence: list[tuple[str, datetime]]) -> int:
    """Steps reached by one person, trying every step-1 event as an entry (PostHog counts
    the best attempt)."""
    best = 0
    first = definition.steps[0].event
    for start, (event, entered) in enumerate(sequence):
        if event != first:
            continue
        reached = 1
        for event_name, moment in sequence[start + 1 :]:
            if reached == len(definition.steps) or moment - entered > definition.window:
                break
            if event_name == definition.steps[reached].event:
                reached += 1
        best = max(best, reached)
        if best == len(definition.steps):
            break
    return best


def posthog_result(definition: FunnelDefinition, counts: list[int]) -> list[dict[str, Any]]:
    """The steps as PostHog's FunnelsQuery answers them (conversion is the client's sum:
    each ``count`` over the first step's)."""
    return [
        {
            "action_id": step.event,
            "name": step.event,
            "custom_name": step.custom_name,
            "order": order,
            "count": count,
            "type": "events",
            "average_conversion_time": None,
            "median_conversion_time": None,
        }
        for order, (step, count) in enumerate(zip(definition.steps, counts, strict=True))
    ]
