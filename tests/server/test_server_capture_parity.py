"""Capture as PostHog's capture service and ingestion answer it: every route its SDKs send
to (GET too), CORS for browsers, an empty batch refused, the clock rules of ingestion,
alias and personless events, and capture v1 through the real ``posthog`` Python SDK."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from posthog import Posthog
from support import LiveServer
from support.event_helpers import ago, iso, page, person_of, project_token, sdk_event, walk
from support.server_helpers import expect


def send(server: LiveServer, path: str, body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, timeout=30)


def one_event(token: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"api_key": token, "event": name, "distinct_id": "d", **fields}


def stored_at(api: httpx.Client, name: str) -> datetime:
    (event,) = walk(api, event=name, before=iso(ago(days=-3)))
    return datetime.fromisoformat(event["timestamp"])


@pytest.mark.parametrize("path", ["/track/", "/engage/", "/track", "/engage"])
def test_the_other_sdk_routes_take_events(
    live_server: LiveServer, api: httpx.Client, path: str
) -> None:
    body = one_event(project_token(live_server), "tracked")
    assert expect(send(live_server, path, body), 200) == {"status": 1}
    assert [event["event"] for event in walk(api)] == ["tracked"]


def test_the_ai_lane_takes_a_batch_as_batch_does(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """posthog-node's ``captureAi`` sends ``/batch/``'s body to ``/i/v0/ai/batch/``, gzipped."""
    event_id = str(uuid.uuid4())
    generation = sdk_event("$ai_generation", "d", ago(minutes=1), event_id, **{"$ai_model": "m"})
    body = {"api_key": project_token(live_server), "batch": [generation], "sent_at": iso(ago())}
    response = httpx.post(
        f"{live_server.url}/i/v0/ai/batch/",
        content=gzip.compress(json.dumps(body).encode()),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert expect(response, 200) == {"status": 1}
    (event,) = walk(api)
    assert (event["id"], event["event"]) == (event_id, "$ai_generation")
    assert event["properties"]["$ai_model"] == "m"


def test_a_get_carries_the_event_in_data(live_server: LiveServer, api: httpx.Client) -> None:
    body = one_event(project_token(live_server), "pixel")
    data = base64.b64encode(json.dumps(body).encode()).decode()
    response = httpx.get(f"{live_server.url}/e/", params={"data": data}, timeout=30)
    assert expect(response, 200) == {"status": 1}
    assert [event["event"] for event in walk(api)] == ["pixel"]


@pytest.mark.parametrize("path", ["/batch/", "/e/"])
def test_an_empty_batch_is_a_400(live_server: LiveServer, api: httpx.Client, path: str) -> None:
    token = project_token(live_server)
    body: Any = {"api_key": token, "batch": []} if path == "/batch/" else []
    response = send(live_server, path, body)
    assert response.status_code == 400
    assert response.json()["detail"] == "request holds no event"


def test_capture_answers_browsers_from_any_origin(live_server: LiveServer) -> None:
    origin = "https://shop.example.com"
    preflight = httpx.options(
        f"{live_server.url}/i/v0/e/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-posthog-fancy",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "x-posthog-fancy" in preflight.headers["access-control-allow-headers"]
    sent = httpx.post(
        f"{live_server.url}/i/v0/e/",
        json=one_event(project_token(live_server), "from_js"),
        headers={"Origin": origin},
        timeout=30,
    )
    assert sent.headers["access-control-allow-origin"] == origin
    # The API itself answers no other origin: a personal key is not for browsers.
    api = httpx.get(
        f"{live_server.url}/api/projects/1/events/", headers={"Origin": origin}, timeout=30
    )
    assert "access-control-allow-origin" not in api.headers


def test_ingestion_corrects_the_senders_clock_and_caps_the_future(
    live_server: LiveServer, api: httpx.Client
) -> None:
    token = project_token(live_server)
    now = datetime.now(UTC)
    # A device whose clock runs 2 hours ahead: sent_at says when it thought it sent.
    ahead = now + timedelta(hours=2)
    batch = [
        {"event": "skewed", "properties": {"distinct_id": "d"}, "timestamp": iso(ahead)},
        {
            "event": "kept",
            "properties": {"distinct_id": "d", "$ignore_sent_at": True},
            "timestamp": iso(now - timedelta(hours=1)),
        },
    ]
    expect(
        send(live_server, "/batch/", {"api_key": token, "batch": batch, "sent_at": iso(ahead)}), 200
    )
    expect(
        send(
            live_server, "/e/", one_event(token, "future", timestamp=iso(now + timedelta(days=2)))
        ),
        200,
    )
    assert abs(stored_at(api, "skewed") - now) < timedelta(seconds=30)
    assert stored_at(api, "kept") == now - timedelta(hours=1)
    assert abs(stored_at(api, "future") - now) < timedelta(seconds=30)


def test_alias_makes_one_person_and_personless_events_make_none(
    live_server: LiveServer, api: httpx.Client
) -> None:
    token = project_token(live_server)
    steps = [
        one_event(token, "$pageview", distinct_id="anon-7"),
        one_event(token, "$pageview", distinct_id="user-7"),
        one_event(token, "$create_alias", distinct_id="user-7", properties={"alias": "anon-7"}),
        one_event(
            token, "ping", distinct_id="nobody", properties={"$process_person_profile": False}
        ),
    ]
    for minutes, step in zip((4, 3, 2, 1), steps, strict=True):
        expect(send(live_server, "/e/", step | {"timestamp": iso(ago(minutes=minutes))}), 200)
    alias = person_of(live_server, "user-7")
    assert alias is not None and alias["is_identified"]
    assert sorted(alias["distinct_ids"]) == ["anon-7", "user-7"]
    ping = page(api, event="ping", include_person="true")["results"][0]
    assert ping["person"] is None and person_of(live_server, "nobody") is None


def test_capture_v1_through_the_python_sdk(live_server: LiveServer, api: httpx.Client) -> None:
    errors: list[Exception] = []
    client = Posthog(
        project_token(live_server),
        host=live_server.url,
        capture_mode="v1",
        capture_compression="deflate",
        sync_mode=True,
        on_error=lambda error, _batch: errors.append(error),
    )
    sent = {str(uuid.uuid4()): {"plan": "pro", "n": n, "nested": {"a": [1, 2]}} for n in range(5)}
    for event_id, properties in sent.items():
        client.capture("v1_event", distinct_id="sdk-user", properties=properties, uuid=event_id)
    client.capture("no_profile", distinct_id="ghost", properties={"$process_person_profile": False})
    client.flush()
    client.shutdown()
    assert errors == []
    got = {event["id"]: event for event in walk(api, event="v1_event")}
    assert set(got) == set(sent)
    for event_id, properties in sent.items():
        stored = got[event_id]["properties"]
        assert {key: stored[key] for key in properties} == properties
        assert stored["$lib"] == "posthog-python"
    ghost = page(api, event="no_profile", include_person="true")["results"][0]
    assert ghost["person"] is None


def test_autocapture_elements_become_elements_and_elements_chain(
    live_server: LiveServer, api: httpx.Client
) -> None:
    clicked = [
        {
            "tag_name": "a",
            "$el_text": 'Buy "now"',
            "attr__class": "btn primary",
            "attr__href": "/checkout",
            "nth_child": 2,
            "nth_of_type": 1,
        },
        {"tag_name": "div", "attr__id": "cart", "nth_child": 1, "nth_of_type": 1},
    ]
    body = one_event(project_token(live_server), "$autocapture", properties={"$elements": clicked})
    expect(send(live_server, "/e/", body), 200)
    (event,) = walk(api)
    assert "$elements" not in event["properties"]
    assert event["elements_chain"] == (
        'a.btn.primary:attr__class="btn primary"attr__href="/checkout"href="/checkout"'
        'nth-child="2"nth-of-type="1"text="Buy \\"now\\"";'
        'div:attr__id="cart"attr_id="cart"nth-child="1"nth-of-type="1"'
    )
    link, parent = event["elements"]
    assert (link["tag_name"], link["attr_class"], link["href"], link["text"]) == (
        "a",
        ["btn", "primary"],
        "/checkout",
        'Buy "now"',
    )
    assert (link["nth_child"], link["nth_of_type"], link["order"]) == (2, 1, 0)
    assert link["attributes"] == {"attr__class": "btn primary", "attr__href": "/checkout"}
    assert (parent["tag_name"], parent["attr_id"], parent["order"]) == ("div", "cart", 1)
