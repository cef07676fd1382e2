"""``file_system/``: the project tree. Thin handlers: read the request, call the store inside
one transaction, shape the answer."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from tui import paths
from tui.models import (
    CountResponse,
    DeleteResponse,
    EntryCreate,
    EntryUpdate,
    FileSystemEntry,
    FileSystemListQuery,
    FileSystemPage,
    NewPath,
    UndoRequest,
    UndoResponse,
    UnfiledResponse,
)
from tui.server import limits
from tui.server.auth import Access, requires
from tui.server.errors import bare_400, invalid, method_not_allowed
from tui.server.http import (
    BARE_400,
    add_route,
    body_schema,
    json_object,
    page_body,
    page_window,
    validate_body,
)
from tui.server.store import accounts, view_log
from tui.server.store import file_system as store
from tui.server.store.db import Database

router = APIRouter(tags=["file_system"])

Read = Annotated[Access, Depends(requires("file_system:read"))]
Write = Annotated[Access, Depends(requires("file_system:write"))]
# ``order_by`` values that list Recents (from the view log) instead of the tree.
RECENTS_ORDERINGS = ("-last_viewed_at", "last_viewed_at")
# A move rewrites every descendant in five indexes: 100,000 of them fit in this page cache,
# where SQLite's default 2 MB evicts and reads pages again (halves a big move's time).
SUBTREE_CACHE_KIB = 128 * 1024
# Bodies are validated by hand so that errors come out in PostHog's format.
OptionalJsonBody = Annotated[Any, Body()]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


# --------------------------------------------------------------------------- collection


def list_file_system(
    request: Request,
    access: Read,
    query: Annotated[FileSystemListQuery, Query()],
    # Read by page_window (as DRF reads them); declared so the schema documents them.
    limit: Annotated[str | None, Query()] = None,
    offset: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """List entries. Pair ``parent`` with ``depth`` for a folder's direct children.
    ``order_by=-last_viewed_at`` (or ``last_viewed_at``) lists the caller's Recents."""
    if query.order_by in RECENTS_ORDERINGS:
        return _recents(request, access, query)
    page_limit, page_offset = page_window(request)
    with _db(request).read() as conn:
        count, rows = store.list_entries(
            conn,
            access.project_id,
            query,
            limit=page_limit,
            offset=page_offset,
            caller_id=access.user_id,
        )
        users = accounts.users_json(conn, store.creator_ids(rows))
    body = page_body(request, count, page_limit, page_offset, [store.entry_json(r) for r in rows])
    body["users"] = users
    return JSONResponse(body)


def _recents(request: Request, access: Access, query: FileSystemListQuery) -> JSONResponse:
    """PostHog's Recents: the entries of what the caller viewed last, one page, no offset
    (see :func:`view_log.recents` for which filters apply)."""
    limit = view_log.recents_limit(request.query_params.get("limit"))
    viewer = view_log.Viewer(project_id=access.project_id, user_id=access.user_id)
    with _db(request).read() as conn:
        found = view_log.recents(
            conn,
            viewer,
            query,
            limit=limit,
            descending=query.order_by == "-last_viewed_at",
        )
        rows = [row for row, _ in found]
        users = accounts.users_json(conn, store.creator_ids(rows))
    results = [store.entry_json(row, last_viewed_at=viewed_at) for row, viewed_at in found]
    return JSONResponse(
        {"count": len(results), "next": None, "previous": None, "results": results, "users": users}
    )


def create_file_system(
    request: Request, access: Write, payload: OptionalJsonBody = None
) -> JSONResponse:
    limits.check_meta(payload)
    entry = validate_body(EntryCreate, payload)
    if not entry.path.strip():
        raise invalid("This field may not be blank.", code="blank", attr="path")
    limits.check_path(entry.path, "path")
    with _db(request).write() as conn:
        row = store.create_entry(
            conn,
            access.project_id,
            path=entry.path,
            type=entry.type,
            ref=entry.ref,
            href=entry.href,
            meta=entry.meta,
            shortcut=entry.shortcut,
            created_by=access.user_id,
        )
    return JSONResponse(store.entry_json(row), status_code=201)


def count_by_path(request: Request, access: Read, path: str | None = None) -> JSONResponse:
    """Count everything under ``path`` at any depth; the first 200 entries come along."""
    if not path:
        raise bare_400("path parameter is required")
    with _db(request).read() as conn:
        total, rows = store.descendants(
            conn, access.project_id, path, limit=store.COUNT_PREVIEW_LIMIT
        )
    return JSONResponse(_count_body(total, rows))


def undo_delete(request: Request, access: Write, payload: OptionalJsonBody = None) -> JSONResponse:
    body = validate_body(UndoRequest, payload)
    for index, item in enumerate(body.items):
        if item.path:
            limits.check_path(item.path, f"items__{index}__path")
    with _db(request).write() as conn:
        undone = store.undo_delete(
            conn, access.project_id, [item.model_dump() for item in body.items], access.user_id
        )
    return JSONResponse({"undone": undone})


def unfiled(request: Request, access: Read, type: str | None = None) -> JSONResponse:
    """File every object that has no entry under ``Unfiled/<Plural>/``; ``type`` files one
    kind (``hog_function``: every kind of hog function). PostHog counts this a read (its
    scope is ``file_system:read``), though it writes."""
    with _db(request).write() as conn:
        # DRF trims a query's text, as it does every CharField's.
        requested = type.strip() if type is not None else None
        created = store.file_unfiled(conn, access.project_id, requested, access.user_id)
    return JSONResponse({"count": created})


# --------------------------------------------------------------------------- one entry


def retrieve(request: Request, access: Read, entry_id: str) -> JSONResponse:
    with _db(request).read() as conn:
        return JSONResponse(store.entry_json(store.get_row(conn, access.project_id, entry_id)))


def _update(
    request: Request, access: Access, entry_id: str, payload: Any, *, full: bool
) -> JSONResponse:
    limits.check_meta(payload)
    changes = validate_body(EntryUpdate, payload).model_dump(exclude_unset=True)
    if "path" in changes and changes["path"] is None:
        raise invalid("This field may not be null.", code="null", attr="path")
    if full and "path" not in changes:
        raise invalid("This field is required.", code="required", attr="path")
    if "path" in changes and not changes["path"].strip():
        raise invalid("This field may not be blank.", code="blank", attr="path")
    if "path" in changes:
        limits.check_path(changes["path"], "path")
    if "type" in changes and changes["type"] is None:
        raise invalid("This field may not be null.", code="null", attr="type")
    with _db(request).write() as conn:
        row = store.update_entry(conn, access.project_id, entry_id, changes)
    return JSONResponse(store.entry_json(row))


def partial_update(
    request: Request, access: Write, entry_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    """Change the given fields. A new ``path`` moves only this row: use ``move`` for folders."""
    return _update(request, access, entry_id, payload, full=False)


def update(
    request: Request, access: Write, entry_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    return _update(request, access, entry_id, payload, full=True)


def destroy(request: Request, access: Write, entry_id: str) -> Response:
    """Delete an entry (a folder with everything in it). When the last entry of an object
    goes, the object goes too, and the answer lists it for ``undo_delete``."""
    with _db(request).write() as conn:
        deleted = store.delete_entry(conn, access.project_id, entry_id)
    if deleted:
        return JSONResponse({"deleted": deleted}, status_code=200)
    return Response(status_code=204)


def count(request: Request, access: Read, entry_id: str) -> JSONResponse:
    with _db(request).read() as conn:
        total, rows = store.count_descendants(conn, access.project_id, entry_id)
    return JSONResponse(_count_body(total, rows))


def _count_body(total: int, rows: list[Any]) -> dict[str, Any]:
    return {
        "count": total,
        "entries": [store.entry_json(r) for r in rows],
        "has_more": total > len(rows),
    }


def _new_path(payload: Any) -> str:
    new_path = json_object(payload).get("new_path")
    if not new_path:
        raise bare_400("new_path is required")
    if not isinstance(new_path, str):
        raise limits.path_not_a_string()
    limits.check_path(new_path, None)  # PostHog's attr is null here
    return new_path


def _check_subtree_fits(
    conn: sqlite3.Connection, project_id: int, entry_id: str, new_path: str
) -> None:
    """A folder moved or linked to ``new_path`` takes its subtree along: every path inside
    it must stay storable (PostHog checks none of them: see limits.MAX_INSIDE_LENGTH)."""
    row = store.get_row(conn, project_id, entry_id)
    if row["type"] != "folder":
        return
    longest, deepest = store.subtree_extent(conn, project_id, row["path"])
    if longest:
        limits.check_inside_size(
            longest - len(row["path"]) + len(new_path),
            deepest - paths.depth(row["path"]) + paths.depth(new_path),
            "new_path",
        )


def link(
    request: Request, access: Write, entry_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    """Create a shortcut of an item, or of a folder and everything in it, at ``new_path``."""
    new_path = _new_path(payload)
    with _db(request).write() as conn:
        _check_subtree_fits(conn, access.project_id, entry_id, new_path)
        row = store.link_entry(conn, access.project_id, entry_id, new_path)
    return JSONResponse(store.entry_json(row))


def move(
    request: Request, access: Write, entry_id: str, payload: OptionalJsonBody = None
) -> JSONResponse:
    """Move or rename an entry; a folder's whole subtree follows in one transaction."""
    new_path = _new_path(payload)
    with _db(request).write(cache_kib=SUBTREE_CACHE_KIB) as conn:
        _check_subtree_fits(conn, access.project_id, entry_id, new_path)
        row = store.move_entry(conn, access.project_id, entry_id, new_path)
    return JSONResponse(store.entry_json(row))


# Static paths first: `file_system/{entry_id}` would otherwise swallow `unfiled`.
add_route(
    router,
    "/file_system",
    list_file_system,
    methods=["GET"],
    response_model=FileSystemPage,
    response_model_exclude_unset=True,
)
add_route(
    router,
    "/file_system",
    create_file_system,
    methods=["POST"],
    status_code=201,
    response_model=FileSystemEntry,
    openapi_extra=body_schema(EntryCreate),
)
add_route(
    router,
    "/file_system/count_by_path",
    count_by_path,
    methods=["POST"],
    response_model=CountResponse,
    responses=BARE_400,
)
add_route(
    router,
    "/file_system/undo_delete",
    undo_delete,
    methods=["POST"],
    response_model=UndoResponse,
    openapi_extra=body_schema(UndoRequest),
)
add_route(router, "/file_system/unfiled", unfiled, methods=["GET"], response_model=UnfiledResponse)


def wrong_method(request: Request) -> Response:
    """405 for a method an action path does not take (after authentication, as PostHog),
    rather than reading the action's name as an entry id."""
    request.app.state.authenticator.authenticate(request)
    path = request.url.path.rstrip("/")
    allowed = next(
        (methods for action, methods in ACTION_METHODS.items() if path.endswith(action)), None
    )
    raise method_not_allowed(request.method, ", ".join((*allowed, "OPTIONS")) if allowed else None)


# The actions that are not entries, and the methods each takes.
ACTION_METHODS: dict[str, tuple[str, ...]] = {
    "/file_system/count_by_path": ("POST",),
    "/file_system/undo_delete": ("POST",),
    "/file_system/unfiled": ("GET",),
}
for _path, _methods in ACTION_METHODS.items():
    add_route(
        router,
        _path,
        wrong_method,
        methods=sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - set(_methods)),
        include_in_schema=False,
    )
add_route(
    router, "/file_system/{entry_id}", retrieve, methods=["GET"], response_model=FileSystemEntry
)
add_route(
    router,
    "/file_system/{entry_id}",
    partial_update,
    methods=["PATCH"],
    response_model=FileSystemEntry,
    openapi_extra=body_schema(EntryUpdate),
)
add_route(
    router,
    "/file_system/{entry_id}",
    update,
    methods=["PUT"],
    response_model=FileSystemEntry,
    openapi_extra=body_schema(EntryCreate),
)
add_route(
    router,
    "/file_system/{entry_id}",
    destroy,
    methods=["DELETE"],
    responses={200: {"model": DeleteResponse}, 204: {"description": "Deleted"}},
)
add_route(
    router,
    "/file_system/{entry_id}/count",
    count,
    methods=["POST"],
    response_model=CountResponse,
    responses=BARE_400,
)
add_route(
    router,
    "/file_system/{entry_id}/link",
    link,
    methods=["POST"],
    response_model=FileSystemEntry,
    responses=BARE_400,
    openapi_extra=body_schema(NewPath),
)
add_route(
    router,
    "/file_system/{entry_id}/move",
    move,
    methods=["POST"],
    response_model=FileSystemEntry,
    responses=BARE_400,
    openapi_extra=body_schema(NewPath),
)
