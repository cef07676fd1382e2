"""Shortcuts, Recent, "File unfiled objects" and the project switcher in the app, each
checked against what the server then holds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, READ_KEY, LiveServer
from support.app_harness import (
    loaded,
    make,
    move_cursor_to,
    new_app,
    open_folder,
    open_section,
    pinned_rows,
    settle,
    status_text,
    tree_of,
    visible_names,
)
from support.insight_helpers import create_insight
from support.view_history import record_views
from textual.widgets import OptionList

from tui.app.screens.projects import ProjectsScreen

pytestmark = pytest.mark.anyio


def shortcuts_held(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("file_system_shortcut/")
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


@pytest.fixture
def starred_project(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {
        "alpha": make(api, "Reports/Alpha", type="insight", ref="alpha1"),
        "beta": make(api, "Reports/Beta", type="dashboard", ref="7"),
    }


async def test_S_adds_the_entry_to_shortcuts_and_S_on_its_row_takes_it_out(
    live_server: LiveServer, api: httpx.Client, starred_project: dict[str, Any]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert tree_of(app).cursor_entry is not None  # on the project's first row, not a head
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("S")
        await settle(pilot)
        assert "Added to Shortcuts: Alpha" in status_text(app)
        held = shortcuts_held(api)
        assert [(s["path"], s["type"], s["ref"]) for s in held] == [("Alpha", "insight", "alpha1")]

        rows = await open_section(pilot, "shortcuts")
        assert [(row.name, row.entry.id if row.entry else None) for row in rows] == [
            ("Alpha", starred_project["alpha"]["id"])
        ]
        # The panes describe the shortcut's entry.
        tree = tree_of(app)
        tree.move_cursor(tree.sections["shortcuts"].node.children[0])
        await settle(pilot)
        assert app.side_pane.entry is not None
        assert app.side_pane.entry.id == starred_project["alpha"]["id"]

        await pilot.press("S")
        await settle(pilot, lambda: not pinned_rows(app, "shortcuts"))
        assert shortcuts_held(api) == []
        assert "Removed from Shortcuts: Alpha" in status_text(app)


async def test_S_on_a_starred_entry_in_its_folder_takes_it_out(
    live_server: LiveServer, api: httpx.Client, starred_project: dict[str, Any]
) -> None:
    api.post("file_system_shortcut/", json={"path": "Beta", "type": "dashboard", "ref": "7"})
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Reports")
        await move_cursor_to(pilot, "Reports/Beta")
        await pilot.press("S")
        await settle(pilot)
    assert shortcuts_held(api) == []


async def test_enter_on_a_shortcut_jumps_to_its_entry_in_the_tree(
    live_server: LiveServer, api: httpx.Client, starred_project: dict[str, Any]
) -> None:
    api.post("file_system_shortcut/", json={"path": "Beta", "type": "dashboard", "ref": "7"})
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_section(pilot, "shortcuts")
        tree = tree_of(app)
        tree.move_cursor(tree.sections["shortcuts"].node.children[0])
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None and tree.cursor_pinned is None  # a row of the tree itself
        assert tree.cursor_entry is not None
        assert tree.cursor_entry.id == starred_project["beta"]["id"]
        assert "Reports/Beta" in visible_names(app)


async def test_a_shortcut_whose_entry_is_gone_says_so(
    live_server: LiveServer, api: httpx.Client
) -> None:
    api.post("file_system_shortcut/", json={"path": "Gone", "type": "insight", "ref": "nope"})
    make(api, "Kept", type="folder")
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = await open_section(pilot, "shortcuts")
        assert [(row.name, row.entry) for row in rows] == [("Gone", None)]
        head = tree_of(app).sections["shortcuts"].node
        assert "(not in the tree)" in head.children[0].label.plain


async def test_a_section_the_key_may_not_read_says_why_in_the_tree(
    live_server: LiveServer, api: httpx.Client, starred_project: dict[str, Any]
) -> None:
    """The read-only test key has no shortcut scope: the row says so, the log has why."""
    app = new_app(live_server.url, READ_KEY, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        section = tree.sections["shortcuts"]
        tree.move_cursor(section.node)
        await pilot.press("l")
        await settle(pilot, lambda: section.failure is not None)
        assert "could not load: not allowed" in section.node.children[0].label.plain
        assert "Shortcuts" in app.status.error


async def test_file_unfiled_objects_from_the_palette(demo_server: LiveServer) -> None:
    create_insight(demo_server.db_path, "Orphan from the test", None, short_id="orphan1")
    with demo_server.client() as api:
        app = new_app(demo_server.url, ADMIN_KEY)
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await pilot.press("ctrl+p")
            await pilot.press(*"File unfiled")
            await settle(pilot)
            await pilot.pause(0.3)  # the palette's search runs on a timer
            await pilot.press("enter")
            await settle(pilot, lambda: "Filed" in status_text(app))
            await settle(pilot)
            assert "Unfiled" in visible_names(app)
        entries = api.get("file_system/", params={"ref": "orphan1", "type": "insight"}).json()
        assert [e["path"] for e in entries["results"]] == ["Unfiled/Insights/Orphan from the test"]
        # Everything was filed: a second run files nothing.
        assert api.get("file_system/unfiled/").json() == {"count": 0}


async def test_P_switches_project_and_changes_land_in_the_new_one(
    demo_server: LiveServer,
) -> None:
    with demo_server.client(project=2) as api2, demo_server.client() as api1:
        second_top = [
            e["path"]
            for e in api2.get("file_system/", params={"depth": 1, "limit": 100}).json()["results"]
        ]
        app = new_app(demo_server.url, ADMIN_KEY)
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await pilot.press("P")
            await settle(pilot, lambda: isinstance(app.screen, ProjectsScreen))
            screen = app.screen
            assert isinstance(screen, ProjectsScreen)
            await settle(pilot, lambda: len(screen.projects) >= 2)
            options = screen.query_one(OptionList)
            options.highlighted = [p.id for p in screen.projects].index(2)
            await pilot.press("enter")
            await loaded(pilot)
            await settle(pilot)
            assert app.client is not None and app.client.project_id == 2
            assert visible_names(app) == second_top
            assert "project 2" in app.sub_title
            await pilot.press("n")
            await pilot.press(*"Made after the switch", "enter")
            await settle(pilot)
        made = api2.get("file_system/", params={"path": "Made after the switch"}).json()
        assert made["count"] == 1
        assert api1.get("file_system/", params={"path": "Made after the switch"}).json()["count"] == 0


async def test_recent_lists_what_the_server_lists_in_its_order(
    live_server: LiveServer, api: httpx.Client, starred_project: dict[str, Any]
) -> None:
    record_views(
        live_server.db_path,
        ADMIN_KEY,
        [("insight", "alpha1", "2026-11-01T10:00:00Z"), ("dashboard", "7", "2026-11-02T10:00:00Z")],
    )
    served = api.get("file_system/", params={"order_by": "-last_viewed_at"}).json()["results"]
    assert [e["path"] for e in served] == ["Reports/Beta", "Reports/Alpha"]
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = await open_section(pilot, "recent")
        assert [row.entry.id for row in rows if row.entry] == [e["id"] for e in served]
        head = tree_of(app).sections["recent"].node
        assert head.children[0].label.plain.endswith("Reports")  # the folder it is in
        # enter jumps to it in the tree
        tree_of(app).move_cursor(head.children[1])
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        entry = tree_of(app).cursor_entry
        assert tree_of(app).cursor_pinned is None
        assert entry is not None and entry.path == "Reports/Alpha"
