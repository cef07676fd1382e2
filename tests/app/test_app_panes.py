"""Panes and keys as people expect: 1/2/3 choose the side pane's tab, tab has two stops
(the tree and the pane's content), and j/k/g/G scroll the help and an event's JSON."""

from __future__ import annotations

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app, open_events, settle, tree_of
from textual.pilot import Pilot
from textual.widget import Widget

from tui.app.app import HogtreeApp
from tui.app.screens.event_json import EventJsonScreen
from tui.app.screens.help import HelpScreen
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.exports_tab import ExportsTab
from tui.app.widgets.key_scroll import KeyScroll
from tui.app.widgets.side_pane import SidePane

pytestmark = pytest.mark.anyio


def side_of(app: HogtreeApp) -> SidePane:
    return app.query_one(SidePane)


def focused_in_pane(app: HogtreeApp) -> bool:
    focused = app.focused
    return focused is not None and side_of(app) in focused.ancestors


async def test_1_2_3_open_details_exports_events_and_the_tree_keeps_the_focus(
    demo_server: LiveServer,
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        side = side_of(app)
        for key, tab in (("2", "exports"), ("3", "events"), ("1", "details")):
            await pilot.press(key)
            await settle(pilot)
            assert side.tabs.active == tab
            assert tree_of(app).has_focus
        # Events on screen: its first page is what the server serves, newest first.
        await pilot.press("3")
        events = app.query_one(EventsTab)
        await settle(pilot, lambda: events.started and not events.loading and bool(events.events))
        with demo_server.client() as http:
            newest = http.get("events/", params={"limit": 1}).json()["results"][0]["id"]
        assert events.events[0].id == newest


async def test_a_pane_key_shows_the_hidden_pane(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        side = side_of(app)
        await pilot.press("backslash")
        await settle(pilot)
        assert not side.display
        await pilot.press("2")
        await settle(pilot)
        assert side.display and side.tabs.active == "exports"
        assert tree_of(app).has_focus


async def test_a_pane_key_from_inside_the_pane_focuses_the_new_tab(
    demo_server: LiveServer,
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)  # v: the events table has the focus
        assert tab.table.has_focus
        await pilot.press("1")
        await settle(pilot)
        assert side_of(app).tabs.active == "details"
        assert app.focused is app.query_one("#details-scroll", KeyScroll)


@pytest.mark.parametrize("back", ["tab", "shift+tab"])
async def test_tab_has_two_stops_the_tree_and_the_panes_content(
    demo_server: LiveServer, back: str
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        stops: list[Widget | None] = []
        for _ in range(4):
            await pilot.press(back)
            await settle(pilot)
            stops.append(app.focused)
        details = app.query_one("#details-scroll", KeyScroll)
        assert stops == [details, tree, details, tree]  # never the tab bar
        await pilot.press("3")
        await settle(pilot)
        await pilot.press(back)
        await settle(pilot)
        assert app.focused is app.query_one(EventsTab).table
        await pilot.press("2", back)  # back to the tree, from the Exports tab
        await settle(pilot)
        assert tree.has_focus
        await pilot.press(back)
        await settle(pilot)
        assert focused_in_pane(app)
        assert app.focused is not app.query_one(ExportsTab).query_one("#exports-new")


async def scrolled_by_keys(pilot: Pilot[None], view: KeyScroll) -> None:
    """j, k, G, g move ``view`` a line down, up, to the end, to the top."""
    assert view.max_scroll_y > 2, "the test needs something to scroll"
    await pilot.press("j", "j")
    await settle(pilot, lambda: view.scroll_y == 2)
    await pilot.press("k")
    await settle(pilot, lambda: view.scroll_y == 1)
    await pilot.press("G")
    await settle(pilot, lambda: view.scroll_y == view.max_scroll_y)
    await pilot.press("g")
    await settle(pilot, lambda: view.scroll_y == 0)
    await pilot.press("end")
    await settle(pilot, lambda: view.scroll_y == view.max_scroll_y)
    await pilot.press("home")
    await settle(pilot, lambda: view.scroll_y == 0)


async def test_j_k_g_G_scroll_the_help(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        await scrolled_by_keys(pilot, app.screen.query_one(KeyScroll))


async def test_j_k_g_G_scroll_an_events_json(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_events(pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, EventJsonScreen))
        await scrolled_by_keys(pilot, app.screen.query_one("#event-json-body", KeyScroll))
