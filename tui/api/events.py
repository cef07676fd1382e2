"""Events through PostHog's API: pages of events, one event, a property's values.

``events/`` pages with a cursor: each page's ``next`` repeats the query with ``before``
(``after`` oldest first) set to the last row's timestamp, a strict bound. Events sharing
that timestamp beyond the page are never in the next one, and PostHog may end a read
early (a short page from one of its time windows, ``next`` null, older events left).
:meth:`EventsApi.iter_pages` therefore does not follow ``next``: it asks again from just
past the last timestamp it has seen (1 µs of overlap), drops the events it already gave,
and stops only when a page brings nothing new and is not full (the recipe of the API
contract, section 8.8). Nothing is ever sent anywhere but the client's own host.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, TypedDict, Unpack
from urllib.parse import quote

import httpx
from pydantic import RootModel

from tui.api.transport import Transport, parse, query_params
from tui.models.events import Event, EventsPage, EventValue, EventValuesResponse, PropertyFilter

# PostHog's default page of events; it clamps larger pages to 1000.
DEFAULT_EVENTS_LIMIT = 100
# A safety net: a server that answers the same page forever must not keep a worker busy.
MAX_PAGES = 10_000
# The biggest page PostHog gives; a page that is one moment through and through is asked
# again this big before the read moves past that moment.
MAX_EVENTS_LIMIT = 50_000
# The overlap between one read and the next: timestamps have microseconds.
OVERLAP = timedelta(microseconds=1)

PropertyFilters = Iterable[PropertyFilter | Mapping[str, Any]]


class EventsQuery(TypedDict, total=False):
    """What :meth:`EventsApi.page` filters by, as keyword arguments (all optional)."""

    event: str | None
    distinct_id: str | None
    person_id: str | int | None
    before: datetime | str | None
    after: datetime | str | None
    properties: PropertyFilters | None
    limit: int
    include_person: bool
    oldest_first: bool


class EventsApi:
    """``client.events``: read a project's events (scope ``query:read``)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def page(self, **query: Unpack[EventsQuery]) -> EventsPage:
        """One page of events, newest first. ``before``/``after`` take a datetime, an ISO
        string, or a relative date like ``"-7d"`` (``m`` is months, ``M`` minutes)."""
        params = query_params(
            event=query.get("event"),
            distinct_id=query.get("distinct_id"),
            person_id=query.get("person_id"),
            before=query.get("before"),
            after=query.get("after"),
            properties=_properties_param(query.get("properties")),
            limit=query.get("limit", DEFAULT_EVENTS_LIMIT),
            include_person=query.get("include_person") or None,
            orderBy='["timestamp"]' if query.get("oldest_first") else None,
        )
        return await self._get_page(params)

    async def iter_pages(self, **query: Unpack[EventsQuery]) -> AsyncIterator[EventsPage]:
        """Every event of :meth:`page`'s query, a page at a time, none lost and none twice
        (see the module's doc). A yielded page's ``next`` is None when nothing more can
        follow; otherwise it may still be the last (the read ends with a page of nothing)."""
        limit = query.get("limit", DEFAULT_EVENTS_LIMIT)
        bound: Literal["after", "before"] = "after" if query.get("oldest_first") else "before"
        cursor: datetime | None = None  # None: the query's own bound
        moment: datetime | None = None  # the timestamp the last page ended on
        seen: set[str] = set()  # the ids given that carry that timestamp
        size = limit
        first = True
        for _ in range(MAX_PAGES):
            ask: EventsQuery = {**query, "limit": size}
            if cursor is not None:
                ask[bound] = cursor
            rows = (await self.page(**ask)).results
            fresh = [event for event in rows if event.id not in seen]
            # A page of ``limit`` or more events, every one of the same moment: asking from
            # just past that moment would bring the same page again.
            one_moment = len(rows) >= limit and rows[0].timestamp == rows[-1].timestamp
            full = len(rows) >= size
            # A page under half full is the end even on PostHog (a time window is kept only
            # if it holds half a page); fuller but short may be a window's cut: ask again.
            ended = not one_moment and not full and (not fresh or len(rows) * 2 < size)
            if fresh or (ended and first):
                yield EventsPage(next=None if ended else "more", results=fresh)
            first = False
            if ended:
                return
            last = rows[-1].timestamp
            at_last = {event.id for event in rows if event.timestamp == last}
            seen = seen | at_last if last == moment else at_last
            moment = last
            if one_moment:
                if fresh and len(rows) < MAX_EVENTS_LIMIT:
                    # Ask for more of that moment at once, from the same place.
                    size = min(len(rows) * 10, MAX_EVENTS_LIMIT)
                    continue
                # The server gives no more of it (PostHog's biggest page, or a server that
                # clamps lower): go past the moment. The rest of it is lost; it is the only
                # way such a read ever ends.
                cursor, seen, size = last, set(), limit
                continue
            cursor = last + OVERLAP if bound == "before" else last - OVERLAP
            # The ids at the edge come again (the overlap): ask for that many more, so
            # that a page brings ``limit`` new events.
            size = min(limit + len(seen), MAX_EVENTS_LIMIT)

    async def merged_pages(
        self, queries: Sequence[Mapping[str, Any]], *, limit: int
    ) -> AsyncIterator[tuple[list[Event], bool]]:
        """Pages of up to ``limit`` events newest first, each with whether more may follow.

        ``queries`` are :meth:`iter_pages` keyword arguments (``limit`` aside). One query
        follows the server's ``next``; several (one per event name, as PostHog takes one
        name per query) are merged by timestamp, each read only as far as the merge needs.
        """
        if len(queries) == 1:
            more = True
            async for page in self.iter_pages(limit=limit, **queries[0]):
                more = page.next is not None
                yield page.results, more
            if more:  # the read ended with a page of nothing new: say so
                yield [], False
            return
        streams = [self.iter_pages(limit=limit, **query) for query in queries]
        buffers: list[deque[Event]] = [deque() for _ in streams]
        done = [False] * len(streams)

        async def fill(i: int) -> None:
            while not buffers[i] and not done[i]:
                try:
                    buffers[i].extend((await anext(streams[i])).results)
                except StopAsyncIteration:
                    done[i] = True

        while True:
            out: list[Event] = []
            while len(out) < limit:
                for i in range(len(streams)):
                    await fill(i)
                live = [i for i, buffer in enumerate(buffers) if buffer]
                if not live:
                    break
                newest = max(live, key=lambda i: buffers[i][0].timestamp)
                out.append(buffers[newest].popleft())
            more = any(buffers) or not all(done)
            yield out, more
            if not more:
                return

    async def get(self, event_id: str, *, include_person: bool = False) -> Event:
        if event_id in ("", ".", ".."):
            raise ValueError(f"not an event id: {event_id!r}")
        # Quoted whole so an id can never add path segments or a query to the URL.
        response = await self._transport.request(
            "GET",
            f"events/{quote(event_id, safe='')}/",
            params=query_params(include_person=include_person or None),
        )
        return parse(response, Event)

    async def values(
        self, key: str, event_names: Iterable[str], value: str | None = None
    ) -> EventValuesResponse:
        """Up to 10 values ``key`` took in the last 7 days in events named ``event_names``
        (optionally only those containing ``value``). Older PostHog answers a bare list."""
        params: dict[str, str | list[str]] = {"key": key, "event_name": list(event_names)}
        if value:
            params["value"] = value
        response = await self._transport.request(
            "GET", "events/values/", params=httpx.QueryParams(params)
        )
        if response.content.lstrip().startswith(b"["):
            legacy = parse(response, _LegacyValues)
            return EventValuesResponse(results=legacy.root)
        return parse(response, EventValuesResponse)

    async def _get_page(self, params: Mapping[str, str]) -> EventsPage:
        response = await self._transport.request("GET", "events/", params=params)
        return parse(response, EventsPage)


def _properties_param(properties: PropertyFilters | None) -> str | None:
    if properties is None:
        return None
    items = [
        item.model_dump(exclude_none=True) if isinstance(item, PropertyFilter) else dict(item)
        for item in properties
    ]
    return json.dumps(items) if items else None


class _LegacyValues(RootModel[list[EventValue]]):
    """Older PostHog's ``events/values/`` body: the results list alone."""
