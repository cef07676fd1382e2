"""Every change the app makes, checked against what the SERVER holds afterwards."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    held,
    loaded,
    make,
    move_cursor_to,
    new_app,
    open_folder,
    settle,
    tree_of,
    visible_names,
)
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app.app import MUTATING_ACTIONS
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.count import CountScreen
from tui.app.screens.help import HelpScreen
from tui.server.limits import MAX_PATH_LENGTH

pytestmark = pytest.mark.anyio


def paths_held(api: httpx.Client) -> set[str]:
    return set(held(api).values())


async def type_into_prompt(pilot: Pilot[None], text: str, *, clear: bool = False) -> None:
    if clear:
        await pilot.press("ctrl+a", "ctrl+k")  # Input: start of line, delete to end
    await pilot.press(*text) if text else None
    await pilot.press("enter")
    await settle(pilot)


@pytest.fixture
def tree_data(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {
        "a": make(api, "Reports/Alpha", type="doc"),
        "b": make(api, "Reports/Beta", type="doc"),
        "c": make(api, "Reports/Gamma \\/ Delta", type="doc"),
        "archive": make(api, "Archive", type="folder"),
    }


async def test_new_folder_inside_the_folder_under_the_cursor(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Reports")
        await pilot.press("n")
        await type_into_prompt(pilot, "Q4 / Q1")
        await settle(pilot, lambda: "Reports/Q4 \\/ Q1" in visible_names(app))
        assert app.status.error == ""
        assert tree_of(app).cursor_entry is not None
        assert tree_of(app).cursor_entry.path == "Reports/Q4 \\/ Q1"
    assert "Reports/Q4 \\/ Q1" in paths_held(api)


async def test_a_rename_past_the_path_limit_says_why_and_changes_nothing(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    """A pasted name can be any length: the status line shows the server's reason."""
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one(Input).value = "n" * MAX_PATH_LENGTH  # as a paste would
        await pilot.press("enter")
        await settle(pilot, lambda: "characters or fewer" in app.status.error)
        assert f"Path must be {MAX_PATH_LENGTH} characters or fewer." in app.status.error
    assert held(api)[tree_data["a"]["id"]] == "Reports/Alpha"


async def test_rename_then_undo(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("r")
        await type_into_prompt(pilot, "Omega", clear=True)
        await settle(pilot, lambda: "Reports/Omega" in visible_names(app))
        assert held(api)[tree_data["a"]["id"]] == "Reports/Omega"
        assert "Renamed Alpha to Omega" in app.status.message
        await pilot.press("u")
        await settle(pilot, lambda: "Reports/Alpha" in visible_names(app))
    assert held(api)[tree_data["a"]["id"]] == "Reports/Alpha"


async def test_move_marked_entries_then_undo(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("space")  # marks Alpha, moves down to Beta
        await move_cursor_to(pilot, "Reports/Gamma \\/ Delta")
        await pilot.press("space")
        assert len(tree_of(app).marks) == 2
        await pilot.press("m")
        await type_into_prompt(pilot, "Archive/2025", clear=True)
        await settle(pilot, lambda: "Moved 2 entries" in app.status.message)
        now = held(api)
        assert now[tree_data["a"]["id"]] == "Archive/2025/Alpha"
        assert now[tree_data["c"]["id"]] == "Archive/2025/Gamma \\/ Delta"
        assert now[tree_data["b"]["id"]] == "Reports/Beta"
        assert "Archive/2025" in now.values()  # the new folder exists on the server
        assert not tree_of(app).marks
        await pilot.press("u")
        await settle(pilot, lambda: app.status.message.startswith("Undid"))
    back = held(api)
    assert back[tree_data["a"]["id"]] == "Reports/Alpha"
    assert back[tree_data["c"]["id"]] == "Reports/Gamma \\/ Delta"


async def test_cut_and_paste_into_a_folder(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Beta")
        await pilot.press("x")
        await move_cursor_to(pilot, "Archive")
        await pilot.press("p")
        await settle(pilot, lambda: "Moved 1 entry" in app.status.message)
    assert held(api)[tree_data["b"]["id"]] == "Archive/Beta"


async def test_link_makes_a_shortcut(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("L")
        await type_into_prompt(pilot, "Archive", clear=True)
        await settle(pilot, lambda: "Linked 1 entry" in app.status.message)
    shortcuts = api.get("file_system/", params={"path": "Archive/Alpha"}).json()["results"]
    assert [s["shortcut"] for s in shortcuts] == [True]
    assert held(api)[tree_data["a"]["id"]] == "Reports/Alpha"  # the original stays


async def test_delete_says_what_goes_and_undo_brings_it_back(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    weekly = api_demo.get("file_system/", params={"path": "Marketing/Weekly signups"}).json()[
        "results"
    ][0]
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body.plain  # type: ignore[attr-defined]
        assert "Weekly signups will be deleted" in body
        assert "This also deletes 1 insight (the object itself" in body
        await pilot.press("y")
        await settle(pilot, lambda: app.status.message.startswith("Deleted"))
        assert "1 object" in app.status.message
        assert api_demo.get(f"file_system/{weekly['id']}/").status_code == 404
        await pilot.press("u")
        await settle(pilot, lambda: app.status.message.startswith("Restored"))
    restored = api_demo.get(
        "file_system/", params={"path": "Marketing/Weekly signups", "shortcut": "false"}
    ).json()["results"]
    assert [e["ref"] for e in restored if not e["shortcut"]] == [weekly["ref"]]


async def test_deleting_a_folder_counts_what_is_inside_and_no_keeps_it(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    before = held(api)
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Reports")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "with the 3 entries inside it" in app.screen.body.plain  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot)
    assert held(api) == before


async def test_count_shows_the_servers_count(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    marketing = api_demo.get("file_system/", params={"path": "Marketing"}).json()["results"][0]
    expected = api_demo.post(f"file_system/{marketing['id']}/count/").json()["count"]
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, CountScreen))
        assert app.screen.result.count == expected  # type: ignore[attr-defined]
        assert f"{expected:,} entries" in app.status.message


async def test_copy_url_puts_the_web_address_on_the_clipboard(
    demo_server: LiveServer,
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        entry = tree_of(app).cursor_entry
        assert entry is not None and entry.href
        await pilot.press("o")
        await settle(pilot)
    assert app.clipboard == f"https://posthog.example/project/1{entry.href}"


async def test_read_only_refuses_and_hides_every_change(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    before = held(api)
    app = new_app(live_server.url, ADMIN_KEY, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        for key in ("n", "r", "m", "x", "p", "L", "d", "delete", "u"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.screen_stack[0], f"{key} opened a dialog"
        footer_actions = {b.action for _, b, enabled, *_ in app.active_bindings.values() if enabled}
        assert not footer_actions & MUTATING_ACTIONS
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = " ".join(row.description for row in app.screen.rows)  # type: ignore[attr-defined]
        for word in ("Rename", "Move", "Delete", "Undo", "Link"):
            assert word not in described
        assert "Search" in described and "Reload" in described
    assert held(api) == before


async def test_help_lists_the_live_keys(live_server: LiveServer) -> None:
    app = new_app(live_server.url, ADMIN_KEY, keymap={"rename": "f2"})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {row.description: row.keys for row in app.screen.rows}  # type: ignore[attr-defined]
        assert rows["Rename"] == ("f2",)
        assert "space" in rows["Mark"]
