"""A big folder is a window over the server: the app holds the pages around the cursor,
jumps read the page they land on, and the cursor and the panes tell the truth after every
change. Against a real local server whose folder ``Big`` holds 5,000 entries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    backend_for,
    in_folder,
    loaded,
    move_cursor_to,
    open_folder,
    read_pages,
    row_texts,
    settle,
    tree_of,
)
from support.fault_transport import FaultyTransport
from textual.pilot import Pilot

from tui.app.app import HogtreeApp
from tui.app.widgets.project_tree import KEEP_PAGES
from tui.app.widgets.tree_rows import PAGE_SIZE, EntryRow, GapRow
from tui.models import FileSystemEntry

pytestmark = pytest.mark.anyio

BIG = "Big"
BIG_SIZE = 5_000


def listing(api: httpx.Client, offset: int, limit: int = 1, **params: Any) -> list[dict[str, Any]]:
    """Big's children as the server lists them (folders first, then path)."""
    query = {"parent": BIG, "depth": 2, "offset": offset, "limit": limit, **params}
    results: list[dict[str, Any]] = api.get("file_system/", params=query).json()["results"]
    return results


def at(api: httpx.Client, offset: int) -> FileSystemEntry:
    return FileSystemEntry.model_validate(listing(api, offset)[0])


def counted_app(server: LiveServer) -> tuple[HogtreeApp, FaultyTransport]:
    """The app on ``server``, its requests counted (a transport with no faults to inject)."""
    backend = backend_for(server.url, ADMIN_KEY)
    backend.transport = FaultyTransport()
    return HogtreeApp(backend), backend.transport


def big_pages_asked(transport: FaultyTransport, since: int = 0) -> int:
    return sum(1 for a in transport.attempts[since:] if a.endswith("/file_system/"))


async def cursor_on(pilot: Pilot[None], entry_id: str) -> None:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)
    await settle(pilot, lambda: tree.cursor_entry is not None and tree.cursor_entry.id == entry_id)


def shown_entry(app: HogtreeApp) -> FileSystemEntry | None:
    """What the Details pane describes."""
    return app.side_pane.entry


def big_rows(app: HogtreeApp) -> list[EntryRow | GapRow]:
    folder = tree_of(app).folders[BIG]
    return [c.data for c in folder.node.children if isinstance(c.data, EntryRow | GapRow)]


async def test_a_jump_into_the_middle_reads_the_page_it_lands_on_not_those_before(
    scale_server: LiveServer,
) -> None:
    with scale_server.client() as api:
        target = at(api, 2_550)
        page = [e["id"] for e in listing(api, 2_500, PAGE_SIZE)]
    app, transport = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        before = len(transport.attempts)
        app.jump_to(target)
        await cursor_on(pilot, target.id)
        # Found by bisection: a handful of requests, not the 25 pages before it.
        assert big_pages_asked(transport, before) <= 25
        window = tree_of(app).folders[BIG].window
        assert window.total == BIG_SIZE
        assert sorted(window.pages) == [25]
        # The page shows as the server lists it, between two rows standing for the rest.
        rows = big_rows(app)
        assert [r.entry.id for r in rows if isinstance(r, EntryRow)] == page
        assert isinstance(rows[0], GapRow) and (rows[0].start, rows[0].end) == (0, 2_500)
        assert isinstance(rows[-1], GapRow) and (rows[-1].start, rows[-1].end) == (2_600, 5_000)
        assert "… 2,500 entries …" in row_texts(app)
        assert "… 2,400 entries …" in row_texts(app)
        assert shown_entry(app) == target


async def test_jumps_to_more_far_pages_than_are_held_land_and_home_goes_back_to_the_top(
    scale_server: LiveServer,
) -> None:
    # B9 found it: once KEEP_PAGES pages were held, the page a jump had just read was the
    # farthest from the cursor and let go at once, so the jump said "no longer there".
    # Pages at the folder's end first, then one far from all of them.
    last_page = BIG_SIZE // PAGE_SIZE - 1
    pages = [last_page - i for i in range(KEEP_PAGES)] + [10, 20]
    offsets = [page * PAGE_SIZE + 17 for page in pages]
    with scale_server.client() as api:
        targets = [at(api, offset) for offset in offsets]
        first = at(api, 0)
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        for target in targets:
            app.jump_to(target)
            await cursor_on(pilot, target.id)
            assert shown_entry(app) == target
        assert len(tree_of(app).folders[BIG].window.pages) <= KEEP_PAGES
        assert not tree_of(app).folders[BIG].window.has(0)  # let go: home must read it again
        # home: Big's first entry (B9 saw it land on the entry before the cursor's page)
        await pilot.press("home")
        await cursor_on(pilot, first.id)
        # home again: the tree's first row
        await pilot.press("home")
        await settle(pilot, lambda: tree_of(app).cursor_line == 0)


async def test_G_in_a_big_folder_highlights_its_last_entry(scale_server: LiveServer) -> None:
    with scale_server.client() as api:
        last = at(api, BIG_SIZE - 1)
    app, transport = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, BIG)
        await pilot.press("j")
        before = len(transport.attempts)
        await pilot.press("G")
        await cursor_on(pilot, last.id)
        assert big_pages_asked(transport, before) == 1  # the last page, nothing between
        assert shown_entry(app) == last
        assert sorted(tree_of(app).folders[BIG].window.pages) == [0, 49]


async def test_scrolling_up_into_a_stretch_not_loaded_lands_on_the_entry_above(
    scale_server: LiveServer,
) -> None:
    with scale_server.client() as api:
        target = at(api, 2_500)
        above = at(api, 2_499)
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        app.jump_to(target)
        await cursor_on(pilot, target.id)
        await pilot.press("k")  # onto "… 2,500 entries …": its last entry loads
        await cursor_on(pilot, above.id)
        assert shown_entry(app) == above  # Details describes the row under the cursor
        assert app.status_line.path == above.path
        await pilot.press("j")
        await cursor_on(pilot, target.id)


async def test_page_down_never_jumps_over_entries_not_loaded(scale_server: LiveServer) -> None:
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, BIG)
        tree = tree_of(app)
        assert sorted(tree.folders[BIG].window.pages) == [0]
        await pilot.press("j")
        offsets: list[int] = []
        for _ in range(8):  # about 28 rows a press: well past the first page of 100
            await pilot.press("pagedown")
            await settle(pilot, lambda: isinstance(tree.cursor_node.data, EntryRow))  # type: ignore[union-attr]
            row = tree.cursor_node.data  # type: ignore[union-attr]
            assert isinstance(row, EntryRow), "the cursor rests on an entry, never on a gap"
            offsets.append(row.offset)
            with scale_server.client() as api:
                assert tree.cursor_entry == at(api, row.offset)
            assert shown_entry(app) == tree.cursor_entry
        steps = [b - a for a, b in zip([0, *offsets], offsets, strict=False)]
        assert all(0 < step <= 30 for step in steps), steps  # a screenful, never 4,900
        assert offsets[-1] > PAGE_SIZE


async def test_marks_survive_pages_let_go_and_move_together(scale_server: LiveServer) -> None:
    with scale_server.client() as api:
        api.post("file_system/", json={"path": "Dest", "type": "folder"})
        first = at(api, 3)
        far = at(api, 4_321)
        places = [at(api, offset) for offset in range(150, 4_900, 500)]
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        for entry in (first, far):
            app.jump_to(entry)
            await cursor_on(pilot, entry.id)
            await pilot.press("space")
        for entry in places:  # far more pages than the app keeps
            app.jump_to(entry)
            await cursor_on(pilot, entry.id)
        assert len(tree.folders[BIG].window.pages) <= KEEP_PAGES
        assert set(tree.marks) == {first.id, far.id}
        await pilot.press("m")
        await pilot.press("ctrl+u", *"Dest", "enter")
        await settle(pilot, lambda: "Moved 2" in app.status.message)
    with scale_server.client() as api:
        moved = api.get("file_system/", params={"parent": "Dest", "depth": 2}).json()
        assert {e["id"] for e in moved["results"]} == {first.id, far.id}
        assert api.get("file_system/", params={"parent": BIG, "depth": 2}).json()["count"] == (
            BIG_SIZE - 2
        )


async def test_a_folder_that_changes_while_shown_never_shows_an_entry_twice(
    scale_server: LiveServer,
) -> None:
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, BIG)
        tree = tree_of(app)
        with scale_server.client() as api:
            # Someone else deletes ten entries of the first page meanwhile.
            for entry in listing(api, 10, 10):
                assert api.delete(f"file_system/{entry['id']}/").is_success
            expected = [e["id"] for e in listing(api, 0, 300)]
        for _ in range(3):
            await pilot.press("pagedown")
            await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        for _ in range(30):
            await pilot.press("pagedown")
        await settle(pilot)
        folder = tree.folders[BIG]
        assert folder.total == BIG_SIZE - 10
        shown = [r.entry.id for r in big_rows(app) if isinstance(r, EntryRow)]
        assert len(shown) == len(set(shown))
        with scale_server.client() as api:
            on_server = {e["id"] for e in listing(api, 0, 10_000)}
        assert set(shown) <= on_server
        # What is held at the top is the server's listing, in its order.
        assert [i for i in shown if i in expected[:PAGE_SIZE]] == [
            i for i in expected[:PAGE_SIZE] if i in shown
        ]


async def test_a_key_pressed_before_the_first_page_runs_once_it_is_shown(
    tmp_path: Any, scale_database: Any
) -> None:
    import shutil

    from support import running_server, server_settings

    db_path = tmp_path / "slow.sqlite3"
    shutil.copyfile(scale_database, db_path)
    with running_server(server_settings(db_path, "empty", latency_ms=300)) as server:
        with server.client() as api:
            top = api.get("file_system/", params={"depth": 1, "limit": 1000}).json()
        app = HogtreeApp(backend_for(server.url, ADMIN_KEY))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("G")  # before anything is shown
            await loaded(pilot)
            await cursor_on(pilot, top["results"][-1]["id"])


def marketing(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """The demo's ``Marketing`` folder as the server lists it now."""
    query = {"parent": "Marketing", "depth": 2, **params}
    results: list[dict[str, Any]] = api.get("file_system/", params=query).json()["results"]
    return results


@asynccontextmanager
async def cursor_in_marketing(
    server: LiveServer, path: str
) -> AsyncIterator[tuple[HogtreeApp, Pilot[None]]]:
    """The app on the demo, ``Marketing`` open and the cursor on ``path``."""
    async with in_folder(server.url, "Marketing") as (app, pilot):
        await move_cursor_to(pilot, path)
        yield app, pilot


def cursor_and_panes_on(app: HogtreeApp, entry: dict[str, Any]) -> None:
    """The cursor, Details and the status line all describe ``entry``."""
    assert tree_of(app).cursor_entry is not None
    assert tree_of(app).cursor_entry.id == entry["id"]  # type: ignore[union-attr]
    assert shown_entry(app) is not None and shown_entry(app).id == entry["id"]  # type: ignore[union-attr]
    assert app.status_line.path == entry["path"]


async def test_the_cursor_stays_in_place_after_a_move_and_the_panes_follow(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    children = marketing(api_demo)
    assert len(children) >= 3
    moved = children[1]
    async with cursor_in_marketing(demo_server, moved["path"]) as (app, pilot):
        await pilot.press("m")
        await pilot.press("ctrl+u", *"Archive", "enter")
        await settle(pilot, lambda: "Moved" in app.status.message)
        took_its_place = marketing(api_demo)[1]
        await cursor_on(pilot, took_its_place["id"])
        cursor_and_panes_on(app, took_its_place)
        # The next new folder goes where the cursor is: into Marketing, not elsewhere.
        assert tree_of(app).folder_of_cursor() in ("Marketing", took_its_place["path"])
    assert api_demo.get(f"file_system/{moved['id']}/").json()["path"].startswith("Archive/")


async def test_the_cursor_takes_the_next_row_after_a_delete(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    gone = marketing(api_demo, type="insight")[0]
    async with cursor_in_marketing(demo_server, gone["path"]) as (app, pilot):
        offset = tree_of(app).cursor_node.data.offset  # type: ignore[union-attr]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, lambda: "Deleted" in app.status.message)
        now = marketing(api_demo)
        took_its_place = now[min(offset, len(now) - 1)]
        await cursor_on(pilot, took_its_place["id"])
        cursor_and_panes_on(app, took_its_place)
    assert api_demo.get(f"file_system/{gone['id']}/").status_code == 404


async def test_after_a_rename_the_cursor_and_details_describe_the_same_row(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    renamed = marketing(api_demo, type="insight")[0]
    async with cursor_in_marketing(demo_server, renamed["path"]) as (app, pilot):
        tree = tree_of(app)
        await pilot.press("r")
        await pilot.press("ctrl+u", *"zzz last of all", "enter")
        await settle(pilot, lambda: "Renamed" in app.status.message)
        await settle(
            pilot,
            lambda: tree.cursor_entry is not None and tree.cursor_entry == shown_entry(app),
        )
        assert tree.cursor_entry is not None
        server_now = api_demo.get(f"file_system/{tree.cursor_entry.id}/").json()
        cursor_and_panes_on(app, server_now)
    assert api_demo.get(f"file_system/{renamed['id']}/").json()["path"] == (
        "Marketing/zzz last of all"
    )


async def test_paste_keeps_the_cursor_in_its_folder(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    cut = marketing(api_demo, type="insight")[0]
    async with cursor_in_marketing(demo_server, cut["path"]) as (app, pilot):
        await pilot.press("x")
        await move_cursor_to(pilot, "Archive")
        await pilot.press("p")
        await settle(pilot, lambda: "Moved" in app.status.message)
        await settle(pilot)
        archive = api_demo.get("file_system/", params={"path": "Archive"}).json()["results"][0]
        cursor_and_panes_on(app, archive)
    assert api_demo.get(f"file_system/{cut['id']}/").json()["path"].startswith("Archive/")


async def test_f_narrows_a_big_folder_on_the_server_and_esc_restores_it(
    scale_server: LiveServer,
) -> None:
    with scale_server.client() as api:
        target = at(api, 1_234)
        word = target.path.rsplit("/", 1)[-1][:6]
        matching = [e["id"] for e in listing(api, 0, 10_000, search=word, search_name_only="true")]
    assert 0 < len(matching) < BIG_SIZE
    app, _ = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)
        app.jump_to(target)
        await cursor_on(pilot, target.id)
        await pilot.press("f", *word)
        await settle(pilot, lambda: tree.folders[BIG].total == len(matching))
        shown = [r.entry.id for r in big_rows(app) if isinstance(r, EntryRow)]
        assert shown == matching[: len(shown)] and len(shown) == min(len(matching), PAGE_SIZE)
        await pilot.press("escape")
        await settle(pilot, lambda: tree.folders[BIG].total == BIG_SIZE)
        await cursor_on(pilot, target.id)  # where the user was before filtering


async def test_s_sorts_by_the_servers_order_and_says_so(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    app = HogtreeApp(backend_for(demo_server.url, ADMIN_KEY))
    newest = api_demo.get(
        "file_system/", params={"depth": 1, "order_by": "-created_at", "limit": 1000}
    ).json()["results"]
    oldest = api_demo.get(
        "file_system/", params={"depth": 1, "order_by": "created_at", "limit": 1000}
    ).json()["results"]
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tree = tree_of(app)

        def top_ids() -> list[str]:
            return [c.data.entry.id for c in tree.root.children if isinstance(c.data, EntryRow)]

        await pilot.press("s")
        await settle(pilot, lambda: top_ids() == [e["id"] for e in newest])
        assert "newest first" in str(tree.border_title)
        await pilot.press("s")
        await settle(pilot, lambda: top_ids() == [e["id"] for e in oldest])
        assert "oldest first" in str(tree.border_title)


async def test_reloading_a_folder_asks_once_for_the_pages_it_shows(
    scale_server: LiveServer,
) -> None:
    app, transport = counted_app(scale_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, BIG)
        folder = tree_of(app).folders[BIG]
        await read_pages(pilot, BIG, 3)
        since = len(transport.attempts)
        await pilot.press("R")
        await settle(pilot, lambda: not folder.loading and folder.idle.is_set())
        await settle(pilot)
        # The pages around the cursor come back in one request, not one a page.
        assert len(folder.window.pages) >= 2
        assert big_pages_asked(transport, since) == 1
        rows = [r for r in big_rows(app) if isinstance(r, EntryRow)]
        with scale_server.client() as api:
            expected = [e["id"] for e in listing(api, rows[0].offset, len(rows))]
        assert [r.entry.id for r in rows] == expected  # the server's rows, in its order
