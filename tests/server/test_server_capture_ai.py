"""Capture's AI routes over real HTTP: ``/i/v0/ai/`` with real multipart bodies (httpx builds
them), ``/i/v0/ai/batch/`` through PostHog's own Python SDK, what each stores (read back
through ``events/``), and what each refuses in PostHog capture's words, storing nothing."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import httpx
import pytest
from posthog import Posthog
from support import ADMIN_KEY, LiveServer
from support.event_helpers import ago, iso, person_of, project_token, walk
from support.server_helpers import expect, module_api, module_server

from tui.server.routes.capture import INVALID_TOKEN, MISSING_TOKEN

AI_EVENTS = "$ai_generation, $ai_trace, $ai_span, $ai_embedding, $ai_metric, $ai_feedback"
# A part: (form name, bytes, its Content-Type or None, extra headers).
Part = tuple[str, bytes, str | None, dict[str, str]]


server = module_server("capture-ai")


api = module_api()


def event_json(**fields: Any) -> bytes:
    body = {
        "event": "$ai_generation",
        "distinct_id": "llm-user",
        "uuid": str(uuid.uuid4()),
        "timestamp": iso(ago(minutes=5)),
    }
    return json.dumps({**body, **fields}).encode()


def part(name: str, data: bytes, content_type: str | None = None, **headers: str) -> Part:
    return (name, data, content_type, headers)


def form(parts: list[Part], boundary: str = "hogtree-ai-boundary") -> tuple[bytes, str]:
    """A multipart/form-data body as SDKs send it, part by part (httpx's own ``files=``
    cannot send a part without a Content-Type, or two parts of one name, in any order)."""
    chunks = []
    for name, data, content_type, headers in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\n"
        head += "".join(f"{key.replace('_', '-')}: {value}\r\n" for key, value in headers.items())
        chunks.append(head.encode() + b"\r\n" + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post_ai(
    server: LiveServer,
    parts: list[Part],
    token: str | None = None,
    *,
    gzipped: bool = False,
) -> httpx.Response:
    body, content_type = form(parts)
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return httpx.post(f"{server.url}/i/v0/ai/", content=body, headers=headers, timeout=30)


def stored(api: httpx.Client, event_id: str) -> dict[str, Any]:
    return dict(expect(api.get(f"events/{event_id}/"), 200))


def count(api: httpx.Client) -> int:
    return len(walk(api, after="-30d"))


def test_an_event_with_its_properties_and_blobs_is_stored(
    server: LiveServer, api: httpx.Client
) -> None:
    event_id = str(uuid.uuid4())
    moment = iso(ago(minutes=3))
    messages = [{"role": "user", "content": "Hi"}]
    properties = {"$ai_model": "gpt-4o", "$ai_trace_id": "trace-1", "$ai_input_tokens": 12}
    parts = [
        part("event", event_json(uuid=event_id, timestamp=moment), "application/json"),
        part("event.properties", json.dumps(properties).encode(), "application/json"),
        part("event.properties.$ai_input", json.dumps(messages).encode(), "application/json"),
        part("event.properties.$ai_output", b"Hello there", "text/plain; charset=utf-8"),
    ]
    response = post_ai(server, parts, project_token(server))
    assert expect(response, 200) == {
        "accepted_parts": [
            {"name": name, "length": len(data), "content-type": kind, "content-encoding": None}
            for name, data, kind, _ in parts
        ]
    }
    event = stored(api, event_id)
    assert (event["event"], event["distinct_id"], event["timestamp"]) == (
        "$ai_generation",
        "llm-user",
        moment,
    )
    # Each blob is its property: the JSON parsed, the text as text (PostHog: an S3 URL).
    assert event["properties"] == {**properties, "$ai_input": messages, "$ai_output": "Hello there"}
    assert person_of(server, "llm-user") is not None  # ingested like any other event


def test_embedded_properties_a_gzipped_body_and_a_binary_blob(
    server: LiveServer, api: httpx.Client
) -> None:
    event_id = str(uuid.uuid4())
    embedded = {"$ai_model": "claude", "$ai_span_name": "tool"}
    binary = bytes([0, 159, 146, 150, 255])
    parts = [
        part("event", event_json(event="$ai_span", uuid=event_id, properties=embedded)),
        part("event.properties.$ai_output_state", binary, "application/octet-stream"),
        part(
            "event.properties.$ai_input_state",
            gzip.compress(b'{"step": 2}'),
            "application/json",
            Content_Encoding="gzip",
        ),
    ]
    response = post_ai(server, parts, project_token(server), gzipped=True)
    accepted = expect(response, 200)["accepted_parts"]
    assert [(p["name"], p["content-type"], p["content-encoding"]) for p in accepted] == [
        ("event", None, None),
        ("event.properties.$ai_output_state", "application/octet-stream", None),
        ("event.properties.$ai_input_state", "application/json", "gzip"),
    ]
    properties = stored(api, event_id)["properties"]
    assert properties == {
        **embedded,
        "$ai_output_state": "data:application/octet-stream;base64,AJ+Slv8=",
        "$ai_input_state": {"step": 2},
    }


def refusal(status: int, code: str, detail: str) -> tuple[int, dict[str, Any]]:
    return status, {"type": "validation_error", "code": code, "detail": detail, "attr": None}


def parsing(detail: str) -> tuple[int, dict[str, Any]]:
    return refusal(400, "request_parsing_error", f"failed to parse request: {detail}")


EVENT = part("event", event_json(properties={"$ai_model": "m"}))
PROPERTIES = part("event.properties", b'{"$ai_model": "m"}')
BARE_EVENT = part("event", event_json())

REFUSALS: dict[str, tuple[list[Part], tuple[int, dict[str, Any]]]] = {
    "first part not the event": (
        [PROPERTIES, BARE_EVENT],
        parsing("First part must be 'event', got 'event.properties'"),
    ),
    "no parts": ([], parsing("Missing required 'event' part in multipart data")),
    "event not JSON": ([part("event", b"{nope")], parsing("Event part must be valid JSON")),
    "event not an object": ([part("event", b"[1]")], parsing("Event must be a JSON object")),
    "no distinct id": (
        [part("event", b'{"event": "$ai_trace", "distinct_id": 7}')],
        parsing("Event missing 'distinct_id' field"),
    ),
    "not an AI event": (
        [part("event", event_json(event="$pageview", properties={"$ai_model": "m"}))],
        parsing(f"Event name must be one of: {AI_EVENTS}, got '$pageview'"),
    ),
    "no model": (
        [part("event", event_json(properties={}))],
        parsing("Event properties must contain '$ai_model'"),
    ),
    "model not a string": (
        [part("event", event_json(properties={"$ai_model": 4}))],
        parsing("$ai_model must be a string"),
    ),
    "no uuid": (
        [
            part(
                "event",
                b'{"event": "$ai_trace", "distinct_id": "d", "properties": {"$ai_model": "m"}}',
            )
        ],
        parsing("Event UUID is required"),
    ),
    "properties twice": (
        [EVENT, PROPERTIES],
        parsing(
            "Event cannot have both embedded properties and a separate 'event.properties' part"
        ),
    ),
    "two events": ([EVENT, EVENT], parsing("Duplicate 'event' part found")),
    "unknown part": (
        [EVENT, part("attachment", b"x")],
        parsing(
            "Unknown multipart field: 'attachment'. Expected 'event', 'event.properties',"
            " or 'event.properties.<property_name>'"
        ),
    ),
    "blob without a type": (
        [EVENT, part("event.properties.$ai_input", b"x")],
        parsing("Missing required Content-Type header for blob part 'event.properties.$ai_input'"),
    ),
    "blob of another type": (
        [EVENT, part("event.properties.$ai_input", b"x", "image/png")],
        parsing(
            "Unsupported content type for blob part 'event.properties.$ai_input': 'image/png'."
            " Supported types: application/octet-stream, application/json, text/plain"
        ),
    ),
    "empty blob": (
        [EVENT, part("event.properties.$ai_input", b"", "text/plain")],
        parsing("Blob part 'event.properties.$ai_input' cannot be empty (0 bytes)"),
    ),
    "nested blob": (
        [EVENT, part("event.properties.a.b", b"x", "text/plain")],
        parsing(
            "Blob property 'event.properties.a.b' contains nested properties (dots)."
            " Only top-level properties are allowed."
        ),
    ),
    "blob twice": (
        [EVENT, *[part("event.properties.$ai_input", b"x", "text/plain")] * 2],
        parsing("Duplicate blob property: event.properties.$ai_input"),
    ),
    "event part over 32 KiB": (
        [part("event", event_json(properties={"$ai_model": "m", "pad": "x" * 33_000}))],
        refusal(
            413,
            "payload_too_large",
            "maximum event size exceeded: Event part size (33203 bytes) exceeds maximum"
            " allowed size (32768 bytes)",
        ),
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_malformed_ai_request_is_refused_and_stores_nothing(
    server: LiveServer, api: httpx.Client, case: str
) -> None:
    parts, (status, body) = REFUSALS[case]
    before = count(api)
    response = post_ai(server, parts, project_token(server))
    got = expect(response, status)
    if case == "event part over 32 KiB":  # the uuid and timestamp vary the size a little
        assert got["detail"].startswith("maximum event size exceeded: Event part size (")
        assert got["detail"].endswith("exceeds maximum allowed size (32768 bytes)")
        assert {**got, "detail": ""} == {**body, "detail": ""}
    else:
        assert got == body
    assert count(api) == before


def test_framing_and_credentials_are_checked_first(server: LiveServer, api: httpx.Client) -> None:
    before = count(api)
    url = f"{server.url}/i/v0/ai/"
    token = project_token(server)
    body, content_type = form([EVENT])
    bearer = {"Authorization": f"Bearer {token}"}

    empty = httpx.post(url, content=b"", headers={**bearer, "Content-Type": content_type})
    assert expect(empty, 400) == refusal(400, "empty_payload", "request missing data payload")[1]
    for headers, detail in (
        ({}, MISSING_TOKEN),
        ({"Authorization": "Bearer phc_nobody_issued_this"}, INVALID_TOKEN),
        ({"Authorization": f"Bearer {ADMIN_KEY}"}, INVALID_TOKEN),  # a personal key is no token
    ):
        response = httpx.post(url, content=body, headers={**headers, "Content-Type": content_type})
        assert expect(response, 401)["detail"] == detail
    as_json = httpx.post(url, content=b"{}", headers={**bearer, "Content-Type": "application/json"})
    assert (
        expect(as_json, 400)
        == refusal(
            400,
            "request_decoding_error",
            "failed to decode request: Content-Type must be multipart/form-data",
        )[1]
    )
    no_boundary = httpx.post(
        url, content=body, headers={**bearer, "Content-Type": "multipart/form-data"}
    )
    assert expect(no_boundary, 400)["detail"].startswith(
        "failed to decode request: Invalid boundary in Content-Type: "
    )
    cut = httpx.post(url, content=body[:-30], headers={**bearer, "Content-Type": content_type})
    assert expect(cut, 400)["detail"].startswith(
        "failed to decode request: Multipart parsing failed: "
    )
    assert count(api) == before


def test_browsers_may_send_ai_events_from_any_origin(server: LiveServer) -> None:
    origin = "https://chat.example.com"
    for path in ("/i/v0/ai/", "/i/v0/ai/batch/"):
        preflight = httpx.options(
            f"{server.url}{path}",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
            timeout=30,
        )
        assert preflight.status_code == 200, path
        assert preflight.headers["access-control-allow-origin"] == origin
        assert "authorization" in preflight.headers["access-control-allow-headers"]


def test_the_python_sdk_sends_ai_events_to_the_ai_batch(
    server: LiveServer, api: httpx.Client
) -> None:
    """posthog-python's capture_ai() posts to /i/v0/ai/batch/ (never to the multipart
    route): the local server takes what it sends."""
    errors: list[Exception] = []
    client = Posthog(
        project_token(server),
        host=server.url,
        sync_mode=True,
        on_error=lambda error, _batch: errors.append(error),
    )
    event_id = client.capture_ai(
        "$ai_generation",
        distinct_id="sdk-llm-user",
        properties={"$ai_model": "gpt-4o-mini", "$ai_latency": 0.4},
    )
    client.shutdown()
    assert errors == [] and event_id is not None
    event = stored(api, event_id)
    assert (event["event"], event["distinct_id"]) == ("$ai_generation", "sdk-llm-user")
    assert event["properties"]["$ai_model"] == "gpt-4o-mini"
    assert event["properties"]["$lib"] == "posthog-python"


def test_the_ai_batch_takes_only_ai_events(server: LiveServer, api: httpx.Client) -> None:
    before = count(api)
    token = project_token(server)
    batch = [
        {"event": "$ai_trace", "distinct_id": "mixed", "properties": {"$ai_trace_id": "t"}},
        {"event": "$pageview", "distinct_id": "mixed"},
    ]
    response = httpx.post(
        f"{server.url}/i/v0/ai/batch/", json={"api_key": token, "batch": batch}, timeout=30
    )
    assert (
        expect(response, 400)
        == parsing("event '$pageview' is not an AI event; send it to /batch/")[1]
    )
    assert count(api) == before
    response = httpx.post(
        f"{server.url}/i/v0/ai/batch", json={"api_key": token, "batch": batch[:1]}, timeout=30
    )
    assert expect(response, 200) == {"status": 1}
    assert [event["event"] for event in walk(api, distinct_id="mixed")] == ["$ai_trace"]
