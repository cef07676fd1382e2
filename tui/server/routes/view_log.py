"""``file_system/log_view/``: the caller's view log, which PostHog's Recents are made of.

Both methods need ``file_system:write`` (PostHog's action ``log_view``). PostHog records a
view only for a logged-in browser session: a personal API key's POST is validated, answered
204 and not recorded. The local server knows only keys, so it never records one; its views
come from the demo's seed. Recents themselves are ``GET file_system/?order_by=-last_viewed_at``
(routes/file_system.py).

Included before the file_system routes, so that ``log_view`` is never read as an entry id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from tui.models.shortcuts import ViewLogCreate, ViewLogEntry
from tui.server.auth import Access, requires
from tui.server.dates import DATETIME_FORMAT_ERROR, parse_moment
from tui.server.errors import invalid, method_not_allowed
from tui.server.http import add_route, body_schema, validate_body
from tui.server.store import view_log
from tui.server.store.db import Database

router = APIRouter(tags=["file_system"])

Write = Annotated[Access, Depends(requires("file_system:write"))]
OptionalJsonBody = Annotated[Any, Body()]
PATH = "/file_system/log_view"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def list_views(
    request: Request,
    access: Write,
    type: Annotated[str | None, Query()] = None,
    limit: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """The caller's views in this project, newest first (all of them unless ``limit``)."""
    count = _view_limit(limit)
    viewer = view_log.Viewer(project_id=access.project_id, user_id=access.user_id)
    with _db(request).read() as conn:
        views = view_log.list_views(conn, viewer, type=(type or "").strip() or None, limit=count)
    return JSONResponse(views)


def _view_limit(text: str | None) -> int | None:
    """``limit``: absent is all; else an integer of at least 1 (DRF's words)."""
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise invalid("A valid integer is required.", attr="limit") from None
    if value < 1:
        raise invalid(
            "Ensure this value is greater than or equal to 1.", code="min_value", attr="limit"
        )
    return value


def log_view(request: Request, access: Write, payload: OptionalJsonBody = None) -> Response:
    """Record a view of an object: with a personal API key, validated and not recorded."""
    body = validate_body(ViewLogCreate, payload)
    for name in ("type", "ref"):
        if not getattr(body, name).strip():
            raise invalid("This field may not be blank.", code="blank", attr=name)
    if "viewed_at" in body.model_fields_set:
        if body.viewed_at is None:
            raise invalid("This field may not be null.", code="null", attr="viewed_at")
        if parse_moment(body.viewed_at) is None:
            raise invalid(DATETIME_FORMAT_ERROR, attr="viewed_at")
    return Response(status_code=204)


def wrong_method(request: Request) -> Response:
    """405 for the methods ``log_view`` does not take (after authentication, as PostHog),
    rather than reading ``log_view`` as an entry id."""
    request.app.state.authenticator.authenticate(request)
    raise method_not_allowed(request.method, "GET, POST, OPTIONS")


add_route(router, PATH, list_views, methods=["GET"], response_model=list[ViewLogEntry])
add_route(
    router,
    PATH,
    log_view,
    methods=["POST"],
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Accepted (a personal API key's view is not recorded)"}},
    openapi_extra=body_schema(ViewLogCreate),
)
add_route(router, PATH, wrong_method, methods=["PUT", "PATCH", "DELETE"], include_in_schema=False)
