"""PostHog's query endpoint (``POST query/``, scope ``query:read``), for event counts.

hogtree asks it one thing: how many events match the Events tab's filters per hour or per
day — a TrendsQuery, as PostHog's own web app sends for a trends chart. Counting on the
server is the only way: the events tab holds a page of events, not all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from tui.api.transport import Transport, parse
from tui.models.events import PropertyFilter
from tui.models.query import TrendsResponse

Interval = Literal["hour", "day"]


class QueryApi:
    """``client.query``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def event_counts(
        self,
        events: Sequence[str | None],
        *,
        interval: Interval,
        date_from: datetime,
        date_to: datetime,
        distinct_id: str | None = None,
        properties: Iterable[PropertyFilter] = (),
    ) -> TrendsResponse:
        """Events per ``interval`` from ``date_from`` to ``date_to`` (exactly: PostHog's
        ``explicitDate``), a series per event name (``None``: every event)."""
        filters: list[dict[str, Any]] = [spec.model_dump(exclude_none=True) for spec in properties]
        if distinct_id:
            filters.append(
                {
                    "type": "event_metadata",
                    "key": "distinct_id",
                    "value": distinct_id,
                    "operator": "exact",
                }
            )
        query: dict[str, Any] = {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": event, "math": "total"} for event in events],
            "interval": interval,
            "dateRange": {
                "date_from": _iso(date_from),
                "date_to": _iso(date_to),
                "explicitDate": True,
            },
            "properties": filters,
        }
        # "blocking": fresh from cache or computed now, never a forced recompute.
        response = await self._transport.request(
            "POST", "query/", json={"query": query, "refresh": "blocking"}
        )
        return parse(response, TrendsResponse)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
