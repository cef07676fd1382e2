"""``client.events.merged_pages`` against a real local server: one query follows ``next``,
several (one per event name) are merged newest first, and each page says whether more may
follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.event_helpers import ago, sdk_event, send_batch, walk

from tui.api import PostHogClient
from tui.models.events import Event

pytestmark = pytest.mark.anyio


@pytest.fixture
def stocked(live_server: LiveServer) -> LiveServer:
    """45 events a minute apart: $pageview, $autocapture and signed_up in turn, the first
    21 by ann, the rest by ben."""
    start = ago(hours=2)
    names = ("$pageview", "$autocapture", "signed_up")
    batch = [
        sdk_event(names[i % 3], "ann" if i < 21 else "ben", start + timedelta(minutes=i), n=i)
        for i in range(45)
    ]
    send_batch(live_server, batch)
    return live_server


def held_ids(server: LiveServer, **params: Any) -> list[str]:
    """The ids the server holds for ``params``, newest first, asked without the client."""
    with server.client() as http:
        return [event["id"] for event in walk(http, limit=1000, **params)]


async def pages_of(
    server: LiveServer, queries: list[dict[str, Any]], limit: int
) -> list[tuple[list[Event], bool]]:
    async with PostHogClient(server.url, 1, ADMIN_KEY, max_retries=0) as client:
        return [page async for page in client.events.merged_pages(queries, limit=limit)]


def assert_paged(pages: list[tuple[list[Event], bool]], limit: int) -> None:
    """Every page but the last is full and says more may follow; the last says none."""
    assert pages, "merged_pages yielded nothing"
    assert [more for _, more in pages[:-1]] == [True] * (len(pages) - 1)
    assert pages[-1][1] is False
    assert all(len(events) <= limit for events, _ in pages)


async def test_one_query_follows_next(stocked: LiveServer) -> None:
    pages = await pages_of(stocked, [{"event": "$pageview"}], limit=4)
    assert_paged(pages, 4)
    assert [e.id for events, _ in pages for e in events] == held_ids(stocked, event="$pageview")
    assert len(pages) >= 4  # 15 events: 4 + 4 + 4 + 3, read a page at a time


async def test_several_queries_are_merged_newest_first(stocked: LiveServer) -> None:
    queries = [{"event": "$pageview"}, {"event": "signed_up"}]
    pages = await pages_of(stocked, queries, limit=7)
    assert_paged(pages, 7)
    assert all(len(events) == 7 for events, _ in pages[:-1])
    merged = [e for events, _ in pages for e in events]
    wanted = set(held_ids(stocked, event="$pageview")) | set(held_ids(stocked, event="signed_up"))
    expected = [e for e in held_ids(stocked) if e in wanted]
    assert len(expected) == 30
    assert [e.id for e in merged] == expected
    timestamps = [e.timestamp for e in merged]
    assert timestamps == sorted(timestamps, reverse=True)


async def test_merged_queries_keep_their_other_filters(stocked: LiveServer) -> None:
    queries = [{"event": name, "distinct_id": "ann"} for name in ("$pageview", "$autocapture")]
    pages = await pages_of(stocked, queries, limit=5)
    assert_paged(pages, 5)
    merged = [e for events, _ in pages for e in events]
    assert {e.distinct_id for e in merged} == {"ann"}
    assert {e.event for e in merged} == {"$pageview", "$autocapture"}
    assert len(merged) == 14  # ann's 21 events hold 7 of each name


async def test_a_page_as_big_as_everything_holds_it_all(stocked: LiveServer) -> None:
    queries = [{"event": "$pageview"}, {"event": "$autocapture"}]
    pages = await pages_of(stocked, queries, limit=30)
    assert_paged(pages, 30)
    # "More may follow" until a stream has said it is done: at most one empty page after.
    assert len(pages[0][0]) == 30
    assert [len(events) for events, _ in pages[1:]] in ([], [0])


async def test_nothing_to_merge_is_one_empty_last_page(stocked: LiveServer) -> None:
    for queries in ([{"event": "never"}], [{"event": "never"}, {"event": "nor this"}]):
        assert await pages_of(stocked, queries, limit=10) == [([], False)]
