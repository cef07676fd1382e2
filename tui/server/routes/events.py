"""``events/``: list (cursor pages, JSON or CSV), retrieve, and property values. Thin
handlers: read the request, call the store inside one read transaction, shape the answer."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from tui.models.events import Event, EventsPage, EventValuesResponse
from tui.server.auth import Access, requires
from tui.server.errors import NoAttrProblemBody, hand_built_400, invalid, not_found
from tui.server.event_query import event_query, includes_person
from tui.server.events_csv import events_csv
from tui.server.http import add_route, page_window
from tui.server.store import events as store
from tui.server.store import persons as person_store
from tui.server.store.db import Database

router = APIRouter(tags=["events"])

Read = Annotated[Access, Depends(requires("query:read"))]

# PostHog clamps a page of events to this many rows (the API contract, section 4).
MAX_LIMIT = 50_000
# events/values looks this far back, and answers at most this many values.
VALUES_WINDOW = timedelta(days=7)
VALUES_LIMIT = 10


# Query parameters, documented here because handlers read them from the request (so that
# bad values get PostHog's answers rather than FastAPI's).
LIST_PARAMETERS = {
    "event": "Only events of this name (exact).",
    "distinct_id": "Only events of this distinct id (exact).",
    "person_id": "Only events of this person (uuid or numeric id): all its distinct ids.",
    "before": "Only events before this moment: ISO 8601, or relative like -7d, -24h, -30M.",
    "after": "Only events after this moment: ISO 8601, or relative like -7d, -24h, -30M.",
    "properties": 'JSON list of filters, e.g. [{"key": "$browser", "value": ["Safari"],'
    ' "operator": "exact", "type": "event"}].',
    "include_person": "true to add each event's person.",
    "limit": "Page size, default 100, at most 50000.",
    "offset": "Rows to skip (the next link pages with before instead).",
    "format": "csv for the page as CSV.",
    "orderBy": '["-timestamp"] (default): newest first, next pages with before;'
    ' ["timestamp"]: oldest first, next pages with after.',
}
VALUES_PARAMETERS = {
    "key": "The property whose values to list (required); custom_event lists event names.",
    "is_column": "true: key is an event column (event, distinct_id, elements_chain).",
    "event_name": "Events to look in (required; may repeat).",
    "value": "Only values containing this (case-insensitive).",
}


def _documented(
    parameters: dict[str, str], required: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The query parameters a handler reads itself, as OpenAPI says them (``required``: what
    the handler refuses to go without)."""
    return {
        "parameters": [
            {"name": name, "in": "query", "required": name in required}
            | {"schema": {"type": "string"}, "description": description}
            for name, description in parameters.items()
        ]
    }


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def oldest_first(params: Mapping[str, str]) -> bool:
    """``orderBy``: a JSON list whose first item is ``timestamp`` (oldest first) or
    ``-timestamp`` (newest first, the default)."""
    text = params.get("orderBy")
    if not text:
        return False
    try:
        order = json.loads(text)
    except ValueError:
        order = None
    if not isinstance(order, list) or not order or order[0] not in ("timestamp", "-timestamp"):
        raise invalid('orderBy must be ["-timestamp"] or ["timestamp"]', attr="orderBy")
    return bool(order[0] == "timestamp")


def list_events(request: Request, access: Read) -> Response:
    """Newest first, or oldest first with ``orderBy=["timestamp"]``. ``next`` repeats the
    query with ``before`` (``after`` when oldest first) = the last row's timestamp, as
    PostHog does: rows sharing that timestamp beyond the page are not in the next one
    (hogtree's client reads past that; see ``tui/api/events.py``)."""
    params = request.query_params
    ascending = oldest_first(params)
    query = event_query(params)
    limit, offset = page_window(request)
    limit = min(limit, MAX_LIMIT)
    include_person = includes_person(params)
    with _db(request).read() as conn:
        # One row more than the page says whether there is a next page.
        rows = store.list_events(
            conn, access.project_id, query, limit + 1, offset, oldest_first=ascending
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        persons = (
            person_store.event_persons(
                conn, access.project_id, (row["distinct_id"] for row in rows)
            )
            if include_person
            else {}
        )
    results = [store.event_json(row, persons.get(row["distinct_id"])) for row in rows]
    if params.get("format") == "csv":
        return Response(events_csv(results), media_type="text/csv; charset=utf-8")
    next_url = None
    if has_more:
        # The cursor replaces the offset: repeating it would skip rows on every page.
        edge = rows[-1]["timestamp"]
        url = request.url.include_query_params(**{"after" if ascending else "before": edge})
        next_url = str(url.remove_query_params("offset"))
    return JSONResponse({"next": next_url, "results": results})


# PostHog's own events, left out of ``key=custom_event``.
POSTHOG_EVENTS = ("$autocapture", "$pageview", "$identify", "$pageleave", "$screen")


# event.py's words when a personal API key asks events/values for no event name.
EVENT_NAME_REQUIRED = (
    "The event_name parameter is required when using a personal API key."
    " For queries without event filters, please use the Query endpoint instead:"
    " https://posthog.com/docs/api/query"
)


def event_values(request: Request, access: Read) -> JSONResponse:
    """Up to 10 values property ``key`` took in the last 7 days in ``event_name`` events;
    ``is_column=true``: values of the event column ``key``; ``key=custom_event``: the
    project's own event names; ``properties_<key>=<value>``: only events with that value.

    Checked in event.py's order: ``key``, then ``event_name`` (every key, custom_event
    too: a personal API key, the only kind this server knows, must name one; an empty
    ``event_name=`` names one, whose events are none)."""
    params = request.query_params
    key = params.get("key")
    if not key:
        raise invalid("You must provide a key")
    event_names = params.getlist("event_name")
    if not event_names:
        raise invalid(EVENT_NAME_REQUIRED)
    since = datetime.now(UTC) - VALUES_WINDOW
    if key == "custom_event":
        with _db(request).read() as conn:
            names = store.event_names(conn, access.project_id, since=since)
        custom = [name for name in names if name not in POSTHOG_EVENTS]
        return JSONResponse({"results": [{"name": n} for n in custom], "refreshing": False})
    equal = {
        name.removeprefix("properties_"): wanted
        for name, wanted in params.items()
        if name.startswith("properties_") and name != "properties_"
    }
    with _db(request).read() as conn:
        values = store.property_values(
            conn,
            access.project_id,
            key,
            event_names,
            since=since,
            value=params.get("value") or None,
            limit=VALUES_LIMIT,
            is_column=params.get("is_column", "").lower() == "true",  # event.py reads only "true"
            where_properties=equal,
        )
    return JSONResponse({"results": [{"name": value} for value in values], "refreshing": False})


def retrieve_event(request: Request, access: Read, event_id: str) -> JSONResponse:
    try:
        event_uuid = str(uuid.UUID(event_id))
    except ValueError:
        raise hand_built_400("Invalid UUID", code="invalid") from None
    with _db(request).read() as conn:
        row = store.get_event(conn, access.project_id, event_uuid)
        if row is None:
            raise not_found(f"No events exist for event UUID {event_id}")
        person: dict[str, Any] | None = None
        if includes_person(request.query_params):
            person = person_store.event_persons(conn, access.project_id, [row["distinct_id"]]).get(
                row["distinct_id"]
            )
    return JSONResponse(store.event_json(row, person))


# Static paths first: `events/{event_id}` would otherwise swallow `values`.
add_route(
    router,
    "/events",
    list_events,
    methods=["GET"],
    response_model=EventsPage,
    responses={200: {"content": {"text/csv": {}}}},
    openapi_extra=_documented(LIST_PARAMETERS),
)
add_route(
    router,
    "/events/values",
    event_values,
    methods=["GET"],
    response_model=EventValuesResponse,
    openapi_extra=_documented(VALUES_PARAMETERS, required=frozenset({"key"})),
)
add_route(
    router,
    "/events/{event_id}",
    retrieve_event,
    methods=["GET"],
    response_model=Event,
    responses={400: {"model": NoAttrProblemBody, "description": "Not a UUID: event.py's own body"}},
    openapi_extra=_documented({"include_person": LIST_PARAMETERS["include_person"]}),
)
