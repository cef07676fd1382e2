"""The status line many workers share, through the real app: works side by side, each
cleared only by its owner; a retry's wait as a work of its own; the message log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    ServerBackend,
    backend_for,
    loaded,
    move_cursor_to,
    settle,
    slow_export_server,
    tree_of,
)
from support.fault_transport import FaultyTransport, Match, listing, throttled
from textual.pilot import Pilot

from tui.app.app import HogtreeApp
from tui.app.screens.export_format import ExportFormatScreen
from tui.app.status import Level, StatusBoard
from tui.app.widgets.exports_tab import ExportsTab

pytestmark = pytest.mark.anyio

INSIGHT = "Marketing/Weekly signups"


@pytest.fixture
def slow_exports(tmp_path: Path, demo_database: Path) -> Iterator[LiveServer]:
    """The demo project on a server that takes seconds to make an export (time enough for
    other work to run beside it on a busy machine)."""
    with slow_export_server(tmp_path, demo_database, 3.0) as server:
        yield server


class GatedTransport(FaultyTransport):
    """Holds the requests ``held`` matches until :meth:`release` (a folder that loads as
    long as the test wants)."""

    def __init__(self, held: Match) -> None:
        super().__init__()
        self.held = held
        self.gate = asyncio.Event()
        self.gate.set()

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.held(request):
            await self.gate.wait()
        return await super().handle_async_request(request)


def app_over(server: LiveServer, transport: FaultyTransport) -> HogtreeApp:
    backend: ServerBackend = backend_for(server.url, ADMIN_KEY)
    backend.transport = transport
    backend.max_retries = 2
    return HogtreeApp(backend)


def line_of(app: HogtreeApp) -> str:
    return app.status_line.render().plain


async def open_folder(pilot: Pilot[None], path: str) -> None:
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)
    await move_cursor_to(pilot, path)
    await pilot.press("l")
    await settle(pilot, lambda: path in tree.folders and tree.folders[path].total is not None)


async def test_an_export_and_a_folder_load_show_side_by_side_each_clearing_its_own(
    slow_exports: LiveServer,
) -> None:
    transport = GatedTransport(listing("Marketing"))
    app = app_over(slow_exports, transport)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, INSIGHT)
        tab = app.query_one(ExportsTab)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
        await pilot.press("enter")  # PNG
        await settle(pilot, lambda: tab.running is not None and tab.running.polls > 0)

        # The folder reloads while the export runs: both are on the line, oldest first.
        transport.hold()
        tree_of(app).reload_folder("Marketing")
        await settle(pilot, lambda: "loading Marketing…" in app.status.work)
        exporting, loading = (work.text for work in app.status.works)
        assert exporting.startswith("exporting PNG of Weekly signups…")
        assert loading == "loading Marketing…"
        await settle(pilot, lambda: exporting.split("…")[0] in line_of(app))
        assert f"· {loading}" in line_of(app)

        # The export ends (cancelled): only its own part goes.
        await pilot.press("tab")  # the export left the focus on the tree: to the list
        await settle(pilot, lambda: tab.list_view.has_focus)
        await pilot.press("escape")
        await settle(pilot, lambda: tab.running is None)
        assert app.status.work == "loading Marketing…"
        assert app.status.message == "Export cancelled"

        # The folder arrives: its part goes, and the line is idle.
        transport.release()
        await settle(pilot, lambda: app.status.work == "")
        assert "exporting" not in line_of(app) and "loading" not in line_of(app)


async def test_a_retry_wait_is_a_work_of_its_own_that_ends_when_the_retry_goes(
    demo_server: LiveServer,
) -> None:
    transport = FaultyTransport()
    app = app_over(demo_server, transport)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        transport.add(throttled(listing("Marketing"), retry_after="1"))
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("l")
        await settle(pilot, lambda: "retrying" in app.status.work)
        texts = [work.text for work in app.status.works]
        assert texts[0] == "loading Marketing…"
        assert "Rate limited" in texts[1] and texts[1].endswith("retrying in 1 s")
        assert "retrying in 1 s" in line_of(app)
        # Not an error: the line says nothing went wrong, the log keeps the wait.
        assert app.status.error == ""
        (kept,) = [e for e in app.status.log if "retrying" in e.text]
        assert kept.level is Level.WARNING

        tree = tree_of(app)
        await settle(pilot, lambda: tree.folders["Marketing"].total is not None)
        await settle(pilot)
        assert app.status.works == () and "retrying" not in line_of(app)
    assert transport.attempted("GET", "/file_system/") >= 3  # top level, then 429 + retry


async def test_the_log_keeps_every_message_with_its_level(demo_server: LiveServer) -> None:
    app = app_over(demo_server, FaultyTransport())
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, INSIGHT)
        await pilot.press("c")  # count: on an insight, refused
        await settle(pilot)
        assert app.status.error == "Count works on folders"
        assert "✗ Count works on folders" in line_of(app)
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("c")
        await settle(pilot, lambda: "entries" in app.status.message)
        await pilot.press("escape")  # the count's dialog
        await settle(pilot)
        counted = app.status.message
        assert app.status.error == ""  # replaced by the newer message
        assert counted in line_of(app) and "✗" not in line_of(app)

        said = [(entry.level, entry.text) for entry in app.status.log]
        assert said[-2:] == [(Level.ERROR, "Count works on folders"), (Level.INFO, counted)]
        assert all(entry.time.tzinfo is not None for entry in app.status.log)
        times = [entry.time for entry in app.status.log]
        assert times == sorted(times)


def test_the_log_is_bounded_and_works_end_once() -> None:
    board = StatusBoard(log_size=3)
    changes: list[str] = []
    board.watch(lambda: changes.append(board.work))
    for n in range(5):
        board.say(f"message {n}", Level.SUCCESS)
    assert [e.text for e in board.log] == ["message 2", "message 3", "message 4"]
    first = board.busy("first")
    with board.busy("second") as second:
        second.update("second 1 s")
        assert board.work == "first · second 1 s"
        first.end()
        first.end()  # harmless
        assert board.work == "second 1 s"
    assert board.work == "" and board.works == ()
    assert changes[-1] == ""
    board.say("")  # nothing to say: clears what was shown, keeps the log
    assert board.current is None and len(board.log) == 3
