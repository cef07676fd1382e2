"""``query/``: PostHog's query endpoint, for the one query hogtree sends — a TrendsQuery of
event counts per hour or day (the Events tab's volume). Thin handler: read the query
(``tui.server.query_trends``), count in one read transaction, answer PostHog's shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from tui.server import query_trends
from tui.server.auth import Access, requires
from tui.server.http import add_route, json_object
from tui.server.store import events as store
from tui.server.store.db import Database

router = APIRouter(tags=["query"])

Read = Annotated[Access, Depends(requires("query:read"))]
OptionalJsonBody = Annotated[Any, Body()]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def run_query(request: Request, access: Read, payload: OptionalJsonBody = None) -> JSONResponse:
    """``{"query": {"kind": "TrendsQuery", …}}`` → ``{"results": [series…], …}``; PostHog's
    ``refresh`` modes all compute here (nothing is cached)."""
    now = datetime.now(UTC)
    query = query_trends.read_query(json_object(payload), now=now)
    with _db(request).read() as conn:
        results = [
            query_trends.series_json(
                query,
                series,
                store.count_by_bucket(
                    conn, access.project_id, query.series_query(series), query.interval
                ),
            )
            for series in query.series
        ]
    return JSONResponse(query_trends.response_json(query, results, now=now))


add_route(router, "/query", run_query, methods=["POST"])
