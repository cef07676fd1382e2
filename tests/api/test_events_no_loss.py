"""No reader loses an event: events sharing a timestamp across a page boundary, and a
server that ends a read early, as PostHog's ``events/`` does (the API contract, 8.8).

Read through the client against the local server and against a server that pages exactly
as PostHog's code does (``support/posthog_paging.py``), over real HTTP, newest first and
oldest first; then through ``hogtree events``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, LiveServer, connect
from support.event_helpers import ago, sdk_event, send_batch, walk
from support.posthog_paging import posthog_paging_server
from support.scripting_helpers import environment, on_host, run

from tui.api import PostHogClient, events
from tui.models.events import Event

pytestmark = pytest.mark.anyio

# 40 events a second apart, then 250 sharing one moment (a batch sent without timestamps
# gets one), then 30 more a second apart: more than one of the biggest pages (1,000).
NEWER, TIED, OLDER = 40, 1_200, 30
# And 60 in the last minute: PostHog's first time window (1 min) holds more than half a
# page of 100, so its first page is those 60 and next is null, older events left.
RECENT = 60
TOTAL = NEWER + TIED + OLDER + RECENT


@pytest.fixture
def tied(live_server: LiveServer) -> LiveServer:
    moment = ago(minutes=30)
    batch = [sdk_event("older", "o", moment - timedelta(seconds=i + 1)) for i in range(OLDER)]
    batch += [sdk_event("tied", "t", moment, n=i) for i in range(TIED)]
    batch += [sdk_event("newer", "n", moment + timedelta(seconds=i + 1)) for i in range(NEWER)]
    batch += [sdk_event("recent", "r", ago(seconds=30 - i / 4)) for i in range(RECENT)]
    send_batch(live_server, batch)
    return live_server


@pytest.fixture(params=["local", "posthog-paging"])
def host(request: pytest.FixtureRequest, tied: LiveServer) -> Iterator[str]:
    """The URL of the local server, or of a server paging as PostHog does over its data."""
    if request.param == "local":
        yield tied.url
        return
    with posthog_paging_server(tied.db_path) as url:
        yield url


@asynccontextmanager
async def client_of(url: str) -> AsyncIterator[PostHogClient]:
    async with PostHogClient(url, 1, ADMIN_KEY, max_retries=0) as client:
        yield client


async def read_all(client: PostHogClient, **query: object) -> list[Event]:
    return [
        event
        async for page in client.events.iter_pages(**query)  # type: ignore[arg-type]
        for event in page.results
    ]


def test_following_next_loses_events_on_both_servers(tied: LiveServer) -> None:
    # What makes the rest necessary: the tied events past a page's edge, on both; and on
    # PostHog's paging, the read ends after the last minute's events.
    with tied.client() as api:
        assert len(walk(api, limit=100)) < TOTAL
    with posthog_paging_server(tied.db_path) as url, httpx.Client(base_url=url) as posthog:
        first = posthog.get("/api/projects/1/events/", params={"limit": 100}).json()
    assert len(first["results"]) == RECENT and first["next"] is None


async def test_newest_first_every_event_once(host: str, tied: LiveServer) -> None:
    with sqlite3.connect(tied.db_path) as conn:
        held = [uuid for (uuid,) in conn.execute("SELECT uuid FROM events WHERE project_id = 1")]
    assert len(held) == TOTAL
    async with client_of(host) as client:
        got = await read_all(client, limit=100)
    assert len(got) == TOTAL and {event.id for event in got} == set(held)
    assert [event.timestamp for event in got] == sorted(
        (event.timestamp for event in got), reverse=True
    )


async def test_oldest_first_every_event_once(host: str) -> None:
    async with client_of(host) as client:
        got = await read_all(client, limit=100, oldest_first=True)
    assert len(got) == TOTAL and len({event.id for event in got}) == TOTAL
    assert [event.timestamp for event in got] == sorted(event.timestamp for event in got)
    assert got[0].event == "older" and got[-1].event == "recent"


async def test_a_page_of_one_moment_at_the_biggest_page_still_ends(
    tied: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a biggest page smaller than the moment, the read must go past it: it loses the
    # rest of that moment (the only way to end), and gives nothing twice.
    monkeypatch.setattr(events, "MAX_EVENTS_LIMIT", 100)
    async with connect(tied) as client:
        got = await read_all(client, limit=50)
    assert len({event.id for event in got}) == len(got)
    assert sum(1 for event in got if event.event == "tied") == 100
    assert sum(1 for event in got if event.event != "tied") == NEWER + OLDER + RECENT


def test_hogtree_events_prints_every_event_once(tied: LiveServer, tmp_path: Path) -> None:
    argv = on_host(tied, "events", "--json", "--limit", "5000", "--after=-2h")
    result = run(argv, environment(tmp_path))
    assert result.code == 0, result.err
    printed = [json.loads(line) for line in result.lines if line.strip()]
    assert len(printed) == TOTAL and len({event["id"] for event in printed}) == TOTAL
