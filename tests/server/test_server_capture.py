"""Capture (api.md section 7): SDK bodies in, read back through ``events/`` over real HTTP."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from support import LiveServer
from support.event_helpers import (
    ago,
    iso,
    names,
    page,
    person_of,
    project_token,
    sdk_event,
    walk,
)
from support.server_helpers import expect

CAPTURE_PATHS = ("/capture/", "/e/", "/i/v0/e/", "/capture", "/e", "/i/v0/e")

MISSING_TOKEN = {
    "type": "authentication_error",
    "code": "missing_api_key",
    "detail": "API key not provided."
    " You can find your project API key in PostHog project settings.",
    "attr": None,
}
INVALID_TOKEN = {
    "type": "authentication_error",
    "code": "invalid_api_key",
    "detail": "Project API key invalid."
    " You can find your project API key in PostHog project settings.",
    "attr": None,
}


def post(server: LiveServer, path: str, body: Any, **kwargs: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.post(f"{server.url}{path}", content=body, timeout=30, **kwargs)
    return httpx.post(f"{server.url}{path}", json=body, timeout=30, **kwargs)


@pytest.mark.parametrize("path", CAPTURE_PATHS)
def test_capture_one_event(live_server: LiveServer, api: httpx.Client, path: str) -> None:
    at = ago(minutes=5)
    event_id = str(uuid.uuid4())
    body = {
        "api_key": project_token(live_server),
        "event": "file_uploaded",
        "distinct_id": "uploader@example.com",
        "properties": {"file_type": "pdf", "size": 1234, "$browser": "Firefox"},
        "timestamp": iso(at),
        "uuid": event_id,
    }
    assert expect(post(live_server, path, body), 200) == {"status": 1}
    (event,) = walk(api)
    assert event["id"] == event_id
    assert event["event"] == "file_uploaded"
    assert event["distinct_id"] == "uploader@example.com"
    assert event["properties"] == {"file_type": "pdf", "size": 1234, "$browser": "Firefox"}
    assert event["timestamp"] == iso(at)


def test_distinct_id_and_token_may_sit_inside_properties(
    live_server: LiveServer, api: httpx.Client
) -> None:
    token = project_token(live_server)
    # posthog-js: a list of events, the token among each event's properties.
    js_body = [
        {"event": "$pageview", "properties": {"distinct_id": "anon-7", "token": token, "x": 1}},
        {"event": "$pageleave", "properties": {"distinct_id": "anon-7", "token": token}},
    ]
    assert expect(post(live_server, "/e/", js_body), 200) == {"status": 1}
    # `token` instead of `api_key`, distinct_id in properties.
    one = {"token": token, "event": "signed_up", "properties": {"distinct_id": "anon-8"}}
    assert expect(post(live_server, "/capture/", one), 200) == {"status": 1}
    events = walk(api)
    assert sorted(names(events)) == ["$pageleave", "$pageview", "signed_up"]
    assert {e["distinct_id"] for e in events} == {"anon-7", "anon-8"}
    # The token and distinct_id are not kept among the properties.
    pageview = next(e for e in events if e["event"] == "$pageview")
    assert pageview["properties"] == {"x": 1}


@pytest.mark.parametrize("path", ["/batch/", "/batch"])
def test_batch(live_server: LiveServer, api: httpx.Client, path: str) -> None:
    start = ago(hours=1)
    batch = [
        sdk_event("report_exported", f"user-{i % 3}", start + timedelta(seconds=i), row=i)
        for i in range(25)
    ]
    body = {"api_key": project_token(live_server), "batch": batch}
    assert expect(post(live_server, path, body), 200) == {"status": 1}
    events = walk(api, limit=10)
    assert [e["properties"]["row"] for e in events] == list(range(24, -1, -1))
    assert {e["distinct_id"] for e in events} == {"user-0", "user-1", "user-2"}


def test_a_project_token_picks_the_project(live_server: LiveServer) -> None:
    body = {"api_key": project_token(live_server, 2), "event": "in_two", "distinct_id": "x"}
    assert expect(post(live_server, "/capture/", body), 200) == {"status": 1}
    with live_server.client(project=2) as two, live_server.client(project=1) as one:
        assert names(walk(two)) == ["in_two"]
        assert walk(one) == []


def test_capture_without_a_token_is_401(live_server: LiveServer, api: httpx.Client) -> None:
    body = {"event": "x", "distinct_id": "y"}
    for path in ("/capture/", "/batch/"):
        payload = {"batch": [body]} if path == "/batch/" else body
        got = expect(post(live_server, path, payload), 401)
        assert got == MISSING_TOKEN
    assert walk(api) == []


def test_capture_with_an_unknown_token_is_401(live_server: LiveServer, api: httpx.Client) -> None:
    for token in ("phc_not_a_real_token", "phx_test_admin_key_0000000000000000"):
        body = {"api_key": token, "event": "x", "distinct_id": "y"}
        assert expect(post(live_server, "/capture/", body), 401) == INVALID_TOKEN
        # An unknown token is refused before the events are even looked at.
        bad = {"api_key": token, "batch": [{"no": "event"}]}
        assert expect(post(live_server, "/batch/", bad), 401) == INVALID_TOKEN
    assert walk(api) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"42",
        {"api_key": "TOKEN", "batch": "nope"},
        {"api_key": "TOKEN", "batch": [1, 2]},
        {"api_key": "TOKEN", "distinct_id": "x"},  # no event name
        {"api_key": "TOKEN", "event": "", "distinct_id": "x"},
        {"api_key": "TOKEN", "event": "x"},  # no distinct id
        {"api_key": "TOKEN", "event": "x", "distinct_id": ""},
        {"api_key": "TOKEN", "event": "x", "properties": {"distinct_id": {"a": 1}}},
        {"api_key": "TOKEN", "event": "x", "distinct_id": "y", "properties": [1]},
        {"api_key": "TOKEN", "event": "x", "distinct_id": "y", "uuid": "not-a-uuid"},
        {"api_key": "TOKEN", "batch": [{"event": "ok", "distinct_id": "y"}, {"event": "bad"}]},
        # Found by the fuzz work: these used to answer 500.
        b"[" * 100_000 + b"]" * 100_000,  # nested deeper than Python's JSON parser goes
        b'{"event": "\\ud800", "distinct_id": "x"}',  # a lone surrogate: no UTF-8 holds it
        b'{"event": "e", "distinct_id": "x", "properties": {"n": NaN}}',  # not JSON's number
        # What the one-pass check of a body (tui/server/capture_json.py) must still refuse.
        b'{"event": "e", "distinct_id": "x", "properties": {"n": -Infinity}}',
        b'{"event": "e", "distinct_id": "x", "properties": {"n": 1e999}}',  # a float's too big
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\\udd94"}}',  # low half alone
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\\uD83E"}}',  # high half alone
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\\ud83e\\ud83e\\udd94"}}',
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\\ud83e-\\udd94"}}',
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\\\\\\ud800"}}',  # \\ then one
        b'{"event": "e", "distinct_id": "x", "properties": {"\\ud800": 1}}',  # in a key
        b'{"event": "e", "distinct_id": "x", "properties": {"s": "\xed\xa0\x80"}}',  # its bytes
        b'{"batch": [{"event": "ok", "distinct_id": "y"},'
        b' {"event": "e", "distinct_id": "x", "properties": {"n": 1E+400}}]}',
    ],
)
def test_malformed_capture_is_400_and_stores_nothing(
    live_server: LiveServer, api: httpx.Client, body: Any
) -> None:
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace("TOKEN", project_token(live_server)))
    got = expect(post(live_server, "/capture/", body), 400)
    assert got["type"] == "validation_error" and got["code"] == "invalid_payload"
    assert set(got) == {"type", "code", "detail", "attr"}
    assert walk(api) == []


def test_what_only_looks_unstorable_is_stored_as_sent(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """Surrogate pairs (escaped in either case), an escaped backslash before "ud800" (text,
    not an escape), Korean text (whose UTF-8 shares a lead byte with surrogates) and big or
    tiny floats are all storable."""
    token = project_token(live_server).encode()
    body = (
        b'{"api_key": "' + token + b'", "event": "e", "distinct_id": "x", "properties": {'
        b'"pair": "\\ud83e\\udd94", "upper": "\\uD83E\\uDD94", "text": "\\\\ud800",'
        b' "korean": "\xed\x95\x9c", "big": 1e300, "tiny": -1.5e-7, "zero": -0.0}}'
    )
    expect(post(live_server, "/capture/", body), 200)
    (event,) = walk(api)
    assert event["properties"] == {
        "pair": "\U0001f994",
        "upper": "\U0001f994",
        "text": "\\ud800",
        "korean": "\ud55c",
        "big": 1e300,
        "tiny": -1.5e-7,
        "zero": -0.0,
    }


def test_a_uuid_is_stored_as_uuid_spells_it(live_server: LiveServer, api: httpx.Client) -> None:
    token = project_token(live_server)
    sent = [uuid.uuid4() for _ in range(5)]
    spellings = (str(sent[0]), str(sent[1]).upper(), f"{{{sent[2]}}}", sent[3].hex)
    for spelling in (*spellings, f"urn:uuid:{sent[4]}"):
        body = {"api_key": token, "event": "e", "distinct_id": "x", "uuid": spelling}
        expect(post(live_server, "/capture/", body), 200)
    assert sorted(event["id"] for event in walk(api)) == sorted(str(one) for one in sent)


def test_each_new_distinct_id_gets_a_person(live_server: LiveServer, api: httpx.Client) -> None:
    token = project_token(live_server)
    for event in ("$pageview", "$pageleave"):
        body = {"api_key": token, "event": event, "distinct_id": "newcomer"}
        expect(post(live_server, "/capture/", body), 200)
    body = {"api_key": token, "event": "$pageview", "distinct_id": "other"}
    expect(post(live_server, "/capture/", body), 200)
    newcomer, other = person_of(live_server, "newcomer"), person_of(live_server, "other")
    assert newcomer is not None and other is not None
    assert newcomer["distinct_ids"] == ["newcomer"] and other["distinct_ids"] == ["other"]
    assert newcomer["pk"] != other["pk"]  # the second event found the same person
    assert names(walk(api, person_id=newcomer["uuid"])) == ["$pageleave", "$pageview"]
    for event in walk(api, include_person="true"):
        assert event["person"] == {
            "is_identified": False,
            "distinct_ids": [event["distinct_id"]],
            "properties": {},
        }


def test_set_and_set_once_update_the_person(live_server: LiveServer, api: httpx.Client) -> None:
    token = project_token(live_server)
    bodies: list[dict[str, Any]] = [
        {
            "event": "$identify",
            "distinct_id": "pat",
            "$set": {"email": "pat@example.com", "plan": "free"},  # old SDKs: top level
            "timestamp": iso(ago(minutes=3)),
        },
        {
            "event": "plan_changed",
            "distinct_id": "pat",
            "properties": {"$set": {"plan": "pro"}, "$set_once": {"plan": "x", "first": "yes"}},
            "timestamp": iso(ago(minutes=2)),
        },
    ]
    for body in bodies:
        expect(post(live_server, "/capture/", {"api_key": token, **body}), 200)
    person = person_of(live_server, "pat")
    assert person is not None
    assert person["properties"] == {"email": "pat@example.com", "plan": "pro", "first": "yes"}
    # An event carries email, name and username only; an $identify with no
    # $anon_distinct_id identifies no one.
    newest = page(api, include_person="true", limit=1)["results"][0]
    assert newest["person"] == {
        "is_identified": False,
        "distinct_ids": ["pat"],
        "properties": {"email": "pat@example.com"},
    }


def test_identify_joins_the_anonymous_id(live_server: LiveServer, api: httpx.Client) -> None:
    token = project_token(live_server)
    steps = [
        {"event": "$pageview", "distinct_id": "anon-42"},
        {"event": "$identify", "distinct_id": "kim@example.com"},
        {"event": "signed_up", "distinct_id": "kim@example.com"},
    ]
    steps[1]["properties"] = {"$anon_distinct_id": "anon-42"}
    for minutes, step in zip((3, 2, 1), steps, strict=True):
        body = {"api_key": token, "timestamp": iso(ago(minutes=minutes)), **step}
        expect(post(live_server, "/capture/", body), 200)
    person = person_of(live_server, "kim@example.com")
    assert person is not None and person["is_identified"]
    assert sorted(person["distinct_ids"]) == ["anon-42", "kim@example.com"]
    assert names(walk(api, person_id=person["uuid"])) == ["signed_up", "$identify", "$pageview"]


def test_timestamp_defaults_to_now_and_uuid_dedupes(
    live_server: LiveServer, api: httpx.Client
) -> None:
    token = project_token(live_server)
    before = ago(seconds=1)
    event_id = str(uuid.uuid4())
    body = {"api_key": token, "event": "once", "distinct_id": "d", "uuid": event_id}
    expect(post(live_server, "/capture/", body), 200)
    expect(post(live_server, "/capture/", body), 200)  # a retried send
    (event,) = walk(api)
    assert event["id"] == event_id
    assert before.isoformat() <= event["timestamp"] <= ago(seconds=-1).isoformat()


def test_compressed_and_form_encoded_bodies(live_server: LiveServer, api: httpx.Client) -> None:
    token = project_token(live_server)
    body = json.dumps({"api_key": token, "event": "gzipped", "distinct_id": "z"}).encode()
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    expect(post(live_server, "/capture/", gzip.compress(body), headers=headers), 200)
    js = json.dumps([{"event": "gzip-js", "properties": {"distinct_id": "z", "token": token}}])
    response = httpx.post(
        f"{live_server.url}/e/?compression=gzip-js", content=gzip.compress(js.encode()), timeout=30
    )
    expect(response, 200)
    old = json.dumps({"api_key": token, "event": "form", "distinct_id": "z"}).encode()
    form = {"data": base64.b64encode(old).decode()}
    expect(httpx.post(f"{live_server.url}/capture/", data=form, timeout=30), 200)
    plain = {"data": json.dumps({"api_key": token, "event": "form-json", "distinct_id": "z"})}
    expect(httpx.post(f"{live_server.url}/capture/", data=plain, timeout=30), 200)
    # What `curl -d '{...}'` sends: JSON labelled as a form.
    curl = json.dumps({"api_key": token, "event": "curl", "distinct_id": "z"}).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    expect(post(live_server, "/capture/", curl, headers=form_type), 200)
    assert sorted(names(walk(api))) == ["curl", "form", "form-json", "gzip-js", "gzipped"]
    garbled = post(live_server, "/capture/", b"not gzip", headers=headers)
    assert expect(garbled, 400)["code"] == "invalid_payload"
