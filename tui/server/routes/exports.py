"""``exports/``: create an export of an insight, a dashboard or an API query, list the
caller's own, read one, and download its content.

Validation follows PostHog's serializer: its fields are checked in their declared order
(dashboard, insight, export_format, export_context) and the first problem is answered;
only then does "one of dashboard, insight, export_context" apply. There is no update or
delete: PATCH, PUT and DELETE answer 405.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from tui.models.exports import ExportCreate, ExportedAsset, ExportFormat, ExportPage
from tui.server.auth import Access, requires
from tui.server.errors import ApiProblem, ProblemBody, invalid, not_found
from tui.server.export_jobs import ExportJobs
from tui.server.exporting.naming import expires_after, export_filename
from tui.server.http import add_route, body_schema, json_object, page_body, page_window, str_to_bool
from tui.server.store import exports as store
from tui.server.store import insights as insight_store
from tui.server.store.db import Database
from tui.server.store.file_system import format_time
from tui.server.url_safety import url_refusal

router = APIRouter(tags=["exports"])

Read = Annotated[Access, Depends(requires("export:read"))]
Write = Annotated[Access, Depends(requires("export:write"))]
OptionalJsonBody = Annotated[Any, Body()]

REQUIRED_TARGET = "Either dashboard, insight or export_context is required for an export."
# An export of an API path replays it as a GET (PostHog's validate()).
GET_ONLY = "Exports from API endpoints only support GET requests without a request body."

# The scope each kind of target needs besides export:write. An export_context names an
# API query, so it needs what running that query needs.
TARGET_SCOPES = {"dashboard": "dashboard:read", "insight": "insight:read"}
QUERY_SCOPE = "query:read"


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _jobs(request: Request) -> ExportJobs:
    jobs: ExportJobs = request.app.state.export_jobs
    return jobs


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Target:
    """What a valid create asks to export (rows as the store found them)."""

    dashboard: sqlite3.Row | None = None
    insight: sqlite3.Row | None = None
    export_context: dict[str, Any] | None = None


def _require_scope(access: Access, scope: str) -> None:
    if not access.caller.has_scope(scope):
        raise ApiProblem(
            403,
            "authentication_error",
            "permission_denied",
            f"API key missing required scope '{scope}'",
        )


def _check_target_scopes(access: Access, body: dict[str, Any]) -> None:
    """Before looking anything up, so a key cannot learn which ids exist where it may not read."""
    for field, scope in TARGET_SCOPES.items():
        if body.get(field) is not None:
            _require_scope(access, scope)
    context = body.get("export_context")
    if isinstance(context, dict) and (context.get("path") or context.get("source")):
        _require_scope(access, QUERY_SCOPE)


def _primary_key(value: Any, attr: str) -> int | None:
    """DRF's PrimaryKeyRelatedField: an integer or digit string; ``None`` is no target."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid(
            f"Incorrect type. Expected pk value, received {type(value).__name__}.",
            code="incorrect_type",
            attr=attr,
        )
    text = str(value).strip()
    if isinstance(value, str) and not (text.isascii() and text.lstrip("-").isdigit()):
        raise invalid(
            f"Incorrect type. Expected pk value, received {type(value).__name__}.",
            code="incorrect_type",
            attr=attr,
        )
    return int(text)


def _does_not_exist(value: Any, attr: str) -> ApiProblem:
    return invalid(
        f'Invalid pk "{value}" - object does not exist.', code="does_not_exist", attr=attr
    )


def _export_format(body: dict[str, Any]) -> ExportFormat:
    if "export_format" not in body:
        raise invalid("This field is required.", code="required", attr="export_format")
    value = body["export_format"]
    if value is None:
        raise invalid("This field may not be null.", code="null", attr="export_format")
    if isinstance(value, str):
        try:
            return ExportFormat(value)
        except ValueError:
            pass
    # DRF quotes the value as Python prints it ("True", not "true").
    raise invalid(f'"{value}" is not a valid choice.', code="invalid_choice", attr="export_format")


def _referenced(
    conn: sqlite3.Connection,
    access: Access,
    body: dict[str, Any],
    field: str,
    find: Callable[[sqlite3.Connection, int, int], sqlite3.Row | None],
) -> sqlite3.Row | int | None:
    """The row ``body[field]`` names, ``None`` when it names none, or its id when it lives
    in another project (PostHog's field finds it there; :func:`_validate` refuses it
    later); PostHog's "does not exist" when no project has it."""
    pk = _primary_key(body.get(field), field)
    if pk is None:
        return None
    row = find(conn, access.project_id, pk)
    if row is not None:
        return row
    if insight_store.in_another_project(conn, access.project_id, field, pk):
        return pk
    raise _does_not_exist(body[field], field)


def _validate(
    conn: sqlite3.Connection, access: Access, body: dict[str, Any]
) -> tuple[ExportFormat, Target]:
    # The fields first, in the serializer's order; then its validate(), in its order.
    dashboard = _referenced(conn, access, body, "dashboard", insight_store.find_dashboard)
    insight = _referenced(conn, access, body, "insight", insight_store.find_insight)
    chosen = _export_format(body)
    context = body.get("export_context")
    if context is not None and not isinstance(context, dict):
        # PostHog's JSONField takes any JSON here and its validate() then fails on .get (a
        # 500); this answers as a DictField would.
        raise invalid(
            f"Invalid data. Expected a dictionary, but got {type(context).__name__}.",
            attr="export_context",
        )
    if dashboard is None and insight is None and not context:
        raise invalid(REQUIRED_TARGET)
    for field, found in (("dashboard", dashboard), ("insight", insight)):
        if isinstance(found, int):
            raise invalid(f"This {field} does not belong to your team.", attr=field)
    asked = context or {}
    if asked.get("path") and (
        str(asked.get("method", "GET")).upper() != "GET" or asked.get("body") is not None
    ):
        raise invalid(GET_ONLY, attr="export_context")
    heatmap_url = asked.get("heatmap_url")
    if heatmap_url:
        refusal = url_refusal(str(heatmap_url))
        if refusal is not None:
            raise invalid(f"heatmap_url not allowed: {refusal}", attr="export_context")
    assert not isinstance(dashboard, int) and not isinstance(insight, int)
    return chosen, Target(dashboard=dashboard, insight=insight, export_context=context or None)


# --------------------------------------------------------------------------- handlers


def create_export(
    request: Request, access: Write, payload: OptionalJsonBody = None
) -> JSONResponse:
    """Create an export. Generated before answering (201, ``has_content`` true, or
    ``exception`` set), or, on a server started with an export delay, afterwards."""
    body = json_object(payload)
    _check_target_scopes(access, body)
    created = datetime.now(UTC)
    with _db(request).write() as conn:
        chosen, target = _validate(conn, access, body)
        named = target.dashboard if target.dashboard is not None else target.insight
        context_filename = (target.export_context or {}).get("filename")
        export_id = store.create_export(
            conn,
            store.NewExport(
                project_id=access.project_id,
                created_by=access.user_id,
                export_format=chosen.value,
                dashboard_id=None if target.dashboard is None else target.dashboard["id"],
                insight_id=None if target.insight is None else target.insight["id"],
                export_context=target.export_context,
                filename=export_filename(
                    chosen,
                    created,
                    name=None if named is None else str(named["name"]),
                    context_filename=context_filename
                    if isinstance(context_filename, str)
                    else None,
                ),
                created_at=format_time(created),
                expires_after=format_time(expires_after(chosen, created)),
            ),
        )
    _jobs(request).start(export_id)
    with _db(request).read() as conn:
        row = store.get_export(conn, access.project_id, access.user_id, export_id, at=_now())
        return JSONResponse(store.export_json(row), status_code=201)


def list_exports(request: Request, access: Read) -> JSONResponse:
    """The caller's own exports, newest first; ``?export_format=`` only those of a format."""
    limit, offset = page_window(request)
    with _db(request).read() as conn:
        count, rows = store.list_exports(
            conn,
            access.project_id,
            access.user_id,
            at=_now(),
            limit=limit,
            offset=offset,
            export_format=request.query_params.get("export_format") or None,
        )
    return JSONResponse(
        page_body(request, count, limit, offset, [store.export_json(row) for row in rows])
    )


def retrieve_export(request: Request, access: Read, export_id: str) -> JSONResponse:
    with _db(request).read() as conn:
        row = store.get_export(conn, access.project_id, access.user_id, export_id, at=_now())
    return JSONResponse(store.export_json(row))


def export_content(
    request: Request, access: Read, export_id: str, download: str | None = None
) -> Response:
    """The exported file. Not made (yet, or ever): 404 ``Not found.``, as PostHog's newest
    code answers; the asset itself says which (``has_content``, ``exception``)."""
    with _db(request).read() as conn:
        row = store.get_export(
            conn, access.project_id, access.user_id, export_id, at=_now(), with_content=True
        )
    if row["content"] is None:
        raise not_found()
    headers = {}
    if str_to_bool(download):
        headers["Content-Disposition"] = content_disposition(row["filename"])
    return Response(content=row["content"], media_type=row["export_format"], headers=headers)


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"``; a name that is not plain ASCII also goes as
    ``filename*`` (RFC 6266), and quotes or backslashes never reach the header."""
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    header = f'attachment; filename="{plain}"'
    if plain != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def _now() -> str:
    return format_time(datetime.now(UTC))


add_route(
    router,
    "/exports",
    create_export,
    methods=["POST"],
    status_code=201,
    response_model=ExportedAsset,
    openapi_extra=body_schema(ExportCreate),
)
add_route(router, "/exports", list_exports, methods=["GET"], response_model=ExportPage)
add_route(
    router, "/exports/{export_id}", retrieve_export, methods=["GET"], response_model=ExportedAsset
)
add_route(
    router,
    "/exports/{export_id}/content",
    export_content,
    methods=["GET"],
    response_class=Response,
    responses={
        200: {"description": "The exported file, in its format"},
        404: {
            "model": ProblemBody,
            "description": "not made yet, or failed: the asset's has_content and exception say",
        },
    },
)
