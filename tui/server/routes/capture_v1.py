"""PostHog's capture v1: ``POST /i/v1/analytics/events``, what posthog-python sends with
``capture_mode="v1"`` (and posthog-go's ``analytics_v1``).

Unlike ``/batch/``: the project token comes as ``Authorization: Bearer``, the body is
``{"created_at", "batch": [...], "historical_migration"?}`` (``created_at`` plays
``sent_at``'s part), each event carries typed ``options`` for what were ``$``-properties
(``process_person_profile``, ``disable_skew_correction``…) and ``session_id``/``window_id``
at its top level, and ``$lib``/``$lib_version`` come from the ``PostHog-Sdk-Info`` header.
The answer is per event: ``{"results": {uuid: {"result": "ok"}}}``.

Each event is turned back into the ``/batch/`` shape and stored by the same code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tui.server.http import add_route
from tui.server.routes import capture
from tui.server.store.db import Database

router = APIRouter(tags=["capture"])

PATH = "/i/v1/analytics/events"

# options → the $-property each stands for in the /batch/ shape.
OPTION_PROPERTIES = {
    "process_person_profile": "$process_person_profile",
    "disable_skew_correction": "$ignore_sent_at",
    "cookieless_mode": "$cookieless_mode",
    "product_tour_id": "$product_tour_id",
}
TOP_LEVEL_PROPERTIES = {"session_id": "$session_id", "window_id": "$window_id"}


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise capture.missing_token()
    return token.strip()


def _sdk_properties(request: Request) -> dict[str, str]:
    """``PostHog-Sdk-Info: posthog-python/7.91.1`` → ``$lib``, ``$lib_version``."""
    lib, _, version = request.headers.get("posthog-sdk-info", "").partition("/")
    found = {"$lib": lib.strip(), "$lib_version": version.strip()}
    return {key: value for key, value in found.items() if value}


def _as_batch_item(event: Any, sdk: dict[str, str]) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise capture.malformed("batch must be a list of event objects")
    properties = event.get("properties") or {}
    if not isinstance(properties, dict):
        raise capture.invalid_event('"properties" must be an object')
    properties = {**sdk, **properties}
    options = event.get("options") or {}
    if isinstance(options, dict):
        for option, key in OPTION_PROPERTIES.items():
            if option in options:
                properties[key] = options[option]
    for field, key in TOP_LEVEL_PROPERTIES.items():
        if isinstance(event.get(field), str):
            properties[key] = event[field]
    return {
        "event": event.get("event"),
        "uuid": event.get("uuid"),
        "distinct_id": event.get("distinct_id"),
        "timestamp": event.get("timestamp"),
        "properties": properties,
    }


async def capture_v1(request: Request) -> JSONResponse:
    """Take a v1 batch; answers each event's result by its uuid."""
    token = bearer_token(request)
    payload = capture.decode(await request.body(), request)
    if not isinstance(payload, dict) or not isinstance(payload.get("batch"), list):
        raise capture.malformed('expected {"batch": [...]}')
    sdk = _sdk_properties(request)
    items = [_as_batch_item(event, sdk) for event in payload["batch"]]
    if not items:
        raise capture.empty_batch()
    db: Database = request.app.state.db
    project_id = await run_in_threadpool(capture.project_for, db, token)
    now = datetime.now(UTC)
    sent_at = capture.moment(payload.get("created_at"))
    events = [capture.new_event(item, now, sent_at) for item in items]
    await run_in_threadpool(capture.store_events, db, project_id, events)
    return JSONResponse({"results": {event.uuid: {"result": "ok"} for event in events}})


class EventResult(BaseModel):
    result: str


class V1Accepted(BaseModel):
    results: dict[str, EventResult]


_V1_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string"},
        "uuid": {"type": "string"},
        "distinct_id": {"type": "string"},
        "timestamp": {"type": "string"},
        "options": {"type": "object"},
        "properties": {"type": "object"},
        "session_id": {"type": "string"},
        "window_id": {"type": "string"},
    },
}
V1_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "created_at": {"type": "string"},
                        "historical_migration": {"type": "boolean"},
                        "batch": {"type": "array", "items": _V1_EVENT},
                    },
                }
            }
        },
    }
}

add_route(
    router, PATH, capture_v1, methods=["POST"], response_model=V1Accepted, openapi_extra=V1_BODY
)
