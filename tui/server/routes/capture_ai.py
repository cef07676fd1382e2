"""PostHog capture's AI routes: LLM analytics events (``$ai_generation``, ``$ai_trace``…).

``POST /i/v0/ai/``: one event as ``multipart/form-data`` (rust/capture's ai_endpoint.rs): the
project token as ``Authorization: Bearer``, a first part ``event`` holding the event's JSON
(``event``, ``distinct_id``, ``uuid`` required; ``timestamp``, ``sent_at``, ``properties``
optional), an optional ``event.properties`` part holding the properties' JSON instead, and
blob parts ``event.properties.<name>`` holding one big property each (an LLM's input or
output). The answer lists the parts taken: ``{"accepted_parts": [{name, length,
content-type, content-encoding}]}``. PostHog uploads each blob to S3 and sets the property
to its URL; the local server has no S3 and sets it to the blob itself (parsed when it is
JSON, else its text, else a ``data:`` URL).

``POST /i/v0/ai/batch/``: what posthog-python's ``capture_ai()`` (and its AI wrappers with
``enable_full_ai_capture``) sends: a ``/batch/`` body whose events must all be AI events, as
capture-ai refuses the others.

Refusals keep the local capture routes' body (``{type, code, detail, attr}``, the token's
401s as theirs) with PostHog capture's status, code and words in ``detail``.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from tui.server.errors import ApiProblem
from tui.server.form_data import FormDataError, FormPart, boundary_of, parse_form_data
from tui.server.http import add_route, unstorable
from tui.server.routes import capture
from tui.server.routes.capture_v1 import bearer_token
from tui.server.store.db import Database

router = APIRouter(tags=["capture"])

PATH = "/i/v0/ai"
BATCH_PATH = "/i/v0/ai/batch"

# The events /i/v0/ai takes (ai_rejection.rs, ALLOWED_AI_EVENTS), in its order.
ALLOWED_AI_EVENTS = (
    "$ai_generation",
    "$ai_trace",
    "$ai_span",
    "$ai_embedding",
    "$ai_metric",
    "$ai_feedback",
)
# The AI lane's allowlist (PostHog's AI_EVENT_NAMES): what /i/v0/ai/batch takes.
AI_LANE_EVENTS = frozenset({*ALLOWED_AI_EVENTS, "$ai_evaluation"})

# ai_endpoint.rs's bounds: the event part, and the event with its properties part.
MAX_EVENT_PART_BYTES = 32 * 1024
MAX_EVENT_AND_PROPERTIES_BYTES = 1024 * 1024 - 64 * 1024
# The sum of all parts (25 MiB in PostHog) is not checked: the 20 MiB body limit
# (tui.server.limits) binds first, inflated gzip included.

EVENT = "event"
PROPERTIES = "event.properties"
BLOB_PREFIX = "event.properties."
BLOB_TYPES = ("application/octet-stream", "application/json", "text/plain")


# --------------------------------------------------------------------------- refusals


def _refusal(status: int, code: str, detail: str) -> ApiProblem:
    return ApiProblem(status, "validation_error", code, detail)


def decoding(message: str) -> ApiProblem:
    """The request's framing is wrong (CaptureError::RequestDecodingError)."""
    return _refusal(400, "request_decoding_error", f"failed to decode request: {message}")


def parsing(message: str) -> ApiProblem:
    """The framing parsed, what it holds is unusable (CaptureError::RequestParsingError)."""
    return _refusal(400, "request_parsing_error", f"failed to parse request: {message}")


def too_big(message: str) -> ApiProblem:
    return _refusal(413, "payload_too_large", f"maximum event size exceeded: {message}")


def empty_payload() -> ApiProblem:
    return _refusal(400, "empty_payload", "request missing data payload")


# --------------------------------------------------------------------------- /i/v0/ai


def _part_info(part: FormPart) -> dict[str, Any]:
    return {
        "name": part.name,
        "length": len(part.data),
        "content-type": part.content_type,
        "content-encoding": part.content_encoding,
    }


def _json_part(part: FormPart, what: str) -> Any:
    try:
        text = part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise parsing(f"{what} part must be valid UTF-8") from None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise parsing(f"{what} part must be valid JSON") from None
    problem = unstorable(value)
    if problem is not None:
        raise parsing(f"{what} part must be valid JSON") from None
    return value


def _check_blob(part: FormPart, seen: set[str]) -> str:
    """The property a blob part fills, once its name and type are as PostHog wants them."""
    field = part.name or ""
    name = field.removeprefix(BLOB_PREFIX)
    if "." in name:
        raise parsing(
            f"Blob property '{field}' contains nested properties (dots)."
            " Only top-level properties are allowed."
        )
    if field in seen:
        raise parsing(f"Duplicate blob property: {field}")
    if part.content_type is None:
        raise parsing(f"Missing required Content-Type header for blob part '{field}'")
    kind = part.content_type.lower()
    if kind not in BLOB_TYPES and not kind.startswith("text/plain;"):
        raise parsing(
            f"Unsupported content type for blob part '{field}': '{part.content_type}'."
            " Supported types: application/octet-stream, application/json, text/plain"
        )
    if not part.data:
        raise parsing(f"Blob part '{field}' cannot be empty (0 bytes)")
    seen.add(field)
    return name


def blob_value(part: FormPart) -> Any:
    """What a blob's property holds here (PostHog: the URL of the blob in S3): JSON parsed,
    text as text, other bytes as a ``data:`` URL."""
    data = part.data
    if (part.content_encoding or "").lower() == "gzip":
        data = capture.inflate(data, capture.GZIP_WBITS)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        kind = (part.content_type or "application/octet-stream").split(";")[0]
        return f"data:{kind};base64,{base64.b64encode(data).decode()}"
    if (part.content_type or "").lower().startswith("application/json"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return text
        return value if unstorable(value) is None else text
    return text


def _event_part(parts: list[FormPart]) -> dict[str, Any]:
    """The first part, which must be the event: an object with a name and a distinct id."""
    if not parts:
        raise parsing("Missing required 'event' part in multipart data")
    first = parts[0]
    if first.name != EVENT:
        raise parsing(f"First part must be 'event', got '{first.name or 'unknown'}'")
    if len(first.data) > MAX_EVENT_PART_BYTES:
        raise too_big(
            f"Event part size ({len(first.data)} bytes) exceeds maximum allowed size"
            f" ({MAX_EVENT_PART_BYTES} bytes)"
        )
    event = _json_part(first, "Event")
    if not isinstance(event, dict):
        raise parsing("Event must be a JSON object")
    if not isinstance(event.get("event"), str):
        raise parsing("Event missing 'event' field")
    if not isinstance(event.get("distinct_id"), str):
        raise parsing("Event missing 'distinct_id' field")
    return event


def _validated(event: dict[str, Any]) -> None:
    """ai_endpoint.rs's validate_event_structure, then the uuid, in its order."""
    name = event["event"]
    if not name:
        raise parsing("Event name cannot be empty")
    if name not in ALLOWED_AI_EVENTS:
        raise parsing(f"Event name must be one of: {', '.join(ALLOWED_AI_EVENTS)}, got '{name}'")
    if not event["distinct_id"]:
        raise parsing("distinct_id cannot be empty")
    properties = event.get("properties")
    if not isinstance(properties, dict):
        raise parsing("Event missing 'properties' field")
    if "$ai_model" not in properties:
        raise parsing("Event properties must contain '$ai_model'")
    if not isinstance(properties["$ai_model"], str):
        raise parsing("$ai_model must be a string")
    if not properties["$ai_model"]:
        raise parsing("$ai_model cannot be empty")
    event_uuid = event.get("uuid")
    if not isinstance(event_uuid, str):
        raise parsing("Event UUID is required")
    try:
        uuid.UUID(event_uuid)
    except ValueError as exc:
        raise parsing(f"Invalid UUID format: {exc}") from None


def read_ai_event(parts: list[FormPart]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The event the parts make (properties merged in, blobs set) and the parts' infos."""
    event = _event_part(parts)
    properties: Any = None
    blobs: dict[str, Any] = {}
    seen: set[str] = set()
    properties_size = 0
    for part in parts[1:]:
        if part.name == EVENT:
            raise parsing("Duplicate 'event' part found")
        if part.name == PROPERTIES:
            properties_size = len(part.data)
            properties = _json_part(part, "Properties")
        elif part.name is not None and part.name.startswith(BLOB_PREFIX):
            blobs[_check_blob(part, seen)] = part
        else:
            raise parsing(
                f"Unknown multipart field: '{part.name or 'unknown'}'. Expected 'event',"
                " 'event.properties', or 'event.properties.<property_name>'"
            )
    combined = len(parts[0].data) + properties_size
    if combined > MAX_EVENT_AND_PROPERTIES_BYTES:
        raise too_big(
            f"Combined event and properties size ({combined} bytes) exceeds maximum"
            f" allowed size ({MAX_EVENT_AND_PROPERTIES_BYTES} bytes)"
        )
    if properties is not None:
        if "properties" in event:
            raise parsing(
                "Event cannot have both embedded properties and a separate 'event.properties' part"
            )
        event["properties"] = properties
    event.setdefault("properties", {})
    _validated(event)
    for name, part in blobs.items():
        event["properties"][name] = blob_value(part)
    return event, [_part_info(part) for part in parts]


async def capture_ai(request: Request) -> JSONResponse:
    """Take one AI event as a multipart form; answers the parts taken."""
    raw = await request.body()
    if not raw:
        raise empty_payload()
    token = bearer_token(request)
    db: Database = request.app.state.db
    # The token first, as PostHog authenticates before any decompression or parsing.
    project_id = await run_in_threadpool(capture.project_for, db, token)
    if request.headers.get("content-encoding", "").lower() == "gzip":
        raw = capture.inflate(raw, capture.GZIP_WBITS)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise decoding("Content-Type must be multipart/form-data")
    try:
        boundary = boundary_of(content_type)
    except FormDataError as exc:
        raise decoding(f"Invalid boundary in Content-Type: {exc}") from None
    try:
        parts = parse_form_data(raw, boundary)
    except FormDataError as exc:
        raise decoding(f"Multipart parsing failed: {exc}") from None
    event, accepted = read_ai_event(parts)
    now = datetime.now(UTC)
    sent_at = capture.moment(event.get("sent_at"))
    item = {key: event.get(key) for key in ("event", "distinct_id", "uuid", "properties")}
    item["timestamp"] = event.get("timestamp") if isinstance(event.get("timestamp"), str) else None
    stored = capture.new_event(item, now, sent_at)
    await run_in_threadpool(capture.store_events, db, project_id, [stored])
    return JSONResponse({"accepted_parts": accepted})


# --------------------------------------------------------------------------- /i/v0/ai/batch


async def capture_ai_batch(request: Request) -> JSONResponse:
    """Take a ``/batch/`` body of AI events only; answers ``{"status": 1}``."""
    payload = capture.decode(await request.body(), request)
    items, token = capture.events_and_token(payload)
    if token is None:
        raise capture.missing_token()
    db: Database = request.app.state.db
    project_id = await run_in_threadpool(capture.project_for, db, token)
    now = datetime.now(UTC)
    sent_at = capture.moment(payload.get("sent_at")) if isinstance(payload, dict) else None
    events = [capture.new_event(item, now, sent_at) for item in items]
    for event in events:
        if event.event not in AI_LANE_EVENTS:
            # capture-ai refuses ordinary analytics (NonAiEventOnAiLane); the words are ours.
            raise parsing(f"event {event.event!r} is not an AI event; send it to /batch/")
    await run_in_threadpool(capture.store_events, db, project_id, events)
    return JSONResponse({"status": 1})


# --------------------------------------------------------------------------- documentation


class AcceptedPart(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str | None
    length: int
    content_type: str | None = Field(alias="content-type")
    content_encoding: str | None = Field(alias="content-encoding")


class AiAccepted(BaseModel):
    accepted_parts: list[AcceptedPart]


AI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["event"],
                    "properties": {
                        "event": {"type": "string", "description": "The event as JSON"},
                        "event.properties": {
                            "type": "string",
                            "description": "The properties as JSON (else in the event)",
                        },
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "event.properties.<name>: one property's blob",
                    },
                }
            }
        },
    }
}

add_route(
    router,
    PATH,
    capture_ai,
    methods=["POST"],
    response_model=AiAccepted,
    openapi_extra=AI_BODY,
)
add_route(
    router,
    BATCH_PATH,
    capture_ai_batch,
    methods=["POST"],
    response_model=capture.CaptureAccepted,
    openapi_extra=capture.CAPTURE_BODY,
)
