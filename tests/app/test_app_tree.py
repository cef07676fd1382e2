"""The app's tree against a real local server: lazy loading, pages, marks, search, errors."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx
import pytest
from rich.style import Style
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    loaded,
    move_cursor_to,
    new_app,
    open_folder,
    row_texts,
    settle,
    tree_of,
    visible_names,
)

from tui.app.app import HogtreeApp
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.tree_rows import GapRow
from tui.backend import LocalBackend

pytestmark = pytest.mark.anyio


def server_children(api: httpx.Client, parent: str | None, depth: int) -> list[str]:
    params: dict[str, str | int] = {"depth": depth, "limit": 1000}
    if parent:
        params["parent"] = parent
    return [e["path"] for e in api.get("file_system/", params=params).json()["results"]]


async def test_top_level_shows_what_the_server_lists_folders_first(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert visible_names(app) == server_children(api_demo, None, 1)


async def test_a_folder_loads_its_children_when_expanded_and_only_then(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        assert "Marketing" not in tree.folders  # nothing fetched before it is opened
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("l")
        await settle(pilot, lambda: tree.folders["Marketing"].total is not None)
        shown = [p for p in visible_names(app) if p.startswith("Marketing/")]
        assert shown == server_children(api_demo, "Marketing", 2)
        # folding and opening again asks nothing more of the server
        folder = tree.folders["Marketing"]
        await pilot.press("h", "l")
        await settle(pilot)
        assert tree.folders["Marketing"] is folder and folder.generation == 0


async def test_a_big_folder_shows_a_row_for_what_is_not_loaded_and_loads_it_when_reached(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    big = "Data/Event catalogue"
    listed = api_demo.get("file_system/", params={"parent": big, "depth": 3, "limit": 300})
    total = listed.json()["count"]
    assert total > 200
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        await open_folder(pilot, "Data")
        await open_folder(pilot, big)
        assert sorted(tree.folders[big].window.pages) == [0]
        assert f"… {total - 100} entries …" in row_texts(app)
        # the cursor reaching the row loads the page it stands for, and lands on its first
        gap = next(n for n in tree.folders[big].node.children if isinstance(n.data, GapRow))
        tree.move_cursor(gap)
        hundred_and_first = listed.json()["results"][100]
        await settle(
            pilot,
            lambda: (
                tree.cursor_entry is not None and tree.cursor_entry.id == hundred_and_first["id"]
            ),
        )
        assert app.side_pane.entry == tree.cursor_entry
        inside = [p for p in visible_names(app) if p.startswith(big + "/")]
        assert inside == [e["path"] for e in listed.json()["results"][: len(inside)]]
        assert len(inside) == len(set(inside)) >= 200


async def test_names_are_shown_literally(live_server: LiveServer, api: httpx.Client) -> None:
    hostile = "[bold red]not bold[/] \x1b[31mred\x1b[0m \x07bell \u202eevil"
    api.post("file_system/", json={"path": "Odd/" + hostile.replace("/", "\\/"), "type": "insight"})
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Odd")
        await pilot.press("l")
        await settle(pilot, lambda: any(p.startswith("Odd/") for p in visible_names(app)))
        label = next(t for t in row_texts(app) if "not bold" in t)
        assert "[bold red]not bold[/]" in label  # markup shown, not obeyed
        assert "\x1b" not in label and "\x07" not in label and "\u202e" not in label
        assert "␛[31mred" in label and "␇bell" in label and "<U+202E>evil" in label


async def test_search_jumps_to_the_entry(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await pilot.press(*"name:Onboarding completion")
        await settle(pilot, lambda: app.screen.query("#search-results").first().option_count > 0)
        await pilot.press("down", "enter")
        tree = tree_of(app)
        await settle(
            pilot,
            lambda: (
                tree.cursor_entry is not None and "Onboarding completion" in tree.cursor_entry.path
            ),
        )
        assert tree.cursor_entry is not None
        assert tree.cursor_entry.path.endswith("Onboarding completion")


async def test_a_wrong_key_is_a_message_not_a_traceback(live_server: LiveServer) -> None:
    app = new_app(live_server.url, "phx_wrong")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: bool(app.status.error))
        assert "API key was refused" in app.status.error
        assert app.is_running


async def test_a_dead_server_is_a_message_and_r_retries(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = new_app(f"http://127.0.0.1:{port}", ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: bool(app.status.error))
        assert "Disconnected" in app.status.error and "R retries" in app.status.error
        await pilot.press("R")
        await settle(pilot)
        assert app.is_running


async def test_quitting_the_local_demo_leaves_no_thread_behind(tmp_path: Path) -> None:
    before = {t.ident for t in threading.enumerate()}
    app = HogtreeApp(LocalBackend(tmp_path / "demo.sqlite3"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert "Marketing" in visible_names(app)
        await pilot.press("q")
    leftover = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not [t for t in leftover if t.name == "hogtree-server"]


async def test_a_reload_keeps_open_folders_open_and_shows_the_servers_truth(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        for folder in ("Marketing", "Marketing/Campaigns"):
            await move_cursor_to(pilot, folder)
            await pilot.press("l")
            await settle(
                pilot, lambda f=folder: f in tree.folders and tree.folders[f].total is not None
            )
        # a change made elsewhere: the reload must show it
        api_demo.post("file_system/", json={"path": "Marketing/Campaigns/Made elsewhere"})
        await move_cursor_to(pilot, "Archive")
        await pilot.press("R")  # Archive is folded: R reloads the top level it sits in
        await settle(pilot, lambda: "Marketing/Campaigns/Made elsewhere" in visible_names(app))
        shown = visible_names(app)
        assert [p for p in shown if p.startswith("Marketing/Campaigns/")] == server_children(
            api_demo, "Marketing/Campaigns", 3
        )
        assert tree.cursor_entry is not None and tree.cursor_entry.path == "Archive"


async def test_the_fast_label_width_is_the_drawn_width(demo_server: LiveServer) -> None:
    """get_label_width skips drawing the row; it must still measure what is drawn (folders,
    items, marks, wide emoji, the loading and load-more rows)."""
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        for folder in ("Marketing", "Team 🦔 notes"):
            await move_cursor_to(pilot, folder)
            await pilot.press("l", "space")  # open it, mark it
            await settle(pilot)
        rows = [tree.get_node_at_line(line) for line in range(tree.last_line + 1)]
        assert len(rows) > 10 and tree.marks
        for node in rows:
            assert node is not None
            drawn = tree.render_label(node, Style(), Style()).cell_len
            assert tree.get_label_width(node) == drawn, node.label.plain


async def test_a_page_arriving_below_the_cursor_leaves_the_side_pane_alone(
    demo_server: LiveServer,
) -> None:
    """Opening the folder under the cursor keeps the cursor on it: its children arriving
    announce nothing (the side pane would redraw the same entry, every page)."""
    announced: list[object] = []

    def hook(message: object) -> None:
        if isinstance(message, ProjectTree.EntryHighlighted):
            announced.append(message.entry)

    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Marketing")
        announced.clear()
        await pilot.press("l")
        tree = tree_of(app)
        await settle(pilot, lambda: tree.folders["Marketing"].total is not None)
        assert "Marketing/Weekly signups" in visible_names(app)
        assert announced == []
        await pilot.press("down")  # the cursor moving is announced, as before
        await settle(pilot)
        assert [getattr(e, "path", None) for e in announced][-1:] == [tree.cursor_entry.path]
