"""The status line many workers share, through the real app: works side by side, each
cleared only by its owner; a retry's wait as a work of its own; the message log."""

from __future__ import annotations

import asyncio
import socket
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
    row_texts,
    settle,
    slow_export_server,
    tree_of,
)
from support.fault_transport import FaultyTransport, Match, gateway_error, listing, throttled
from textual.pilot import Pilot
from textual.widget import Widget

from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.export_format import ExportFormatScreen
from tui.app.screens.messages import MessagesScreen
from tui.app.status import Level, StatusBoard
from tui.app.widgets.exports_tab import ExportsTab
from tui.config import resolve_connection

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


def shown_lines(widget: Widget) -> str:
    """What ``widget`` puts on the terminal now, line by line."""
    return "\n".join(
        widget.render_line(y).text for y in range(widget.scrollable_content_region.height)
    )


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


# ---------------------------------------------------------------- a line that belongs to the moment


async def test_a_message_goes_when_the_cursor_moves_to_another_entry(
    demo_server: LiveServer,
) -> None:
    app = app_over(demo_server, FaultyTransport())
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Campaigns")
        await pilot.press("e")  # a folder: no export
        await settle(pilot)
        assert "✗ Exports are for insights and dashboards" in line_of(app)
        await pilot.press("question_mark", "escape")  # keys, but the cursor stays
        await settle(pilot)
        assert "Exports are for insights" in line_of(app)
        await pilot.press("j")  # onto another entry: the message was about the folder
        await settle(pilot)
        moved_to = tree_of(app).cursor_entry
        assert moved_to is not None and moved_to.path != "Marketing/Campaigns"
        assert app.status.current is None and "Exports" not in line_of(app)
        assert app.status.log[-1].text == "Exports are for insights and dashboards"  # kept


async def test_a_changes_report_stays_while_the_tree_reannounces_the_row_then_goes(
    demo_server: LiveServer, api_demo: httpx.Client
) -> None:
    """After a delete the cursor stays on its line, now the entry that took the deleted
    one's place: the tree announces it, and the report must stay until the user moves."""
    app = app_over(demo_server, FaultyTransport())
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, INSIGHT)
        gone = tree_of(app).cursor_entry
        assert gone is not None
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: app.status.message.startswith("Deleted"))
        tree = tree_of(app)
        await settle(pilot, lambda: tree.cursor_entry is not None and tree.cursor_entry != gone)
        await settle(pilot)
        assert api_demo.get(f"file_system/{gone.id}/").status_code == 404
        assert app.status.message.startswith("Deleted") and "Deleted" in line_of(app)
        await pilot.press("k")
        await settle(pilot)
        assert app.status.current is None and "Deleted" not in line_of(app)


async def test_an_export_starting_replaces_the_message_before_it(
    slow_exports: LiveServer,
) -> None:
    app = app_over(slow_exports, FaultyTransport())
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, INSIGHT)
        await pilot.press("c")  # count: on an insight, refused
        await settle(pilot)
        assert "Count works on folders" in line_of(app)
        tab = app.query_one(ExportsTab)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportFormatScreen))
        await pilot.press("enter")  # PNG
        await settle(pilot, lambda: tab.running is not None)
        await settle(pilot, lambda: "exporting PNG" in line_of(app))
        assert "Count works" not in line_of(app) and app.status.current is None
        await pilot.press("tab")  # the export keeps the focus in the tree: to the list
        await settle(pilot, lambda: tab.list_view.has_focus)
        await pilot.press("escape")  # cancel: nothing left behind
        await settle(pilot, lambda: tab.running is None)


async def test_reload_says_what_it_read_again(demo_server: LiveServer) -> None:
    app = app_over(demo_server, FaultyTransport())
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await open_folder(pilot, "Marketing/Campaigns")
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("R")
        await settle(pilot, lambda: app.status.message.startswith("Reloaded"))
        assert app.status.message == "Reloaded Marketing (and 1 open folder inside)"
        assert "Reloaded Marketing" in line_of(app)


# ---------------------------------------------------------------- the message log (M)


async def test_a_long_error_cut_on_the_status_line_is_whole_in_the_log(
    demo_server: LiveServer,
) -> None:
    transport = FaultyTransport()
    app = app_over(demo_server, transport)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        transport.add(gateway_error(listing("Marketing"), times=3))  # past the retries
        await move_cursor_to(pilot, "Marketing")
        await pilot.press("l")
        await settle(pilot, lambda: app.status.error.startswith("Could not load Marketing"))
        error = app.status.error
        assert len(error) > 80 and error.endswith("R retries.")
        shown = app.status_line.render_line(0).text  # what the terminal shows: cut
        assert "R retries." not in shown

        await pilot.press("M")
        await settle(pilot, lambda: isinstance(app.screen, MessagesScreen))
        log = app.screen
        assert isinstance(log, MessagesScreen)
        assert log.highlighted is not None and log.highlighted.text == error  # the newest
        # On screen in full: wrapped over several lines, never cut.
        assert " ".join(error.split()) in " ".join(shown_lines(log.list_view).split())
        await pilot.press("y")
        assert app.clipboard == error
        await pilot.press("k", "j", "Y")
        assert app.clipboard.splitlines()[-1].endswith(f"error {error}")
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, MessagesScreen))


# ---------------------------------------------------------------- errors that lead somewhere

WRONG_KEY = "phx_wrong_key_for_this_server"


def app_with_key_from(server: LiveServer, tmp_path: Path, env: dict[str, str]) -> HogtreeApp:
    """The app as ``hogtree --profile work`` starts it: its connection resolved from a
    config file whose profile holds a key this server does not know (and ``env``)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.work]\nhost = "{server.url}"\nproject = 1\napi_key = "{WRONG_KEY}"\n'
    )
    config.chmod(0o600)
    connection = resolve_connection(profile="work", env=env, config_path=config)
    return HogtreeApp(ServerBackend(connection))


@pytest.mark.parametrize("from_env", [False, True], ids=["profile", "environment"])
async def test_a_refused_key_names_where_it_came_from_and_offers_no_retry(
    live_server: LiveServer, tmp_path: Path, from_env: bool
) -> None:
    env = {"POSTHOG_PERSONAL_API_KEY": WRONG_KEY} if from_env else {}
    app = app_with_key_from(live_server, tmp_path, env)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: bool(app.status.error))
        error = app.status.error
        assert error.startswith("Could not load the top level: The API key was refused")
        if from_env:
            assert error.endswith("Check POSTHOG_PERSONAL_API_KEY.")
        else:
            assert error.endswith(f"Check api_key in profile 'work' of {tmp_path}/config.toml.")
        # The same key again cannot help: nothing offers R.
        assert "R " not in error and "retr" not in error.lower()
        assert WRONG_KEY not in error
        await settle(pilot, lambda: bool(row_texts(app)))
        (row,) = row_texts(app)
        assert row == "⚠ could not load: the API key was refused (M shows why)"
        assert all(WRONG_KEY not in entry.text for entry in app.status.log)


async def test_an_unreachable_host_is_named_and_r_tries_it_again(live_server: LiveServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = HogtreeApp(backend_for(host, ADMIN_KEY))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: bool(app.status.error))
        assert f"Cannot reach {host}" in app.status.error
        assert app.status.error.endswith("R retries.")
        await settle(pilot, lambda: bool(row_texts(app)))
        assert row_texts(app) == ["⚠ could not load: press R to retry"]
