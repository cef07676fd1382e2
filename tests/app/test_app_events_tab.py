"""The Events tab against a real local server: what it shows is what ``events/`` serves,
page after page, filtered, tailed live, one event's JSON, and an insight's events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, READ_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_events, settle, tree_of
from support.event_helpers import iso, project_token, sdk_event, send_batch
from support.server_helpers import expect
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent
from textual.widgets.data_table import ColumnKey

from tui.app.app import HogtreeApp
from tui.app.event_text import format_time, summarize
from tui.app.screens.event_json import EventJsonScreen
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.side_pane import SidePane
from tui.models import FileSystemEntry
from tui.models.events import parse_property_filter

pytestmark = pytest.mark.anyio

SnapCompare = Callable[..., bool]


def tab_of(app: HogtreeApp) -> EventsTab:
    return app.query_one(EventsTab)


def server_ids(api: httpx.Client, **params: Any) -> tuple[list[str], str | None]:
    body = expect(api.get("events/", params=params), 200)
    return [e["id"] for e in body["results"]], body["next"]


def table_ids(tab: EventsTab) -> list[str]:
    table = tab.table
    return [
        str(table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)
        for row in range(table.row_count)
    ]


async def filter_by(pilot: Pilot[None], tab: EventsTab, box: str, value: str) -> None:
    """Type ``value`` into a filter and submit it; wait for the reload."""
    before = tab._generation
    field = tab.query_one(f"#events-{box}", Input)
    field.focus()
    field.value = value
    await pilot.press("enter")
    await settle(pilot, lambda: tab._generation > before and not tab.loading)


# ---------------------------------------------------------------------- pure parts


def test_times_are_short_and_human() -> None:
    now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    assert format_time(datetime(2026, 11, 26, 14, 3, 7, tzinfo=UTC), now, UTC) == "14:03:07"
    assert format_time(datetime(2026, 11, 24, 14, 3, 7, tzinfo=UTC), now, UTC) == "Nov 24 14:03"
    assert format_time(datetime(2025, 11, 24, 14, 3, tzinfo=UTC), now, UTC) == "2025-11-24"


def test_property_summary_and_filter_syntax() -> None:
    assert summarize({"$current_url": "https://h.net/files", "$browser": "Safari"}) == (
        "h.net/files · Safari"
    )
    assert summarize({"$lib": "posthog-python", "file_type": "pdf", "size": 3}) == (
        "file_type=pdf · size=3"
    )
    exact = parse_property_filter("$browser=Safari")
    assert exact is not None and (exact.key, exact.operator, exact.value) == (
        "$browser",
        "exact",
        ["Safari"],
    )
    is_not = parse_property_filter("plan!=free")
    assert is_not is not None and (is_not.key, is_not.operator) == ("plan", "is_not")
    is_set = parse_property_filter("$pathname")
    assert is_set is not None and is_set.operator == "is_set"
    assert parse_property_filter("  ") is None
    with pytest.raises(ValueError):
        parse_property_filter("=x")


# ---------------------------------------------------------------------- against the server


async def test_newest_events_as_the_server_serves_them_loaded_only_when_shown(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tab = tab_of(app)
        await pilot.press("j", "j")
        await settle(pilot)
        assert not tab.started and tab.table.row_count == 0  # hidden: nothing fetched
        tab = await open_events(pilot)
        expected, _ = server_ids(api_demo, limit=EventsTab.page_size)
        assert table_ids(tab) == expected
        assert app.focused is tab.table
        first = tab.events[0]
        row = tab.table.get_row_at(0)
        # The side pane is narrow: the event over its distinct id and property summary.
        assert row[1].plain.split("\n") == [
            first.event,
            f"{first.distinct_id} · {summarize(first.properties)}",
        ]


async def test_the_end_of_the_table_loads_the_next_page(
    demo_server: LiveServer, api_demo: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventsTab, "page_size", 20)
    first, next_url = server_ids(api_demo, limit=20)
    assert next_url is not None
    second_page = expect(api_demo.get(next_url), 200)
    second = [e["id"] for e in second_page["results"]]
    third = [e["id"] for e in expect(api_demo.get(second_page["next"]), 200)["results"]]
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        assert table_ids(tab) == first
        await pilot.press("end")
        await settle(pilot, lambda: len(tab.events) >= 40 and not tab.loading)
        ids = table_ids(tab)
        assert ids == first + second and len(set(ids)) == 40
        # A page comes in below the rows already laid out: they are kept, not made again
        # (laying every row out again made each page cost all the pages before it).
        kept = next(iter(tab.table.rows))
        # Scrolling (the wheel, the scrollbar) to the end loads the page after.
        tab.table.scroll_end(animate=False, immediate=True)
        await settle(pilot, lambda: len(tab.events) >= 60 and not tab.loading)
        assert table_ids(tab) == first + second + third
        tab.load_more()  # as the cursor reaching the last row asks
        await settle(pilot, lambda: len(tab.events) >= 80 and not tab.loading)
        assert next(iter(tab.table.rows)) is kept


async def test_each_filter_shows_exactly_what_the_server_filters(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        limit = EventsTab.page_size

        await filter_by(pilot, tab, "event", "signed_up")
        expected, _ = server_ids(api_demo, limit=limit, event="signed_up")
        assert expected and table_ids(tab) == expected
        assert {e.event for e in tab.events} == {"signed_up"}
        await filter_by(pilot, tab, "event", "")

        someone = tab.events[0].distinct_id if tab.events else ""
        await settle(pilot, lambda: bool(tab.events))
        someone = tab.events[0].distinct_id
        await filter_by(pilot, tab, "distinct", someone)
        expected, _ = server_ids(api_demo, limit=limit, distinct_id=someone)
        assert expected and table_ids(tab) == expected
        await filter_by(pilot, tab, "distinct", "")

        await filter_by(pilot, tab, "property", "$browser=Safari")
        properties = (
            '[{"key": "$browser", "value": ["Safari"], "operator": "exact", "type": "event"}]'
        )
        expected, _ = server_ids(api_demo, limit=limit, properties=properties)
        assert expected and table_ids(tab) == expected
        assert {e.properties["$browser"] for e in tab.events} == {"Safari"}


async def test_filters_complete_from_what_the_server_returned(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        names = sorted(tab.names_seen, key=str.casefold)
        assert "$pageview" in names
        event_box = tab.query_one("#events-event", Input).suggester
        assert event_box is not None
        assert await event_box.get_suggestion("$pagev") == "$pageview"
        prop_box = tab.query_one("#events-property", Input).suggester
        assert prop_box is not None
        assert await prop_box.get_suggestion("$brow") in {
            k for k in tab.keys_seen if k.startswith("$brow")
        }
        await filter_by(pilot, tab, "event", "$pageview")
        served = expect(
            api_demo.get("events/values/", params={"key": "$browser", "event_name": "$pageview"}),
            200,
        )["results"]
        values = [v["name"] for v in served]
        assert await prop_box.get_suggestion("$browser=") == f"$browser={values[0]}"
        safari = next(v for v in values if v.startswith("Saf"))
        assert await prop_box.get_suggestion("$browser=saf") == f"$browser={safari}"


async def test_live_tail_puts_a_captured_event_on_top_and_keeps_the_cursor(
    demo_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventsTab, "tail_interval", 0.2)
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        under_cursor = tab.cursor_event
        assert under_cursor is not None and tab.table.cursor_row == 3
        await pilot.press("t")
        await settle(pilot, lambda: tab.tailing)
        assert "tail on" in str(tab.query_one("#events-info").render())
        tabs = app.query_one(TabbedContent)
        assert "●" in str(tabs.get_tab("events").label)
        new_id = str(uuid.uuid4())
        # Now, not later: PostHog lists nothing stamped over 5 s ahead (nor does the server).
        at = datetime.now(UTC)
        response = httpx.post(
            f"{demo_server.url}/capture/",
            json={
                "api_key": project_token(demo_server),
                "event": "tail_test",
                "distinct_id": "tailer@example.com",
                "properties": {"$browser": "Firefox"},
                "timestamp": iso(at),
                "uuid": new_id,
            },
            timeout=30,
        )
        assert expect(response, 200) == {"status": 1}
        await settle(pilot, lambda: new_id in tab.ids)
        assert tab.events[0].id == new_id and table_ids(tab)[0] == new_id
        assert tab.cursor_event is not None and tab.cursor_event.id == under_cursor.id
        assert tab.table.cursor_row == 4
        await pilot.press("t")
        await settle(pilot, lambda: not tab.tailing)
        assert tab._tail_timer is None
        assert "●" not in str(tabs.get_tab("events").label)


async def test_enter_shows_the_events_json(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        event = tab.events[0]
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EventJsonScreen))
        screen = app.screen
        assert isinstance(screen, EventJsonScreen)
        assert f'"id": "{event.id}"' in screen.text
        for key in event.properties:
            assert f'"{key}":' in screen.text
        await pilot.press("c")
        assert app.clipboard == screen.text
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, EventJsonScreen))


async def test_the_insight_shortcut_filters_by_its_events(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("l")
        await settle(pilot)
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        entry = tree_of(app).cursor_entry
        assert entry is not None and entry.ref
        insight = expect(api_demo.get("insights/", params={"short_id": entry.ref}), 200)
        series = insight["results"][0]["query"]["source"]["series"]
        tab = await open_events(pilot)
        await pilot.press("i")
        box = tab.query_one("#events-event", Input)
        names = list(dict.fromkeys(s["event"] for s in series))
        await settle(pilot, lambda: box.value == " | ".join(names) and not tab.loading)
        assert tab.filters.names == names
        assert {e.event for e in tab.events} <= set(names)


async def test_an_insight_of_two_events_shows_both_merged_newest_first(
    demo_server: LiveServer, api_demo: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventsTab, "page_size", 30)
    insights = expect(api_demo.get("insights/", params={"limit": 500}), 200)["results"]
    insight = next(
        i
        for i in insights
        if i["query"] and len({s["event"] for s in i["query"]["source"]["series"]}) == 2
    )
    names = list(dict.fromkeys(s["event"] for s in insight["query"]["source"]["series"]))
    found = expect(
        api_demo.get("file_system/", params={"ref": insight["short_id"], "type": "insight"}), 200
    )["results"]
    entry = FileSystemEntry.model_validate(found[0])
    # What the server has of either event, newest first: the first two pages of 30.
    either: list[dict[str, Any]] = []
    for name in names:
        either += expect(api_demo.get("events/", params={"event": name, "limit": 60}), 200)[
            "results"
        ]
    either.sort(key=lambda e: e["timestamp"], reverse=True)
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        tab.show(entry)
        await pilot.press("i")
        await settle(pilot, lambda: tab.filters.names == names and not tab.loading)
        assert table_ids(tab) == [e["id"] for e in either[:30]]
        await pilot.press("end")
        await settle(pilot, lambda: len(tab.events) >= 60 and not tab.loading)
        assert table_ids(tab) == [e["id"] for e in either[:60]]


# ---------------------------------------------------------------------- pictures

SNAPSHOT_NOW = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
SNAPSHOT_EVENTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "$pageview",
        "ada@example.com",
        {"$current_url": "https://hedgebox.net/files", "$browser": "Firefox"},
    ),
    ("$autocapture", "ada@example.com", {"$pathname": "/files", "$browser": "Firefox"}),
    ("file_uploaded", "ada@example.com", {"file_type": "pdf", "size": 1234}),
    (
        "$pageview",
        "0192f1a4-anon",
        {"$current_url": "https://hedgebox.net/pricing", "$browser": "Safari"},
    ),
    ("signed_up", "grace@example.com", {"plan": "free", "$browser": "Chrome"}),
    ("[bold]markup[/bold]", "evil\x1b[31m", {"$current_url": "https://hedgebox.net/\u202eevil"}),
    (
        "$pageleave",
        "grace@example.com",
        {"$current_url": "https://hedgebox.net/", "$browser": "Chrome"},
    ),
    ("invite_sent", "grace@example.com", {"invitee": "linus@example.com"}),
]


@pytest.fixture
def snapshot_events(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """A fresh server holding a few events at fixed times; times shown in UTC against a
    fixed "now", so the picture never changes."""
    batch = [
        sdk_event(
            name,
            who,
            SNAPSHOT_NOW - timedelta(minutes=7 * i, seconds=13 * i),
            uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"hogtree-snapshot-{i}")),
            **props,
        )
        for i, (name, who, props) in enumerate(SNAPSHOT_EVENTS)
    ]
    batch.append(
        sdk_event("old_event", "ada@example.com", datetime(2024, 6, 1, 8, 30, tzinfo=UTC),
                  uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, "hogtree-snapshot-old")))
    )  # fmt: skip
    send_batch(live_server, batch)
    monkeypatch.setattr(EventsTab, "now", lambda self: SNAPSHOT_NOW)
    monkeypatch.setattr(EventsTab, "timezone", UTC)
    return live_server


async def _show_events(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await settle(pilot, lambda: app.client is not None)
    await pilot.press("v")
    tab = tab_of(app)
    await settle(pilot, lambda: len(tab.events) == len(SNAPSHOT_EVENTS) + 1 and not tab.loading)
    await pilot.press("down")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_events_tab_picture(
    snap_compare: SnapCompare, snapshot_events: LiveServer, size: tuple[int, int]
) -> None:
    """The Events tab beside an empty tree: fixed events, newest first, cursor on row 2."""
    app = new_app(snapshot_events.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=size, run_before=_show_events)


async def test_the_tail_waits_while_hidden_and_tree_keys_keep_working(
    demo_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EventsTab, "tail_interval", 0.1)
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        await pilot.press("t")
        await settle(pilot, lambda: tab.tailing)
        polls: list[int] = []
        original = tab._poll_newer

        def counted(generation: int) -> object:
            polls.append(generation)
            return original(generation)

        monkeypatch.setattr(tab, "_poll_newer", counted)
        # The tree keeps answering while the tail runs.
        tree = tree_of(app)
        tree.focus()
        before = tree.cursor_line
        await pilot.press("j")
        await settle(pilot, lambda: tree.cursor_line == before + 1)
        # Another tab on screen: no polling until the Events tab shows again.
        app.query_one(SidePane).tabs.active = "details"
        await settle(pilot, lambda: not tab.on_screen)
        polls.clear()
        await pilot.pause(0.5)
        assert polls == []
        await pilot.press("v")
        await settle(pilot, lambda: bool(polls))
        assert tab.tailing


async def test_a_key_without_query_read_says_so_in_the_tab(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, READ_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: app.client is not None)
        await pilot.press("v")
        tab = tab_of(app)
        info = tab.query_one("#events-info")
        await settle(pilot, lambda: tab.exhausted and not tab.loading)
        shown = str(info.render())
        assert "query:read" in shown and info.has_class("-error")
        assert tab.table.row_count == 0


def drawn_line(table: DataTable[Any], y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def _shrink_and_grow(pilot: Pilot[None]) -> None:
    """The Events tab at 80x24, the terminal shrunk to 60x15, then grown back."""
    await _show_events(pilot)
    for size in ((60, 15), (80, 24)):
        await pilot.resize_terminal(*size)
        await settle(pilot)
        await pilot.pause(0.1)


async def test_after_a_shrink_and_a_grow_every_time_is_whole(
    snapshot_events: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = new_app(snapshot_events.url, ADMIN_KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _show_events(pilot)
        table = tab_of(app).table
        rebuild = table.rebuild

        def drawn_at_once(keep: Any = None) -> None:
            # As in a terminal that tmux resizes: a frame is drawn right after the table
            # is laid out again, before Textual has measured its new rows.
            rebuild(keep)
            for y in range(table.size.height):
                drawn_line(table, y)

        def details_width() -> int:
            return table.columns[ColumnKey("details")].width

        monkeypatch.setattr(table, "rebuild", drawn_at_once)
        wide = details_width()
        await pilot.resize_terminal(60, 15)
        await settle(pilot)
        await pilot.pause(0.1)
        assert details_width() < wide  # shrunk: the details column narrows
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.pause(0.1)
        assert details_width() == wide  # and widens back
        rows = (table.size.height - 1) // 2  # under the header, two lines an event
        for row in range(min(rows, len(tab_of(app).events))):
            time = table.time_of(tab_of(app).events[row])
            assert drawn_line(table, 1 + 2 * row).strip().startswith(time + " ")


def test_events_tab_picture_after_a_shrink_and_a_grow(
    snap_compare: SnapCompare, snapshot_events: LiveServer
) -> None:
    """The Events tab at 80x24 after the terminal was shrunk to 60x15: every time whole."""
    app = new_app(snapshot_events.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_shrink_and_grow)


async def _grow_and_shrink(pilot: Pilot[None]) -> None:
    """The Events tab at 60x15, the terminal grown to 80x24, then shrunk back."""
    await _show_events(pilot)
    for size in ((80, 24), (60, 15)):
        await pilot.resize_terminal(*size)
        await settle(pilot)
        await pilot.pause(0.1)


def test_events_tab_picture_after_a_grow_and_a_shrink(
    snap_compare: SnapCompare, snapshot_events: LiveServer
) -> None:
    """The Events tab at 60x15 after the terminal was grown to 80x24 and shrunk back."""
    app = new_app(snapshot_events.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=(60, 15), run_before=_grow_and_shrink)
