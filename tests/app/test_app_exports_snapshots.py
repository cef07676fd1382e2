"""Pictures of the Exports tab at 80x24 and 120x40, compared with the accepted ones in
tests/__snapshots__/. Update them after a deliberate change of the tab with
``pytest tests/app/test_app_exports_snapshots.py --snapshot-update``, and look at the SVGs.

A tiny fixed project of its own (one folder, an insight, a dashboard): the exports are made
by the real server, then given fixed dates and names so nothing in the picture reads a
clock; the preview is of a fixed CSV file.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, settle, tree_of
from support.insight_helpers import create_dashboard, create_insight, trends_query
from textual.pilot import Pilot

from tui.app.app import HogtreeApp
from tui.app.widgets.exports_tab import ExportsTab

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
SnapCompare = Callable[..., bool]

FOLDER = "Marketing"
INSIGHT = "Marketing/Weekly signups"
SHORT_ID = "wKLy5gNp"

# Oldest first: (format, created_at, filename). The local server cannot make videos, so
# the newest fails and the picture shows the server's exception under the list.
EXPORTS = [
    ("text/csv", "2026-01-12T16:07:31.000000Z", "export-weekly-signups-2026-01-12-160731.csv"),
    ("application/pdf", "2026-01-13T09:41:02.000000Z", "export-weekly-signups-2026-01-13-0941.pdf"),
    ("video/mp4", "2026-01-14T11:20:45.000000Z", "export-weekly-signups-2026-01-14-112045.mp4"),
]
PREVIEW = [
    ["series", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11"],
    ["signed_up", "12", "9", "17", "14"],
    ["$pageview", "310", "288", "402", "371"],
]


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


@pytest.fixture
def utc() -> Iterator[None]:
    """Created times follow the local time zone: UTC for pictures."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture
def exports_project(live_server: LiveServer, api: httpx.Client, utc: None) -> LiveServer:
    """Marketing/ with an insight (three exports of it) and a dashboard."""
    db = live_server.db_path
    insight, _ = create_insight(db, "Weekly signups", trends_query(("signed_up", "total")),
                                short_id=SHORT_ID)  # fmt: skip
    dashboard = create_dashboard(db, "Growth dashboard", [insight])
    for path, kind, ref in (
        (FOLDER, "folder", None),
        (INSIGHT, "insight", SHORT_ID),
        (f"{FOLDER}/Growth dashboard", "dashboard", str(dashboard)),
    ):
        body = {"path": path, "type": kind} | ({"ref": ref} if ref else {})
        assert api.post("file_system/", json=body).status_code == 201
    ids = []
    for export_format, *_ in EXPORTS:
        response = api.post("exports/", json={"export_format": export_format, "insight": insight})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            for number, (_, created, filename) in zip(ids, EXPORTS, strict=True):
                conn.execute(
                    "UPDATE exports SET created_at = ?, filename = ? WHERE id = ?",
                    (created, filename, number),
                )
    finally:
        conn.close()
    return live_server


def preview_file(folder: Path) -> Path:
    path = folder / "export-weekly-signups-2026-01-12-160731.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(PREVIEW)
    return path


async def idle(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await settle(
        pilot,
        lambda: app.status.work == "" and all(w.is_finished for w in app.workers),
    )
    await pilot.pause()


async def open_exports_tab(pilot: Pilot[None]) -> ExportsTab:
    """The insight under the cursor, the Exports tab: its exports newest first (the newest
    a failure, in the server's words)."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await loaded(pilot)
    tree = tree_of(app)
    await move_cursor_to(pilot, FOLDER)
    await pilot.press("l")
    await settle(pilot, lambda: FOLDER in tree.folders and tree.folders[FOLDER].total == 2)
    await move_cursor_to(pilot, INSIGHT)
    app.query_one("#side").tabs.active = "exports"  # type: ignore[attr-defined]
    tab = app.query_one(ExportsTab)
    await settle(pilot, lambda: tab.list_view.option_count == len(EXPORTS))
    return tab


def scene(folder: Path) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        """The insight's exports, and a CSV preview."""
        tab = await open_exports_tab(pilot)
        tab._preview(preview_file(folder))
        await settle(pilot, lambda: tab.preview_table.row_count == len(PREVIEW) - 1)
        await idle(pilot)

    return run_before


def test_exports_tab(
    snap_compare: SnapCompare, exports_project: LiveServer, tmp_path: Path, size: Any
) -> None:
    """Marketing/Weekly signups: its CSV, PDF and a failed export, newest first, and the
    CSV previewed as a table."""
    app = new_app(exports_project.url, ADMIN_KEY, download_dir=tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=scene(tmp_path))


def picture_file(folder: Path) -> Path:
    """A fixed chart-like PNG: bars of the app's colours on white, a baseline."""
    path = folder / "export-weekly-signups-2026-01-13-0940.png"
    picture = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(picture)
    for index, height in enumerate((60, 95, 140, 110, 170, 150)):
        left = 30 + index * 60
        draw.rectangle((left, 190 - height, left + 40, 190), fill=(29, 74, 255))
    draw.line((20, 190, 390, 190), fill=(40, 40, 40), width=3)
    picture.save(path)
    return path


def picture_scene(folder: Path) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        """The insight's exports, and a PNG export drawn in cells under them."""
        tab = await open_exports_tab(pilot)
        tab._preview_picture(picture_file(folder))
        await settle(pilot, lambda: tab.picture_view.display)
        await idle(pilot)

    return run_before


def test_exports_tab_shows_a_png(
    snap_compare: SnapCompare, exports_project: LiveServer, tmp_path: Path, size: Any
) -> None:
    """A PNG export drawn in the tab in cells (two pixels a cell), under the list."""
    app = new_app(exports_project.url, ADMIN_KEY, download_dir=tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=picture_scene(tmp_path))
