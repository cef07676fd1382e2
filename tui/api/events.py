"""Events through PostHog's API: pages of events, one event, a property's values.

``events/`` pages with a cursor: each page's ``next`` repeats the query with ``before`` set
to the last row's timestamp. :meth:`EventsApi.iter_pages` follows it, but only the query
string of ``next`` is used, sent to the host the client was made for: a misconfigured or
hostile server cannot make the client carry the API key elsewhere.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack
from urllib.parse import quote

import httpx
from pydantic import RootModel

from tui.api.transport import Transport, parse, query_params
from tui.models.events import Event, EventsPage, EventValue, EventValuesResponse, PropertyFilter

# PostHog's default page of events; it clamps larger pages to 1000.
DEFAULT_EVENTS_LIMIT = 100
# A safety net for following ``next``: a server that hands out the same cursor forever
# must not keep a worker busy forever.
MAX_PAGES = 10_000

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
        )
        return await self._get_page(params)

    async def iter_pages(self, **query: Unpack[EventsQuery]) -> AsyncIterator[EventsPage]:
        """Every page of :meth:`page`'s query, following ``next`` until it is null."""
        page = await self.page(**query)
        for _ in range(MAX_PAGES):
            yield page
            if page.next is None or not page.results:
                return
            page = await self._get_page(_next_params(page.next))

    async def merged_pages(
        self, queries: Sequence[Mapping[str, Any]], *, limit: int
    ) -> AsyncIterator[tuple[list[Event], bool]]:
        """Pages of up to ``limit`` events newest first, each with whether more may follow.

        ``queries`` are :meth:`iter_pages` keyword arguments (``limit`` aside). One query
        follows the server's ``next``; several (one per event name, as PostHog takes one
        name per query) are merged by timestamp, each read only as far as the merge needs.
        """
        if len(queries) == 1:
            async for page in self.iter_pages(limit=limit, **queries[0]):
                yield page.results, page.next is not None and bool(page.results)
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


def _next_params(next_url: str) -> httpx.QueryParams:
    """The query of a ``next`` link; its scheme, host and path are ignored on purpose."""
    return httpx.URL(next_url).params


class _LegacyValues(RootModel[list[EventValue]]):
    """Older PostHog's ``events/values/`` body: the results list alone."""
