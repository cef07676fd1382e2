"""Marks and cut one can see, deletes that name what goes, undo that undoes all, redo:
each checked against what the SERVER holds afterwards."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    drawn_row,
    held,
    in_folder,
    loaded,
    make,
    move_cursor_to,
    new_app,
    open_folder,
    settle,
    status_text,
    tree_of,
    visible_names,
)
from support.insight_helpers import create_insight
from textual.pilot import Pilot

from tui import paths
from tui.app.app import MUTATING_ACTIONS
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.filter import FilterScreen

pytestmark = pytest.mark.anyio

# A name that is markup to Rich: it must be shown as typed.
# How a cut row is marked (beside its icon, the row dimmed).
CUT_MARK = "✂"
MARK = "●"

MARKUP_NAME = "[bold red]Gamma[reverse]"


@pytest.fixture
def tree_data(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {
        "a": make(api, "Reports/Alpha", type="doc"),
        "b": make(api, "Reports/Beta", type="doc"),
        "c": make(api, f"Reports/{MARKUP_NAME}", type="doc"),
        "archive": make(api, "Archive", type="folder"),
    }


async def type_into_prompt(pilot: Pilot[None], text: str) -> None:
    await pilot.press("ctrl+a", "ctrl+k", *text, "enter")
    await settle(pilot)


def is_cut(app: Any, path: str) -> bool:
    row = drawn_row(app, path)
    return CUT_MARK in row.plain and "dim" in str(row.style) + "".join(
        str(span.style) for span in row.spans
    )


async def mark(pilot: Pilot[None], *entry_paths: str) -> None:
    for path in entry_paths:
        await move_cursor_to(pilot, path)
        await pilot.press("space")
        await settle(pilot)


async def press_and_wait(pilot: Pilot[None], key: str, said: str) -> None:
    app = pilot.app
    await pilot.press(key)
    await settle(pilot, lambda: said in app.status.message or said in app.status.error)  # type: ignore[attr-defined]
    await settle(pilot)


# ---------------------------------------------------------------------- marks and cut


async def test_cut_rows_stay_dimmed_with_scissors_until_pasted(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    async with in_folder(live_server.url, "Reports") as (app, pilot):
        await mark(pilot, "Reports/Alpha", f"Reports/{MARKUP_NAME}")
        assert "2 marked" in status_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert is_cut(app, "Reports/Alpha") and is_cut(app, f"Reports/{MARKUP_NAME}")
        assert not is_cut(app, "Reports/Beta")
        assert "2 cut" in status_text(app) and "marked" not in status_text(app)
        # Folded and opened again, then read afresh: the rows are new, still cut.
        await move_cursor_to(pilot, "Reports")
        await pilot.press("h")
        await settle(pilot)
        await open_folder(pilot, "Reports")
        await pilot.press("R")
        await settle(pilot)
        assert is_cut(app, "Reports/Alpha") and is_cut(app, f"Reports/{MARKUP_NAME}")
        await move_cursor_to(pilot, "Archive")
        await pilot.press("p")
        await settle(pilot, lambda: "Moved 2 entries" in app.status.message)
        await settle(pilot)
        assert "cut" not in status_text(app)
        assert not tree_of(app).cut
    now = held(api)
    assert now[tree_data["a"]["id"]] == "Archive/Alpha"
    assert now[tree_data["c"]["id"]] == f"Archive/{MARKUP_NAME}"
    assert now[tree_data["b"]["id"]] == "Reports/Beta"


async def test_esc_clears_marks_and_cut_first_then_the_filter(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    before = held(api)
    async with in_folder(live_server.url, "Reports") as (app, pilot):
        await move_cursor_to(pilot, "Reports/Beta")
        await pilot.press("x")
        await settle(pilot)
        await move_cursor_to(pilot, "Reports")
        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, FilterScreen))
        await pilot.press(*"Al", "enter")
        await settle(pilot, lambda: visible_names(app) == ["Archive", "Reports", "Reports/Alpha"])
        await mark(pilot, "Reports/Alpha")
        assert "1 marked" in status_text(app) and "1 cut" in status_text(app)
        assert MARK in drawn_row(app, "Reports/Alpha").plain

        await pilot.press("escape")
        await settle(pilot)
        assert not tree_of(app).marks and not tree_of(app).cut
        assert app.status.message == "Cleared 1 marked and 1 cut"
        assert (app.status_line.marked, app.status_line.cut) == (0, 0)
        assert not is_cut(app, "Reports/Alpha")
        # Drawn again: the screen no longer shows the mark (the tree caches drawn rows).
        assert MARK not in drawn_row(app, "Reports/Alpha").plain
        assert tree_of(app).folders["Reports"].name_filter == "Al"  # the filter stays

        await pilot.press("escape")
        await settle(pilot, lambda: "Reports/Beta" in visible_names(app))
        assert tree_of(app).folders["Reports"].name_filter is None
        assert "Cleared the filter of Reports" in app.status.message
        # The cut was put away: p has nothing to paste.
        await pilot.press("p")
        await settle(pilot)
        assert "Nothing to paste" in app.status.error
    assert held(api) == before


# ---------------------------------------------------------------------- delete says what goes


async def test_deleting_several_names_a_screenful_and_counts_the_rest(
    live_server: LiveServer, api: httpx.Client
) -> None:
    def insight(path: str) -> dict[str, Any]:
        short_id = create_insight(live_server.db_path, paths.basename(path), None)[1]
        return make(api, path, type="insight", ref=short_id)

    made = [insight(f"Many/Chart {i:02}") for i in range(11)]
    insight("Many/Box/inner one")
    insight("Many/Box/inner two")
    insight(f"Many/{MARKUP_NAME}")
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Many")
        await mark(pilot, "Many/Box", f"Many/{MARKUP_NAME}", *(e["path"] for e in made))
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body.plain  # type: ignore[attr-defined]
        assert body.startswith("13 entries will be deleted, with 2 entries inside them:\n")
        assert "Many/Box (2 entries inside)" in body
        assert f"Many/{MARKUP_NAME}" in body  # literally, not as markup
        assert "Many/Chart 05" in body and "Many/Chart 06" not in body  # eight named
        assert "and 5 more" in body
        assert "This also deletes 14 insights" in body
        await pilot.press("y")
        await settle(pilot, lambda: app.status.message.startswith("Deleted"))
    assert not [p for p in held(api).values() if p.startswith("Many/")]


async def test_deleting_a_shortcut_says_only_the_shortcut_goes(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    link = make(api, "Archive/Alpha link", type="doc", ref="alpha-ref", shortcut=True)
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Archive")
        await move_cursor_to(pilot, "Archive/Alpha link")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = app.screen.body.plain  # type: ignore[attr-defined]
        assert body == "The shortcut Alpha link will be deleted; the doc it points at stays."
        await pilot.press("y")
        await settle(pilot, lambda: app.status.message.startswith("Deleted"))
    now = held(api)
    assert link["id"] not in now
    assert now[tree_data["a"]["id"]] == "Reports/Alpha"


# ---------------------------------------------------------------------- undo and redo


async def test_undoing_a_move_removes_the_folders_it_created_and_redo_makes_them_again(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    async with in_folder(live_server.url, "Reports") as (app, pilot):
        await mark(pilot, "Reports/Alpha", "Reports/Beta")
        await pilot.press("m")
        await settle(pilot)
        await type_into_prompt(pilot, "Archive/2025/Q4")
        await settle(pilot, lambda: "Moved 2 entries" in app.status.message)
        assert {"Archive/2025", "Archive/2025/Q4"} <= set(held(api).values())

        await press_and_wait(pilot, "u", "Undid")
        now = held(api)
        assert now[tree_data["a"]["id"]] == "Reports/Alpha"
        assert now[tree_data["b"]["id"]] == "Reports/Beta"
        assert not [p for p in now.values() if p.startswith("Archive/")]
        assert "Archive" in now.values()  # it was there before the move: it stays
        assert "removed the folders it created" in app.status.message

        await press_and_wait(pilot, "U", "Redid")
        assert app.status.message == "Redid: moved 2 entries to Archive/2025/Q4"
        now = held(api)
        assert now[tree_data["a"]["id"]] == "Archive/2025/Q4/Alpha"
        assert now[tree_data["b"]["id"]] == "Archive/2025/Q4/Beta"

        await press_and_wait(pilot, "u", "Undid")  # the redo is undone as the move was
        now = held(api)
        assert now[tree_data["a"]["id"]] == "Reports/Alpha"
        assert not [p for p in now.values() if p.startswith("Archive/")]


async def test_undo_keeps_a_created_folder_that_holds_something_else(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    async with in_folder(live_server.url, "Reports") as (app, pilot):
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("m")
        await settle(pilot)
        await type_into_prompt(pilot, "New/Inner")
        await settle(pilot, lambda: "Moved 1 entry" in app.status.message)
        kept = make(api, "New/someone else's", type="doc")  # put there meanwhile
        await press_and_wait(pilot, "u", "Undid")
    now = held(api)
    assert now[tree_data["a"]["id"]] == "Reports/Alpha"
    assert "New/Inner" not in now.values()
    assert "New" in now.values() and now[kept["id"]] == "New/someone else's"


async def test_redo_of_a_rename_and_a_new_change_ends_the_redo(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    async with in_folder(live_server.url, "Reports") as (app, pilot):
        await move_cursor_to(pilot, "Reports/Alpha")
        await pilot.press("r")
        await settle(pilot)
        await type_into_prompt(pilot, "Omega")
        await settle(pilot, lambda: "Renamed" in app.status.message)
        await press_and_wait(pilot, "u", "Undid")
        assert held(api)[tree_data["a"]["id"]] == "Reports/Alpha"
        assert (("U",), "Redo", "redo") in {(r.keys, r.description, r.id) for r in app.key_rows()}
        await press_and_wait(pilot, "U", "Redid")
        assert app.status.message == "Redid: renamed Alpha to Omega"
        assert held(api)[tree_data["a"]["id"]] == "Reports/Omega"

        await press_and_wait(pilot, "u", "Undid")
        await settle(pilot, lambda: "Reports/Alpha" in visible_names(app))
        await move_cursor_to(pilot, "Reports/Beta")
        await pilot.press("r")
        await settle(pilot)
        await type_into_prompt(pilot, "Bravo")  # a new change…
        await settle(pilot, lambda: "Renamed" in app.status.message)
        await press_and_wait(pilot, "U", "Nothing to redo")  # …ends what could be redone
    now = held(api)
    assert now[tree_data["a"]["id"]] == "Reports/Alpha"
    assert now[tree_data["b"]["id"]] == "Reports/Bravo"


async def test_redo_of_a_delete_deletes_again_and_undo_restores_again(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    def originals() -> list[dict[str, Any]]:
        found = api_demo.get("file_system/", params={"path": "Marketing/Weekly signups"})
        return [e for e in found.json()["results"] if not e["shortcut"]]

    ref = originals()[0]["ref"]
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: app.status.message.startswith("Deleted"))
        assert originals() == []
        await press_and_wait(pilot, "u", "Restored")
        assert [e["ref"] for e in originals()] == [ref]
        await press_and_wait(pilot, "U", "Redid")
        assert app.status.message == "Redid: deleted 1 entry"
        assert originals() == []
        await press_and_wait(pilot, "u", "Restored")
    assert [e["ref"] for e in originals()] == [ref]


async def test_redo_is_a_change_read_only_hides(
    live_server: LiveServer, api: httpx.Client, tree_data: dict[str, Any]
) -> None:
    assert "redo" in MUTATING_ACTIONS
    app = new_app(live_server.url, ADMIN_KEY, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not app.check_action("redo", ())
        assert "redo" not in {row.id for row in app.key_rows()}
        await pilot.press("U")
        await settle(pilot)
        assert "redo" not in app.status.error.lower()
