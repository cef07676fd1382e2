"""Pictures of the app showing hostile names (tests/support/hostile_names.py), at 80x24 and 120x40:
each name drawn literally, control characters as visible stand-ins, and no name pushing the
layout out of shape — in the tree, the details, a question, the rename prompt and the status
line. Update with ``pytest tests/app/test_app_hostile_snapshots.py --snapshot-update`` and look
at the new SVGs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_folder, settle
from support.hostile_names import HOSTILE_NAMES
from support.snapshot_data import Filler, build_database, fix_ids, serve_copy, still
from textual.pilot import Pilot

from tui import paths
from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.prompt import PromptScreen
from tui.server.store import accounts

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
FOLDER = ("Hostile names",)
# A neighbour below, to show that the rows above it keep to one line each.
NEIGHBOUR = ("Reports",)

SnapCompare = Callable[..., bool]


def fill_hostile(conn: sqlite3.Connection) -> None:
    """A folder holding an insight named with each hostile name, fixed ids and dates."""
    user_id = accounts.create_user(conn, "Maya", "Chen", "maya@hogtree.example")
    filler = Filler(conn, user_id)
    filler.folder(FOLDER)
    filler.folder(NEIGHBOUR)
    for name in HOSTILE_NAMES.values():
        filler.item(FOLDER, "insight", name)
    filler.item(NEIGHBOUR, "dashboard", "Weekly report")
    fix_ids(conn)


def path_of(what: str) -> str:
    return paths.join((*FOLDER, HOSTILE_NAMES[what]))


@pytest.fixture(scope="session")
def hostile_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("hostile") / "template.sqlite3", fill_hostile)


@pytest.fixture
def hostile_server(tmp_path: Path, hostile_database: Path) -> Iterator[LiveServer]:
    yield from serve_copy(hostile_database, tmp_path / "hostile.sqlite3")


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


async def on_entry(pilot: Pilot[None], what: str) -> HogtreeApp:
    """The hostile folder open, the cursor on the entry named to try ``what``."""
    app = await loaded(pilot)
    await open_folder(pilot, paths.join(FOLDER))
    await move_cursor_to(pilot, path_of(what))
    return app


async def tree_scene(pilot: Pilot[None]) -> None:
    """Every hostile name in the tree; the details of the one that writes the clipboard."""
    await on_entry(pilot, "OSC 52 clipboard write")
    await still(pilot)


async def delete_scene(pilot: Pilot[None]) -> None:
    """``d`` on the 3,000-character name: the question keeps its shape."""
    app = await on_entry(pilot, "3,000 characters")
    await pilot.press("d")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await still(pilot)


async def rename_scene(pilot: Pilot[None]) -> None:
    """``r`` on the name with colour escapes: title and input show them as text."""
    app = await on_entry(pilot, "CSI colour")
    await pilot.press("r")
    await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
    await still(pilot)


async def renamed_scene(pilot: Pilot[None]) -> None:
    """The status line after renaming the name with a right-to-left override."""
    app = await on_entry(pilot, "right-to-left override")
    await pilot.press("r")
    await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
    await pilot.press("end", "!", "enter")
    await settle(pilot, lambda: app.status.message.startswith("Renamed"))
    await still(pilot)


def picture(
    snap_compare: SnapCompare,
    server: LiveServer,
    scene: Callable[[Pilot[None]], Any],
    size: tuple[int, int],
) -> bool:
    return bool(snap_compare(new_app(server.url, ADMIN_KEY), terminal_size=size, run_before=scene))


def test_hostile_tree_and_details(
    snap_compare: SnapCompare, hostile_server: LiveServer, size: tuple[int, int]
) -> None:
    assert picture(snap_compare, hostile_server, tree_scene, size)


def test_hostile_delete_question(
    snap_compare: SnapCompare, hostile_server: LiveServer, size: tuple[int, int]
) -> None:
    assert picture(snap_compare, hostile_server, delete_scene, size)


def test_hostile_rename_prompt(
    snap_compare: SnapCompare, hostile_server: LiveServer, size: tuple[int, int]
) -> None:
    assert picture(snap_compare, hostile_server, rename_scene, size)


def test_hostile_status_after_rename(
    snap_compare: SnapCompare, hostile_server: LiveServer, size: tuple[int, int]
) -> None:
    assert picture(snap_compare, hostile_server, renamed_scene, size)
