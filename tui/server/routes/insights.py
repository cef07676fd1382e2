"""``insights/`` and ``dashboards/`` (read only): what exports need to name their target.

A tree entry names an insight by its short id, while ``exports/`` takes the numeric id, so
``GET insights/?short_id=`` bridges the two. Thin handlers; the SQL is in
``store/insights.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from tui.models.insights import Dashboard, Insight, InsightPage
from tui.server.auth import Access, requires
from tui.server.http import add_route, page_body, page_window, str_to_bool
from tui.server.insight_results import ResultCache, refresh_mode
from tui.server.store import insights as store
from tui.server.store.accounts import TIMEZONE
from tui.server.store.db import Database
from tui.server.trends import UnsupportedQuery

router = APIRouter(tags=["insights"])

ReadInsights = Annotated[Access, Depends(requires("insight:read"))]
ReadDashboards = Annotated[Access, Depends(requires("dashboard:read"))]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def list_insights(
    request: Request, access: ReadInsights, short_id: str | None = None, basic: str | None = None
) -> JSONResponse:
    """Live insights, ``short_id`` picking one out; ``basic=true`` leaves out results."""
    limit, offset = page_window(request)
    with _db(request).read() as conn:
        count, rows = store.list_insights(
            conn, access.project_id, short_id=short_id, limit=limit, offset=offset
        )
        cache = store.TrendsCache()
        results = [store.insight_json(conn, row, cache=cache) for row in rows]
        for row, result in zip(rows, results, strict=True):
            # The list computes every result afresh (see the README): the fields a
            # retrieve carries say so, so that one schema describes both.
            result.setdefault("is_cached", False)
            result.setdefault("query_status", None)
            result.setdefault("timezone", TIMEZONE)
            result.setdefault(
                "resolved_date_range", store.resolved_date_range(store.insight_query(row))
            )
    if str_to_bool(basic):
        for result in results:
            result.pop("result")
    return JSONResponse(page_body(request, count, limit, offset, results))


def retrieve_insight(
    request: Request, access: ReadInsights, insight_id: str, refresh: str | None = None
) -> JSONResponse:
    """One insight; its ``result`` from the cache or computed, as ``refresh`` says
    (``force_cache`` by default: a miss is ``null``)."""
    mode = refresh_mode(refresh)
    cache: ResultCache = request.app.state.insight_results
    with _db(request).read() as conn:
        row = store.get_insight(conn, access.project_id, insight_id)

        def compute() -> Any:
            try:
                return store.compute_result(conn, row)
            except UnsupportedQuery:
                return None  # a kind the local server cannot compute: no result, no error

        answer = cache.answer(access.project_id, row["id"], store.insight_query(row), mode, compute)
        body = store.insight_fields(row, answer.result)
    body.update(
        last_refresh=answer.last_refresh.isoformat() if answer.last_refresh else None,
        is_cached=answer.is_cached,
        query_status=answer.query_status,
        timezone=TIMEZONE,
        resolved_date_range=store.resolved_date_range(store.insight_query(row)),
    )
    return JSONResponse(body)


def retrieve_dashboard(request: Request, access: ReadDashboards, dashboard_id: str) -> JSONResponse:
    with _db(request).read() as conn:
        row = store.get_dashboard(conn, access.project_id, dashboard_id)
        return JSONResponse(store.dashboard_json(conn, row))


add_route(router, "/insights", list_insights, methods=["GET"], response_model=InsightPage)
add_route(
    router, "/insights/{insight_id}", retrieve_insight, methods=["GET"], response_model=Insight
)
add_route(
    router,
    "/dashboards/{dashboard_id}",
    retrieve_dashboard,
    methods=["GET"],
    response_model=Dashboard,
)
