"""The event volume above the Events table, against a real local server: the bars are the
counts the server holds for the filters (checked against ``events/`` bucketed here), they
follow a filter and the live tail, a failure of the counts says why, and pictures at 80x24
and 120x40 of fixed events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import backend_for, new_app, open_events, settle
from support.event_helpers import iso, project_token, sdk_event, send_batch, walk
from support.fault_transport import FaultyTransport, answer
from support.server_helpers import expect
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app.app import HogtreeApp
from tui.app.widgets.event_volume import (
    LAST_DAY,
    LAST_MONTH,
    EventVolume,
    total_per_bucket,
    window_for,
)
from tui.app.widgets.events_tab import EventsTab

pytestmark = pytest.mark.anyio

SnapCompare = Callable[..., bool]

NOW = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
# (hours before NOW, event name, distinct id): a shape to see, and one event days older.
EVENTS: list[tuple[float, str, str]] = [
    *[(0.1 + i * 0.05, "$pageview", "ada") for i in range(6)],
    *[(3.2 + i * 0.1, "$pageview", "bob") for i in range(3)],
    (3.5, "signed_up", "bob"),
    *[(7.5 + i * 0.1, "$pageview", "cy") for i in range(9)],
    (8.0, "signed_up", "cy"),
    (12.4, "$pageleave", "ada"),
    (20.0, "signed_up", "dee"),
    (80.0, "$pageview", "old"),
]


def stock(server: LiveServer, anchor: datetime) -> None:
    send_batch(
        server,
        [
            sdk_event(
                name,
                who,
                anchor - timedelta(hours=hours),
                uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"volume-{i}")),
            )
            for i, (hours, name, who) in enumerate(EVENTS)
        ],
    )


@pytest.fixture
def fixed_events(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """The events at fixed times, the tab's "now" fixed: the same bars every run."""
    stock(live_server, NOW)
    monkeypatch.setattr(EventsTab, "now", lambda self: NOW)
    monkeypatch.setattr(EventsTab, "timezone", UTC)
    return live_server


def server_counts(api: httpx.Client, now: datetime, **params: Any) -> list[int]:
    """What ``events/`` lists in the last 24 h up to ``now``, counted per hour here."""
    start = now - timedelta(hours=24)
    listed = walk(
        api, after=iso(start - timedelta(microseconds=1)), before=iso(now + timedelta(seconds=1)),
        limit=1000, **params,
    )  # fmt: skip
    first = start.replace(minute=0, second=0, microsecond=0)
    counts = [0] * 25
    for event in listed:
        moment = datetime.fromisoformat(event["timestamp"])
        counts[int((moment - first) / timedelta(hours=1))] += 1
    return counts


async def shown(pilot: Pilot[None], tab: EventsTab) -> EventVolume:
    await settle(pilot, lambda: tab.volume.state in ("shown", "failed") and not tab.loading)
    return tab.volume


# ---------------------------------------------------------------------- pure parts


def test_the_window_follows_the_newest_event_and_series_add_up() -> None:
    assert window_for(None, NOW) is LAST_DAY
    assert window_for(NOW - timedelta(hours=23), NOW) is LAST_DAY
    assert window_for(NOW - timedelta(days=3), NOW) is LAST_MONTH
    assert total_per_bucket([[1, 2, 3], [0, 5, 1]]) == [1, 7, 4]
    assert total_per_bucket([]) == []


# ---------------------------------------------------------------------- against the server


async def test_the_bars_are_the_servers_counts_and_follow_a_filter(
    fixed_events: LiveServer, api: httpx.Client
) -> None:
    app = new_app(fixed_events.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        volume = await shown(pilot, tab)
        everything = server_counts(api, NOW)
        assert volume.window is LAST_DAY and volume.counts == everything
        assert volume.label == f"events per hour · last 24 h · peak {max(everything)}"
        before = tab._generation
        box = tab.query_one("#events-event", Input)
        box.focus()
        box.value = "signed_up"
        await pilot.press("enter")
        await settle(pilot, lambda: tab._generation > before)
        volume = await shown(pilot, tab)
        signups = server_counts(api, NOW, event="signed_up")
        assert volume.counts == signups != everything
        assert sum(signups) == 3  # the fourth is older than the window
        # Two names: both counted, bucket by bucket.
        box.focus()
        box.value = "signed_up | $pageleave"
        await pilot.press("enter")
        await settle(pilot, lambda: tab.filters.event == "signed_up | $pageleave")
        volume = await shown(pilot, tab)
        leaves = server_counts(api, NOW, event="$pageleave")
        assert volume.counts == [a + b for a, b in zip(signups, leaves, strict=True)]


async def test_events_older_than_a_day_are_drawn_by_day(
    fixed_events: LiveServer, api: httpx.Client
) -> None:
    app = new_app(fixed_events.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        await shown(pilot, tab)
        tab.query_one("#events-distinct", Input).value = "old"
        tab.query_one("#events-distinct", Input).focus()
        await pilot.press("enter")
        await settle(pilot, lambda: tab.filters.distinct_id == "old")
        volume = await shown(pilot, tab)
        assert volume.window is LAST_MONTH and volume.counts is not None
        assert len(volume.counts) == 31 and sum(volume.counts) == 1
        # 80 hours before NOW: the fourth bar from the right (today is the last).
        assert volume.counts[-4] == 1
        assert volume.label == "events per day · last 30 d · peak 1"


async def test_the_live_tail_redraws_the_bars(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventsTab, "tail_interval", 0.2)
    stock(live_server, datetime.now(UTC))
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        volume = await shown(pilot, tab)
        assert volume.counts is not None
        before = sum(volume.counts)
        await pilot.press("t")
        await settle(pilot, lambda: tab.tailing)
        new_id = str(uuid.uuid4())
        response = httpx.post(
            f"{live_server.url}/capture/",
            json={"api_key": project_token(live_server), "event": "tail_test",
                  "distinct_id": "tailer", "timestamp": iso(datetime.now(UTC)), "uuid": new_id},
            timeout=30,
        )  # fmt: skip
        assert expect(response, 200) == {"status": 1}
        await settle(pilot, lambda: new_id in tab.ids)
        await settle(
            pilot, lambda: volume.state == "shown" and sum(volume.counts or []) == before + 1
        )
        await pilot.press("t")


async def test_a_failure_of_the_counts_says_why_and_the_events_still_show(
    fixed_events: LiveServer,
) -> None:
    # The local server counts whatever the tab asks, so PostHog's refusal is played by a
    # transport answering for it; every other request reaches the real server.
    refusal = (
        b'{"type": "validation_error", "code": "unsupported_query",'
        b' "detail": "Unsupported query: not today.", "attr": "query"}'
    )
    transport = FaultyTransport(
        answer(
            lambda request: request.url.path.endswith("/query/"),
            400,
            refusal,
            times=99,
            **{"Content-Type": "application/json"},
        )
    )
    backend = backend_for(fixed_events.url, ADMIN_KEY)
    backend.transport = transport
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        volume = await shown(pilot, tab)
        assert volume.state == "failed" and volume.counts is None
        assert volume.label.startswith("event volume: ")
        assert "not today" in volume.label
        assert len(tab.events) == len(EVENTS)


# ---------------------------------------------------------------------- pictures


async def _show_volume(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await settle(pilot, lambda: app.client is not None)
    await pilot.press("v")
    tab = app.query_one(EventsTab)
    await settle(pilot, lambda: len(tab.events) == len(EVENTS) and not tab.loading)
    await shown(pilot, tab)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_event_volume_picture(
    snap_compare: SnapCompare, fixed_events: LiveServer, size: tuple[int, int]
) -> None:
    """The sparkline of the last 24 h over the fixed events, labelled with its peak."""
    app = new_app(fixed_events.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=size, run_before=_show_volume)
