"""``file_system_shortcut/``: the caller's own Shortcuts (starred items) in a project.

Thin handlers over ``store/shortcuts.py``. ``reorder/`` and ``bulk_update/`` exist in
PostHog but are in none of its viewset's scope lists, so PostHog refuses every personal API
key there; the local server knows only such keys, so they always answer that 403 (the
store's ``reorder`` and ``bulk_update`` hold what they would do).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from tui.models.shortcuts import (
    Shortcut,
    ShortcutBulkUpdate,
    ShortcutCreate,
    ShortcutPage,
    ShortcutReorder,
    ShortcutUpdate,
)
from tui.server.auth import Access, Caller, no_personal_keys, requires
from tui.server.errors import invalid, method_not_allowed
from tui.server.http import add_route, body_schema, page_body, page_window, validate_body
from tui.server.store import shortcuts as store
from tui.server.store.db import Database

router = APIRouter(tags=["file_system_shortcut"])

Read = Annotated[Access, Depends(requires("file_system_shortcut:read"))]
Write = Annotated[Access, Depends(requires("file_system_shortcut:write"))]
Refused = Annotated[Caller, Depends(no_personal_keys)]
OptionalJsonBody = Annotated[Any, Body()]
# Fields that are strings and may not be null (``ref`` and ``href`` may be).
NOT_NULL = ("path", "type", "order")


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _owner(access: Access) -> store.Owner:
    return store.Owner(project_id=access.project_id, user_id=access.user_id)


def _check_fields(fields: dict[str, Any], *, path_required: bool) -> None:
    """What DRF's model serializer refuses beyond the types: null where the model has no
    null, a blank path, a missing path on create and PUT."""
    for name in NOT_NULL:
        if name in fields and fields[name] is None:
            raise invalid("This field may not be null.", code="null", attr=name)
    if path_required and "path" not in fields:
        raise invalid("This field is required.", code="required", attr="path")
    if "path" in fields and not fields["path"].strip():
        raise invalid("This field may not be blank.", code="blank", attr="path")


def list_shortcuts(
    request: Request,
    access: Read,
    ordering: Annotated[str | None, Query()] = None,
    # Read by page_window (as DRF reads them); declared so the schema documents them.
    limit: Annotated[str | None, Query()] = None,
    offset: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """The caller's shortcuts, by ``order`` then path; ``ordering=created_at`` (or
    ``-created_at``) by creation time."""
    page_limit, page_offset = page_window(request)
    with _db(request).read() as conn:
        total, rows = store.list_shortcuts(
            conn, _owner(access), ordering=ordering, limit=page_limit, offset=page_offset
        )
    results = [store.shortcut_json(row) for row in rows]
    return JSONResponse(page_body(request, total, page_limit, page_offset, results))


def create_shortcut(
    request: Request, access: Write, payload: OptionalJsonBody = None
) -> JSONResponse:
    """Star an item. The same item starred again answers the shortcut it already has."""
    body = validate_body(ShortcutCreate, payload)
    fields = body.model_dump(exclude_unset=True)
    _check_fields(fields, path_required=True)
    with _db(request).write() as conn:
        row, _ = store.create_shortcut(
            conn,
            _owner(access),
            path=body.path,
            type=body.type,
            ref=body.ref,
            href=body.href,
            order=body.order,
        )
    return JSONResponse(store.shortcut_json(row), status_code=201)


def retrieve_shortcut(request: Request, access: Read, shortcut_id: str) -> JSONResponse:
    with _db(request).read() as conn:
        row = store.get_shortcut(conn, _owner(access), shortcut_id)
    return JSONResponse(store.shortcut_json(row))


def _update(
    request: Request, access: Access, shortcut_id: str, payload: Any, *, full: bool
) -> JSONResponse:
    model = ShortcutCreate if full else ShortcutUpdate
    fields = validate_body(model, payload).model_dump(exclude_unset=True)
    _check_fields(fields, path_required=full)
    with _db(request).write() as conn:
        row = store.update_shortcut(conn, _owner(access), shortcut_id, fields)
    return JSONResponse(store.shortcut_json(row))


def partial_update_shortcut(
    request: Request, access: Write, shortcut_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    return _update(request, access, shortcut_id, payload, full=False)


def update_shortcut(
    request: Request, access: Write, shortcut_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    return _update(request, access, shortcut_id, payload, full=True)


def destroy_shortcut(request: Request, access: Write, shortcut_id: str) -> Response:
    with _db(request).write() as conn:
        store.delete_shortcut(conn, _owner(access), shortcut_id)
    return Response(status_code=204)


def refused(caller: Refused) -> Response:  # pragma: no cover - the dependency always raises
    """No personal API key may reorder or bulk-update shortcuts (see the module's doc)."""
    return Response(status_code=403)


def wrong_method(request: Request) -> Response:
    """405 for a method an action path does not take (after authentication, as PostHog),
    rather than reading the action's name as a shortcut id."""
    request.app.state.authenticator.authenticate(request)
    raise method_not_allowed(request.method, "POST, OPTIONS")


# Static paths first: `file_system_shortcut/{shortcut_id}` would otherwise swallow them.
add_route(
    router, "/file_system_shortcut", list_shortcuts, methods=["GET"], response_model=ShortcutPage
)
add_route(
    router,
    "/file_system_shortcut",
    create_shortcut,
    methods=["POST"],
    status_code=201,
    response_model=Shortcut,
    openapi_extra=body_schema(ShortcutCreate),
)
for _action, _model in (("reorder", ShortcutReorder), ("bulk_update", ShortcutBulkUpdate)):
    add_route(
        router,
        f"/file_system_shortcut/{_action}",
        refused,
        methods=["POST"],
        response_model=list[Shortcut],
        openapi_extra=body_schema(_model),
    )
    add_route(
        router,
        f"/file_system_shortcut/{_action}",
        wrong_method,
        methods=["GET", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
add_route(
    router,
    "/file_system_shortcut/{shortcut_id}",
    retrieve_shortcut,
    methods=["GET"],
    response_model=Shortcut,
)
add_route(
    router,
    "/file_system_shortcut/{shortcut_id}",
    partial_update_shortcut,
    methods=["PATCH"],
    response_model=Shortcut,
    openapi_extra=body_schema(ShortcutUpdate),
)
add_route(
    router,
    "/file_system_shortcut/{shortcut_id}",
    update_shortcut,
    methods=["PUT"],
    response_model=Shortcut,
    openapi_extra=body_schema(ShortcutCreate),
)
add_route(
    router,
    "/file_system_shortcut/{shortcut_id}",
    destroy_shortcut,
    methods=["DELETE"],
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted"}},
)
