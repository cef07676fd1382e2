"""A server that pages ``events/`` exactly as PostHog's code does (the API contract,
section 8.8), over a local server's database: the weaknesses the client must read past,
reproduced on purpose, over real HTTP.

- Newest first, it tries time windows back from ``before`` (1 min … 24 h) and keeps the
  first holding at least half a page, else no window: a page of half a page to a page,
  with ``next`` null, though older events exist.
- It reads ``limit + 1`` rows; only if the extra one exists, ``next`` is the same query
  (``offset`` kept) with ``before`` (``after`` oldest first) = the last row's timestamp:
  rows sharing that timestamp beyond the page are never listed.

Only ``GET /api/projects/{id}/events/`` is served; no key is checked (the local server
itself tests that).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tui.server.event_query import event_query
from tui.server.runner import serve_in_thread
from tui.server.store import events as store
from tui.server.store.db import Database

WINDOWS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
]


def posthog_paging_app(db_path: Path) -> FastAPI:
    app = FastAPI()
    db = Database(db_path)

    @app.get("/api/projects/{project_id}/events/")
    def events(project_id: int, request: Request) -> JSONResponse:
        params = request.query_params
        limit = int(params.get("limit") or 100)
        offset = int(params.get("offset") or 0)
        oldest_first = params.get("orderBy") == '["timestamp"]'
        query = event_query(params)
        rows: list[Any] | None = None
        with db.read() as conn:
            if not oldest_first and query.before is not None:
                for window in WINDOWS:
                    start = query.before - window
                    narrowed = replace(query, after=max(query.after or start, start))
                    found = store.list_events(conn, project_id, narrowed, limit + 1, offset)
                    if len(found) * 2 >= limit:
                        rows = found
                        break
            if rows is None:
                rows = store.list_events(
                    conn, project_id, query, limit + 1, offset, oldest_first=oldest_first
                )
        next_url = None
        if len(rows) > limit:
            edge = rows[limit - 1]["timestamp"]
            bound = "after" if oldest_first else "before"
            next_url = str(request.url.include_query_params(**{bound: edge}))
        results = [store.event_json(row) for row in rows[:limit]]
        return JSONResponse({"next": next_url, "results": results})

    return app


@contextmanager
def posthog_paging_server(db_path: Path) -> Iterator[str]:
    """The server above on a free loopback port, for the time of the block: its URL."""
    app = posthog_paging_app(db_path)
    background = serve_in_thread(
        lambda port: uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    try:
        yield background.url
    finally:
        background.stop(wait=False)
