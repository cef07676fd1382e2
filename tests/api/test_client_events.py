"""``client.events`` against a real local server, and against a scripted network for what a
real server cannot be made to do (an old answer shape, a ``next`` pointing elsewhere)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from support import READ_KEY, LiveServer, connect
from support.event_helpers import ago, ids, iso, person_of, sdk_event, send_batch, walk

from tui.api import NotFoundError, PermissionDeniedError, PostHogClient, ValidationError
from tui.models.events import Event, EventsPage, EventValuesResponse, PropertyFilter

HOST = "https://posthog.example.com"
KEY = "phx_client_events_test_key_000000000"


@pytest.fixture
def stocked(live_server: LiveServer) -> LiveServer:
    """60 events a minute apart: alternately $pageview (Safari) and $autocapture (Chrome)."""
    start = ago(hours=2)
    batch = []
    for i in range(60):
        name, browser = ("$pageview", "Safari") if i % 2 == 0 else ("$autocapture", "Chrome")
        who = "ann@example.com" if i < 30 else "ben"
        batch.append(
            sdk_event(name, who, start + timedelta(minutes=i), n=i, **{"$browser": browser})
        )
    send_batch(live_server, batch)
    return live_server


def held(server: LiveServer, **params: Any) -> list[dict[str, Any]]:
    """What the server holds, asked without the client under test."""
    with server.client() as http:
        return walk(http, limit=1000, **params)


# -- against the local server -----------------------------------------------------------


@pytest.mark.anyio
async def test_page_reads_a_page_of_events(stocked: LiveServer) -> None:
    async with connect(stocked) as client:
        page = await client.events.page(limit=5)
    assert isinstance(page, EventsPage)
    assert [event.id for event in page.results] == ids(held(stocked))[:5]
    assert page.next is not None
    newest = page.results[0]
    assert isinstance(newest, Event)
    assert (newest.event, newest.distinct_id, newest.properties["n"]) == ("$autocapture", "ben", 59)
    assert newest.person is None and newest.elements == [] and newest.elements_chain == ""
    assert newest.timestamp.tzinfo is not None


@pytest.mark.anyio
async def test_page_passes_every_filter(stocked: LiveServer) -> None:
    safari = PropertyFilter(key="$browser", value=["Safari"], operator="exact")
    async with connect(stocked) as client:
        by_name = await client.events.page(event="$pageview", limit=100)
        by_id = await client.events.page(distinct_id="ben", limit=100)
        by_props = await client.events.page(properties=[safari], limit=100)
        by_dict = await client.events.page(
            properties=[{"key": "n", "value": 50, "operator": "gte"}], limit=100
        )
        middle = by_name.results[10].timestamp
        before = await client.events.page(before=middle, limit=100)
        after = await client.events.page(after=iso(middle), limit=100)
        relative = await client.events.page(after="-90M", limit=100)
        with_person = await client.events.page(limit=1, include_person=True)
        person = with_person.results[0].person
        # PostHog's event person names no person id: the filter takes one from the database.
        ben = person_of(stocked, "ben")
        assert ben is not None
        by_person = await client.events.page(person_id=ben["uuid"], limit=100)
    assert [e.id for e in by_name.results] == ids(held(stocked, event="$pageview"))
    assert len(by_name.results) == 30
    assert {e.distinct_id for e in by_id.results} == {"ben"} and len(by_id.results) == 30
    assert [e.id for e in by_props.results] == [e.id for e in by_name.results]
    assert [e.properties["n"] for e in by_dict.results] == list(range(59, 49, -1))
    assert all(e.timestamp < middle for e in before.results) and len(before.results) == 38
    assert all(e.timestamp > middle for e in after.results) and len(after.results) == 21
    assert 0 < len(relative.results) < 60
    assert person is not None and person.uuid is None
    assert (person.is_identified, person.distinct_ids) == (False, ["ben"])
    assert len(by_person.results) == 30


@pytest.mark.anyio
async def test_iter_pages_walks_the_whole_chain_once(stocked: LiveServer) -> None:
    async with connect(stocked) as client:
        pages = [page async for page in client.events.iter_pages(limit=7)]
        only_safari = [
            event.id
            async for page in client.events.iter_pages(
                properties=[PropertyFilter(key="$browser", value="Safari")], limit=4
            )
            for event in page.results
        ]
    # Each read overlaps the last by a microsecond, asks one more, and drops the one given.
    assert [len(page.results) for page in pages] == [7] * 8 + [4]
    walked = [event.id for page in pages for event in page.results]
    assert walked == ids(held(stocked))
    assert len(set(walked)) == 60
    assert only_safari == ids(held(stocked, event="$pageview"))


@pytest.mark.anyio
async def test_get_reads_one_event(stocked: LiveServer) -> None:
    listed = held(stocked)[12]
    async with connect(stocked) as client:
        event = await client.events.get(listed["id"])
        with_person = await client.events.get(listed["id"], include_person=True)
        with pytest.raises(NotFoundError) as missing:
            await client.events.get(str(uuid.uuid4()))
        with pytest.raises(ValidationError) as invalid:
            await client.events.get("not-a-uuid")
    assert event.model_dump(mode="json")["id"] == listed["id"]
    assert event.properties == listed["properties"]
    assert iso(event.timestamp) == listed["timestamp"]
    assert with_person.person is not None
    assert with_person.person.distinct_ids == [listed["distinct_id"]]
    assert "No events exist for event UUID" in str(missing.value)
    assert "Invalid UUID" in str(invalid.value)


@pytest.mark.anyio
async def test_values(stocked: LiveServer) -> None:
    async with connect(stocked) as client:
        browsers = await client.events.values("$browser", ["$pageview", "$autocapture"])
        safari_only = await client.events.values("$browser", ["$pageview"])
        chr_ = await client.events.values("$browser", ["$pageview", "$autocapture"], value="CHR")
        with pytest.raises(ValidationError):
            await client.events.values("$browser", [])
    assert isinstance(browsers, EventValuesResponse) and browsers.refreshing is False
    assert sorted(v.name for v in browsers.results) == ["Chrome", "Safari"]  # type: ignore[type-var]
    assert [v.name for v in safari_only.results] == ["Safari"]
    assert [v.name for v in chr_.results] == ["Chrome"]


@pytest.mark.anyio
async def test_a_key_without_query_read_is_refused(stocked: LiveServer) -> None:
    async with connect(stocked, READ_KEY) as client:
        with pytest.raises(PermissionDeniedError):
            await client.events.page()


# -- against a scripted network ---------------------------------------------------------


def _event(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=n + 1, version=4)),
        "distinct_id": "d",
        "properties": {"n": n},
        "event": "$pageview",
        "timestamp": f"2024-05-01T12:00:{59 - n:02d}.000000+00:00",
        "person": None,
        "elements": [],
        "elements_chain": "",
    }


@pytest.mark.anyio
async def test_values_reads_the_older_bare_list() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/projects/1/events/values/"
        assert request.url.params.get_list("event_name") == ["$pageview", "$autocapture"]
        return httpx.Response(200, json=[{"name": "Safari"}, {"name": "Chrome"}, {"name": 3}])

    client = PostHogClient(HOST, 1, KEY, transport=httpx.MockTransport(handle))
    async with client:
        got = await client.events.values("$browser", ["$pageview", "$autocapture"])
    assert [v.name for v in got.results] == ["Safari", "Chrome", 3]
    assert got.refreshing is False


@pytest.mark.anyio
async def test_iter_pages_never_follows_next_to_another_host() -> None:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if "before" not in request.url.params:
            # A hostile or misconfigured server points next at another host and path.
            evil = "https://evil.example/steal/events/?limit=2&event=%24pageview&before=B1"
            return httpx.Response(200, json={"next": evil, "results": [_event(0), _event(1)]})
        return httpx.Response(200, json={"next": None, "results": [_event(2)]})

    client = PostHogClient(HOST, 1, KEY, transport=httpx.MockTransport(handle))
    async with client:
        pages = [page async for page in client.events.iter_pages(event="$pageview", limit=2)]
    assert [len(page.results) for page in pages] == [2, 1]
    assert {request.url.host for request in requests} == {"posthog.example.com"}
    # The page after a full one, under half full: the end (on PostHog too).
    assert [request.url.path for request in requests] == ["/api/projects/1/events/"] * 2
    # Never next's cursor: a microsecond past the last timestamp given, the filters kept.
    assert requests[1].url.params["before"] == "2024-05-01T12:00:58.000001+00:00"
    assert requests[1].url.params["event"] == "$pageview"
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in requests)


@pytest.mark.anyio
async def test_event_reads_are_retried_like_any_read() -> None:
    script = [httpx.Response(503), httpx.Response(200, json={"next": None, "results": []})]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    def handle(request: httpx.Request) -> httpx.Response:
        return script.pop(0)

    client = PostHogClient(HOST, 1, KEY, transport=httpx.MockTransport(handle), sleep=sleep)
    async with client:
        page = await client.events.page()
    assert page.results == [] and len(waits) == 1


@pytest.mark.anyio
async def test_filters_are_sent_as_posthog_reads_them() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.raw_path.startswith(b"/api/projects/1/events/?"):
            return httpx.Response(200, json={"next": None, "results": []})
        return httpx.Response(200, json=_event(0))

    client = PostHogClient(HOST, 1, KEY, transport=httpx.MockTransport(handle))
    async with client:
        await client.events.page(
            event="$pageview",
            person_id=12,
            after="-7d",
            properties=[PropertyFilter(key="$browser", value=["Safari"], operator="exact")],
            limit=50,
        )
        await client.events.get("../x?y")
    params = seen[0].url.params
    assert params["event"] == "$pageview" and params["person_id"] == "12"
    assert params["after"] == "-7d" and params["limit"] == "50"
    assert json.loads(params["properties"]) == [
        {"key": "$browser", "value": ["Safari"], "operator": "exact", "type": "event"}
    ]
    assert "include_person" not in params
    assert seen[1].url.raw_path == b"/api/projects/1/events/..%2Fx%3Fy/"
