"""PostHog's capture endpoints: how SDKs send events in.

``/capture/``, ``/e/``, ``/i/v0/e/``, ``/track/`` and ``/engage/`` take one event (or a list,
as posthog-js sends); ``/batch/`` takes ``{"api_key", "batch": [...]}``. Each answers POST
and GET (``?data=``, as old SDKs and pixels send), and OPTIONS with PostHog capture's
permissive CORS (the origin and the asked headers mirrored, credentials allowed), as
posthog-js in a browser needs. The project token in the body
(``api_key``, ``token``, or ``properties.token``) says which project; it is public and grants
no read access, so no personal API key is involved. Bodies may be gzipped
(``Content-Encoding: gzip`` or ``?compression=gzip-js``) or, as old SDKs send them,
form-encoded ``data=<base64 JSON>``.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tui.server.capture_json import parse_storable
from tui.server.elements import chain_from_capture
from tui.server.errors import ApiProblem
from tui.server.event_query import as_text
from tui.server.http import add_route
from tui.server.limits import MAX_BODY_BYTES, inflated_too_large
from tui.server.store import accounts
from tui.server.store import events as store
from tui.server.store.db import Database

router = APIRouter(tags=["capture"])

# PostHog's words for capture's failures.
MISSING_TOKEN = (
    "API key not provided. You can find your project API key in PostHog project settings."
)
INVALID_TOKEN = (
    "Project API key invalid. You can find your project API key in PostHog project settings."
)
# PostHog capture's words for a body without events.
EMPTY_BATCH = "request holds no event"
# Ingestion sets a timestamp further ahead than this to the time it arrived.
FUTURE_LIMIT = timedelta(hours=23)
# zlib's window bits for gzip framing (16 + the largest window).
GZIP_WBITS = 16 + zlib.MAX_WBITS
# PostHog refuses distinct ids longer than this.
MAX_DISTINCT_ID_LENGTH = 200
# What capture takes out of an event's properties: the id and the token are fields of their
# own, and autocapture's $elements become the event's elements_chain.
NOT_PROPERTIES = ("distinct_id", "token", "$elements")
# A uuid as str(uuid.UUID(...)) spells it.
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _problem(status: int, type_: str, code: str, detail: str) -> ApiProblem:
    return ApiProblem(status, type_, code, detail)


def malformed(reason: str) -> ApiProblem:
    return _problem(400, "validation_error", "invalid_payload", f"Malformed request data: {reason}")


def invalid_event(reason: str) -> ApiProblem:
    return _problem(400, "validation_error", "invalid_payload", f"Invalid payload: {reason}")


def missing_token() -> ApiProblem:
    return _problem(401, "authentication_error", "missing_api_key", MISSING_TOKEN)


def empty_batch() -> ApiProblem:
    return _problem(400, "validation_error", "invalid_payload", EMPTY_BATCH)


# --------------------------------------------------------------------------- reading the body


def decode(raw: bytes, request: Request) -> Any:
    """The JSON the SDK sent, however it was wrapped (a GET sends it as ``?data=``)."""
    if request.method == "GET":
        data = request.query_params.get("data", "")
        raw = _form_data(f"data={quote(data)}".encode()) if data else b""
    compression = request.query_params.get("compression", "")
    encoding = request.headers.get("content-encoding", "").lower()
    if encoding == "gzip" or compression == "gzip-js":
        raw = inflate(raw, GZIP_WBITS)
    elif encoding == "deflate":  # zlib-wrapped, as posthog-python's v1 and posthog-go send
        raw = inflate(raw, zlib.MAX_WBITS)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        raw = _form_data(raw)
    if not raw.strip():
        raise malformed("the body is empty")
    try:
        payload, problem = parse_storable(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise malformed(f"the body is not JSON ({exc})") from None
    except RecursionError:
        raise malformed("the body's JSON is nested too deeply") from None
    if problem is not None:
        raise malformed(problem)
    return payload


def inflate(raw: bytes, wbits: int) -> bytes:
    """Inflate a gzip body (one member or several) or a zlib one to at most
    MAX_BODY_BYTES: a few kilobytes of either can inflate to gigabytes."""
    out = bytearray()
    try:
        while raw:
            inflater = zlib.decompressobj(wbits=wbits)
            out += inflater.decompress(raw, MAX_BODY_BYTES + 1 - len(out))
            if len(out) > MAX_BODY_BYTES:
                raise inflated_too_large()
            if not inflater.eof:
                raise malformed("the body is not valid gzip or deflate")
            raw = inflater.unused_data
    except zlib.error:
        raise malformed("the body is not valid gzip or deflate") from None
    return bytes(out)


def _form_data(raw: bytes) -> bytes:
    """The JSON of a form body: ``data=`` holding base64 or plain JSON, as old SDKs send.

    ``curl -d '{...}'`` also sends JSON labelled as a form (with no ``data`` field); that is
    taken as the JSON it is, where PostHog would refuse it.
    """
    fields = parse_qs(raw.decode("utf-8", "replace"))
    if not fields.get("data"):
        return raw
    data = fields["data"][0]
    if data.lstrip().startswith(("{", "[")):
        return data.encode()
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise malformed("data is neither JSON nor base64") from None


def events_and_token(payload: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The events of a single-event, ``batch`` or bare-list body, and the token it names."""
    token: Any = None
    if isinstance(payload, dict):
        token = payload.get("api_key") or payload.get("token")
        items = payload.get("batch", [payload])
    elif isinstance(payload, list):
        items = payload
    else:
        raise malformed("expected a JSON object or a list of events")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise malformed("batch must be a list of event objects")
    if not items:
        raise empty_batch()
    if not token:
        for item in items:
            properties = item.get("properties")
            token = item.get("api_key") or item.get("token")
            if not token and isinstance(properties, dict):
                token = properties.get("token")
            if token:
                break
    return items, token if isinstance(token, str) and token else None


def moment(value: Any) -> datetime | None:
    """An ISO 8601 moment in UTC (naive means UTC); None when ``value`` is none."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _timestamp(item: dict[str, Any], now: datetime, sent_at: datetime | None) -> datetime:
    """The event's moment, as PostHog's ingestion reads it: ``timestamp`` (naive means
    UTC), moved by the sender's clock skew when ``sent_at`` says when it was sent (unless
    ``$ignore_sent_at``); else now minus ``offset`` ms; else now. An unreadable timestamp is
    now, and one more than :data:`FUTURE_LIMIT` ahead is now (ingestion's
    ``event_timestamp_in_future`` rule)."""
    properties = item.get("properties")
    if isinstance(properties, dict) and properties.get("$ignore_sent_at"):
        sent_at = None
    when = moment(item.get("timestamp"))
    offset = item.get("offset")
    if when is not None:
        if sent_at is not None:
            when = now + (when - sent_at)
    elif isinstance(offset, int | float) and not isinstance(offset, bool) and offset >= 0:
        when = now - timedelta(milliseconds=offset)
    else:
        when = now
    return now if when - now > FUTURE_LIMIT else when


def new_event(item: dict[str, Any], now: datetime, sent_at: datetime | None) -> store.NewEvent:
    name = item.get("event")
    if not isinstance(name, str) or not name:
        raise invalid_event('All events must have the event name field "event"!')
    properties = item.get("properties") or {}
    if not isinstance(properties, dict):
        raise invalid_event('"properties" must be an object')
    distinct_id = item.get("distinct_id")
    if distinct_id is None or distinct_id == "":
        distinct_id = properties.get("distinct_id")
    if distinct_id is None or isinstance(distinct_id, dict | list):
        distinct_id = ""
    distinct_id = as_text(distinct_id)
    if distinct_id == "":
        raise invalid_event('All events must have the event field "distinct_id"!')
    distinct_id = distinct_id[:MAX_DISTINCT_ID_LENGTH]
    # Ingestion keeps autocapture's $elements as the event's elements_chain, not a property.
    chain = chain_from_capture(properties.get("$elements"))
    # Most events hold none of these: their properties are kept as parsed, not copied.
    if "distinct_id" in properties or "token" in properties or "$elements" in properties:
        properties = {k: v for k, v in properties.items() if k not in NOT_PROPERTIES}
    # Old SDKs send $set / $set_once next to the properties rather than in them.
    if "$set" in item or "$set_once" in item:
        beside = {
            key: item[key]
            for key in ("$set", "$set_once")
            if isinstance(item.get(key), dict) and key not in properties
        }
        properties = {**properties, **beside}
    event_uuid = item.get("uuid")
    if event_uuid is None:
        event_uuid = str(uuid.uuid4())
    elif not (isinstance(event_uuid, str) and CANONICAL_UUID.fullmatch(event_uuid)):
        # Any other spelling uuid.UUID reads (upper case, braces, no hyphens…) is stored in
        # the canonical one; a canonical id already is, and the check is much cheaper.
        try:
            event_uuid = str(uuid.UUID(str(event_uuid)))
        except ValueError:
            raise invalid_event(f"the event uuid {event_uuid!r} is not a UUID") from None
    return store.NewEvent(
        event=name,
        distinct_id=distinct_id,
        timestamp=_timestamp(item, now, moment(item.get("sent_at")) or sent_at),
        properties=properties,
        uuid=event_uuid,
        elements_chain=chain,
    )


# --------------------------------------------------------------------------- the endpoints


def project_for(db: Database, token: str) -> int:
    with db.read() as conn:
        project_id = accounts.project_for_token(conn, token)
    if project_id is None:
        raise _problem(401, "authentication_error", "invalid_api_key", INVALID_TOKEN)
    return project_id


def store_events(db: Database, project_id: int, events: list[store.NewEvent]) -> None:
    with db.write() as conn:
        store.insert_events(conn, project_id, events)


def ingest(db: Database, raw: bytes, request: Request) -> None:
    """Read, check and store a capture body, or raise PostHog's problem with it."""
    payload = decode(raw, request)
    items, token = events_and_token(payload)
    if token is None:
        raise missing_token()
    # The token is checked before the events, as PostHog does: a stranger learns nothing
    # about what it sent.
    project_id = project_for(db, token)
    now = datetime.now(UTC)
    sent_at = moment(payload.get("sent_at")) if isinstance(payload, dict) else None
    events = [new_event(item, now, sent_at) for item in items]
    store_events(db, project_id, events)


async def capture(request: Request) -> JSONResponse:
    """Take one event, a list of them, or a ``batch``; answers ``{"status": 1}``."""
    raw = await request.body()
    # All of it off the event loop, in one hop to a worker thread: SQLite blocks, and
    # parsing a batch of a thousand events takes tens of milliseconds, which would hold up
    # every other request; a hop per step cost a single event's request a tenth of its time.
    await run_in_threadpool(ingest, request.app.state.db, raw, request)
    return JSONResponse({"status": 1})


class CaptureAccepted(BaseModel):
    status: int


# What SDKs send, documented for readers and fuzzers: the handler reads the raw body, as it
# may also come gzipped or form-encoded.
_EVENT_PROPERTIES: dict[str, Any] = {
    "api_key": {"type": "string"},
    "event": {"type": "string"},
    "distinct_id": {"type": "string"},
    "properties": {"type": "object"},
    "timestamp": {"type": "string"},
}
_EVENT: dict[str, Any] = {"type": "object", "properties": _EVENT_PROPERTIES}
CAPTURE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {
                            "type": "object",
                            "properties": _EVENT_PROPERTIES
                            | {"batch": {"type": "array", "items": _EVENT}},
                        },
                        {"type": "array", "items": _EVENT},
                    ]
                }
            }
        },
    }
}

# The paths PostHog's capture serves events on (rust/capture/src/router.rs).
CAPTURE_PATHS = ("/capture", "/e", "/i/v0/e", "/track", "/engage", "/batch")

for _path in CAPTURE_PATHS:
    # One route per method: FastAPI names an operation by its route's first method only.
    add_route(
        router,
        _path,
        capture,
        methods=["POST"],
        response_model=CaptureAccepted,
        openapi_extra=CAPTURE_BODY,
    )
    add_route(
        router,
        _path,
        capture,
        methods=["GET"],
        response_model=CaptureAccepted,
        openapi_extra={
            "parameters": [
                {
                    "name": "data",
                    "in": "query",
                    "required": True,
                    "description": "The event or batch as JSON, or base64 of it",
                    "schema": {"type": "string"},
                }
            ]
        },
    )
