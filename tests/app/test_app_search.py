"""``/`` against a real local server: one ``enter`` jumps (also when pressed before the
results arrive), ``↓``/``↑`` and ``ctrl+n``/``ctrl+p`` choose with the focus in the query,
results past the first hundred load as the highlight nears their end; and the keys pressed
before the app is connected wait for the connection instead of being lost."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    backend_for,
    gated_backend_for,
    held,
    loaded,
    make,
    settle,
    tree_of,
)
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tui.app.app import HogtreeApp
from tui.app.screens.prompt import PromptScreen
from tui.app.screens.search import SearchScreen
from tui.app.status import Level

pytestmark = pytest.mark.anyio

DEEP = "Reports/2025/Q4/Deep signal"
# How many results the search screen showed at most before it paged.
ONE_PAGE = 100


def search_screen(app: HogtreeApp) -> SearchScreen:
    screen = app.screen
    assert isinstance(screen, SearchScreen), f"not searching: {screen!r}"
    return screen


def query_field(search: SearchScreen) -> Input:
    return search.query_one("#search-input", Input)


def result_list(search: SearchScreen) -> OptionList:
    return search.query_one("#search-results", OptionList)


def option_ids(search: SearchScreen) -> list[str]:
    return [option.id or "" for option in result_list(search).options]


def status_text(search: SearchScreen) -> str:
    return str(search.query_one("#search-status").render())


async def results_shown(pilot: Pilot[None], count: int | None = None) -> SearchScreen:
    """Wait until the search screen shows results (``count`` of them) and says so."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)

    def shown() -> bool:
        search = app.screen
        if not isinstance(search, SearchScreen) or "found" not in status_text(search):
            return False
        shown = result_list(search).option_count
        return shown > 0 and (count is None or shown == count)

    await settle(pilot, shown)
    return search_screen(app)


async def search_for(pilot: Pilot[None], query: str, count: int | None = None) -> SearchScreen:
    """``/``, ``query`` typed, and its results shown."""
    await pilot.press("slash")
    await pilot.press(*query)
    return await results_shown(pilot, count=count)


async def jumped_to(pilot: Pilot[None], entry_id: str) -> None:
    """Wait until the search is gone and the tree's cursor is on ``entry_id``."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)

    def there() -> bool:
        cursor = tree.cursor_entry
        searching = isinstance(app.screen, SearchScreen)
        return not searching and cursor is not None and cursor.id == entry_id

    await settle(pilot, there)


def assert_cursor_is_the_servers(app: HogtreeApp, api: httpx.Client, entry_id: str) -> None:
    """The entry under the cursor is the one the server holds, at the path it holds it."""
    cursor = tree_of(app).cursor_entry
    assert cursor is not None and cursor.id == entry_id
    assert held(api)[entry_id] == cursor.path


@pytest.fixture
def nested(api: httpx.Client) -> dict[str, Any]:
    """An insight three folders down, and others around it that the query does not find."""
    make(api, "Reports/Shallow signal", type="insight")
    make(api, "Reports/2025/Q4/Other", type="insight")
    return make(api, DEEP, type="insight")


@pytest.fixture
def probes(api: httpx.Client) -> list[dict[str, Any]]:
    """Three results for ``name:Probe``, each in a folder of its own."""
    return [make(api, f"Lab/{where}/Probe {where}", type="insight") for where in "ABC"]


@pytest.fixture
def bulk(api: httpx.Client) -> set[str]:
    """More results for ``name:Item`` than one page holds; the ids of all of them."""
    return {make(api, f"Bulk/Item {n:03}", type="insight")["id"] for n in range(130)}


# ------------------------------------------------------------------ one enter


async def test_one_enter_jumps_to_the_first_result(
    live_server: LiveServer, api: httpx.Client, nested: dict[str, Any]
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Deep")
        assert option_ids(search) == [nested["id"]]
        assert app.focused is query_field(search)
        await pilot.press("enter")
        await jumped_to(pilot, nested["id"])
        assert_cursor_is_the_servers(app, api, nested["id"])
        assert tree_of(app).cursor_entry.path == DEEP  # type: ignore[union-attr]


async def test_enter_typed_before_the_results_jumps_when_they_arrive(
    live_server: LiveServer, api: httpx.Client, nested: dict[str, Any]
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await pilot.press(*"name:Deep")
        search = search_screen(app)
        # Still within the pause before the server is asked: nothing to choose from yet.
        assert result_list(search).option_count == 0
        await pilot.press("enter")
        await jumped_to(pilot, nested["id"])
        assert_cursor_is_the_servers(app, api, nested["id"])


async def test_enter_on_a_query_that_finds_nothing_says_so_and_stays(
    live_server: LiveServer, nested: dict[str, Any]
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await pilot.press(*"name:Nowhere", "enter")
        search = search_screen(app)
        await settle(pilot, lambda: "nothing found" in status_text(search))
        assert app.screen is search
        assert query_field(search).value == "name:Nowhere"


# ------------------------------------------------------------------ choosing


@pytest.mark.parametrize(
    "keys",
    [("down",), ("down", "down", "up"), ("ctrl+n", "ctrl+n", "ctrl+p")],
    ids=["down", "down-down-up", "ctrl+n-ctrl+n-ctrl+p"],
)
async def test_keys_choose_the_second_result_with_the_focus_in_the_query(
    live_server: LiveServer,
    api: httpx.Client,
    probes: list[dict[str, Any]],
    keys: tuple[str, ...],
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Probe", count=len(probes))
        assert result_list(search).highlighted == 0
        await pilot.press(*keys)
        # The palette's ctrl+p stepped aside; the query kept the focus, and what was typed.
        assert app.screen is search
        assert app.focused is query_field(search)
        assert query_field(search).value == "name:Probe"
        assert result_list(search).highlighted == 1
        second = option_ids(search)[1]
        await pilot.press("enter")
        await jumped_to(pilot, second)
        assert_cursor_is_the_servers(app, api, second)


async def test_the_search_keys_are_remapped_by_id(
    live_server: LiveServer, api: httpx.Client, probes: list[dict[str, Any]]
) -> None:
    backend = backend_for(live_server.url, ADMIN_KEY)
    app = HogtreeApp(backend, keymap={"search_next": "ctrl+o", "search_go": "ctrl+g"})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Probe", count=len(probes))
        await pilot.press("ctrl+o", "ctrl+o")
        assert result_list(search).highlighted == 2
        await pilot.press("down", "enter")  # no longer bound here
        assert app.screen is search and result_list(search).highlighted == 2
        third = option_ids(search)[2]
        await pilot.press("ctrl+g")
        await jumped_to(pilot, third)
        assert_cursor_is_the_servers(app, api, third)


async def test_a_click_on_a_result_jumps_to_it(
    live_server: LiveServer, api: httpx.Client, probes: list[dict[str, Any]]
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Probe", count=len(probes))
        third = option_ids(search)[2]
        await pilot.click(result_list(search), offset=(4, 3))  # border, then the third row
        await jumped_to(pilot, third)
        assert_cursor_is_the_servers(app, api, third)


# ------------------------------------------------------------------ past one page


async def test_moving_to_the_end_loads_the_next_page(
    live_server: LiveServer, api: httpx.Client, bulk: set[str]
) -> None:
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Item", count=ONE_PAGE)
        assert f"{len(bulk)} found" in status_text(search)
        results = result_list(search)
        await pilot.press(*["pagedown"] * 3)
        for _ in range(ONE_PAGE):  # then ↓ to the last row of the first page
            if results.highlighted is None or results.highlighted >= ONE_PAGE - 1:
                break
            await pilot.press("down")
        await settle(pilot, lambda: results.option_count == len(bulk))
        ids = option_ids(search)
        assert len(ids) == len(set(ids)) == len(bulk)
        assert set(ids) == bulk
        assert f"{len(bulk)} found" in status_text(search)
        # The highlight went down with the keys, and the list shows it.
        assert results.highlighted == ONE_PAGE - 1
        top = round(results.scroll_y)
        assert top <= ONE_PAGE - 1 < top + results.scrollable_content_region.height
        assert app.focused is query_field(search)


class HeldPages(httpx.AsyncBaseTransport):
    """Carries requests to the real server, but a search page past the first waits until
    ``release`` is set: a late page."""

    def __init__(self) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self.release = asyncio.Event()
        self.held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if "search" in params and params.get("offset", "0") != "0":
            self.held += 1
            await self.release.wait()
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


async def test_a_new_query_drops_a_late_page_of_the_old_one(
    live_server: LiveServer, api: httpx.Client, bulk: set[str], probes: list[dict[str, Any]]
) -> None:
    backend = backend_for(live_server.url, ADMIN_KEY)
    backend.transport = pages = HeldPages()
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search = await search_for(pilot, "name:Item", count=ONE_PAGE)
        await pilot.press(*["pagedown"] * 5)
        await settle(pilot, lambda: pages.held == 1)  # the second page is on its way
        await pilot.press("ctrl+u", *"name:Probe")  # ctrl+u: delete to the start
        await results_shown(pilot, count=len(probes))
        pages.release.set()
        await settle(pilot)
        await pilot.pause(0.2)
        assert set(option_ids(search)) == {probe["id"] for probe in probes}
        assert f"{len(probes)} found" in status_text(search)


# ------------------------------------------------------------------ before the connection


async def test_slash_before_the_connection_searches_once_connected(
    live_server: LiveServer, api: httpx.Client, nested: dict[str, Any]
) -> None:
    backend = gated_backend_for(live_server.url, ADMIN_KEY)
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await pilot.press("slash")
            assert app.client is None
        finally:
            backend.gate.set()
        await loaded(pilot)
        search = search_screen(app)
        assert app.focused is query_field(search)
        await pilot.press(*"name:Deep")
        await results_shown(pilot)
        await pilot.press("enter")
        await jumped_to(pilot, nested["id"])
        assert_cursor_is_the_servers(app, api, nested["id"])


async def test_what_is_typed_before_the_connection_is_searched_then(
    live_server: LiveServer, api: httpx.Client, nested: dict[str, Any]
) -> None:
    backend = gated_backend_for(live_server.url, ADMIN_KEY)
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await pilot.press("slash", *"name:Deep", "enter")
            assert app.client is None
            assert query_field(search_screen(app)).value == "name:Deep"
        finally:
            backend.gate.set()
        await jumped_to(pilot, nested["id"])
        assert_cursor_is_the_servers(app, api, nested["id"])


async def test_new_folder_before_the_connection_runs_once_connected(
    live_server: LiveServer, api: httpx.Client
) -> None:
    backend = gated_backend_for(live_server.url, ADMIN_KEY)
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await pilot.press("n", "n")  # twice: one prompt
            assert app.client is None
            assert app.screen is app.screen_stack[0]
            assert "runs once connected" in app.status.message
        finally:
            backend.gate.set()
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert len(app.screen_stack) == 2
        await pilot.press(*"Early", "enter")
        await settle(pilot, lambda: "Early" in held(api).values())
        await settle(pilot)
        assert len(app.screen_stack) == 1


async def test_a_failed_connection_says_so_once_and_drops_what_waited(
    live_server: LiveServer, api: httpx.Client
) -> None:
    backend = gated_backend_for(live_server.url, ADMIN_KEY, failure="no route to host")
    app = HogtreeApp(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await pilot.press("n", "slash", *"abc")
            assert isinstance(app.screen, SearchScreen)
        finally:
            backend.gate.set()
        await settle(pilot, lambda: bool(app.status.error))
        await pilot.pause(0.2)
        assert app.screen is app.screen_stack[0]  # the search closed, no prompt opened
        errors = [entry.text for entry in app.status.log if entry.level is Level.ERROR]
        assert len(errors) == 1, errors
        assert "Could not start: no route to host" in errors[0]
        assert "not run" in errors[0]
        assert app.client is None
    assert held(api) == {}


async def test_the_search_keeps_ctrl_c_for_quitting(live_server: LiveServer) -> None:
    """The search claims its own keys from the app (ctrl+p), not Input's (ctrl+c copies)."""
    app = HogtreeApp(backend_for(live_server.url, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"abc")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running
