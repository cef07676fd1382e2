"""Small and changing screens: at 60x15 every dialog keeps its buttons or help line in
view (what is above them scrolls); the footer shows whole keys only, at every width; the
tree keeps its cursor row on screen when the terminal shrinks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_folder, settle, tree_of
from support.snapshot_data import MAIN_ENTRY, SCENES
from textual.geometry import Size
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.count import CountScreen
from tui.app.screens.export_format import ExportFormatScreen
from tui.app.screens.filter import FilterScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.prompt import PromptScreen
from tui.app.screens.search import SearchScreen

pytestmark = pytest.mark.anyio

SMALL = (60, 15)
FOLDER = "Marketing/Campaigns"


async def on_folder(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, FOLDER)


async def on_insight(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await open_folder(pilot, "Marketing")
    await move_cursor_to(pilot, MAIN_ENTRY)


# (how to get there, the key, the dialog, the line that must stay in view)
DIALOGS: dict[
    str, tuple[Callable[[Pilot[None]], Awaitable[None]], str, type[Screen[object]], str]
] = {
    "confirm": (on_folder, "d", ConfirmScreen, "#dialog-buttons"),
    "prompt": (on_insight, "m", PromptScreen, "#dialog-help"),
    "count": (on_folder, "c", CountScreen, "#dialog-help"),
    "export format": (on_insight, "e", ExportFormatScreen, "#dialog-help"),
    "filter": (on_folder, "f", FilterScreen, "#filter-input"),
    "help": (on_insight, "question_mark", HelpScreen, "#dialog-help"),
    "search": (on_insight, "slash", SearchScreen, "#search-status"),
}


def in_view(widget: Widget) -> bool:
    """``widget`` is drawn whole: inside the screen and inside each container around it."""
    region = widget.region
    if region.height == 0 or not widget.screen.region.contains_region(region):
        return False
    return all(
        node.region.contains_region(region)
        for node in widget.ancestors
        if isinstance(node, Widget) and not isinstance(node, Screen)
    )


@pytest.mark.parametrize("dialog", list(DIALOGS))
async def test_at_60x15_every_dialog_shows_its_buttons_or_help_line(
    snapshot_server: LiveServer, dialog: str
) -> None:
    before, key, screen_type, last_line = DIALOGS[dialog]
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=SMALL) as pilot:
        await before(pilot)
        await pilot.press(key)
        await settle(pilot, lambda: isinstance(app.screen, screen_type))
        await pilot.pause(0.3)  # completions, counts: what grows the dialog has come
        await settle(pilot)
        assert in_view(app.screen.query_one(last_line))


async def test_a_long_confirmation_scrolls_between_title_and_buttons(
    snapshot_server: LiveServer,
) -> None:
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(60, 12)) as pilot:
        await on_folder(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen.query_one("#dialog")
        assert dialog.max_scroll_y > 0
        await pilot.press("j")
        await settle(pilot, lambda: dialog.scroll_y == 1)
        assert in_view(app.screen.query_one("#dialog-buttons"))
        assert in_view(app.screen.query_one("#dialog-title"))
        await pilot.press("n")  # no: nothing deleted
        await settle(pilot)
        with snapshot_server.client() as http:
            found = http.get("file_system/", params={"path": FOLDER}).json()["results"]
        assert [entry["path"] for entry in found] == [FOLDER]


async def footer_in(pilot: Pilot[None], where: str) -> None:
    if where == "events":
        await pilot.press("3", "tab")
    elif where == "exports":
        await pilot.press("2", "tab")
    await settle(pilot)


@pytest.mark.parametrize("where", ["tree", "events", "exports"])
@pytest.mark.parametrize("width", [60, 80, 100, 120])
async def test_the_footer_shows_whole_keys_only(
    snapshot_server: LiveServer, width: int, where: str
) -> None:
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(width, 24)) as pilot:
        await on_insight(pilot)
        await footer_in(pilot, where)
        await pilot.pause(0.1)
        shown = [key for key in app.query(FooterKey) if key.display]
        (palette,) = [key for key in shown if key.has_class("-command-palette")]
        keys = [key for key in shown if not key.has_class("-command-palette")]
        assert "help" in {key.action for key in keys}
        for key in keys:
            # drawn at its full width: never squeezed, never cut
            whole = key.get_content_width(Size(0, 0), Size(0, 0)) + key.styles.gutter.width
            assert key.region.width == whole, key.description
            assert key.region.right <= palette.region.x, key.description


async def test_the_cursor_row_stays_on_screen_after_a_shrink(snapshot_server: LiveServer) -> None:
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(100, 40)) as pilot:
        await on_insight(pilot)
        tree = tree_of(app)
        await pilot.press("G")  # the last entry of Marketing, low on a tall screen
        await settle(pilot)
        line = tree.cursor_line
        assert line > 8 and tree.scroll_y == 0
        await pilot.resize_terminal(100, 12)
        await settle(pilot)
        await pilot.pause(0.1)
        top = int(tree.scroll_y)
        assert top <= line < top + tree.scrollable_content_region.height
        assert tree.cursor_line == line  # the cursor did not move: the view did
        await pilot.resize_terminal(100, 40)
        await settle(pilot)
        assert tree.cursor_line == line
        assert isinstance(app, HogtreeApp) and app.status_line.path == tree.cursor_entry.path  # type: ignore[union-attr]


def test_delete_confirmation_picture_at_60x15(
    snap_compare: Callable[..., bool], snapshot_server: LiveServer
) -> None:
    """``d`` on Marketing/Campaigns at 60x15: the question scrolls, its buttons in view."""
    app = new_app(snapshot_server.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=SMALL, run_before=SCENES["delete"])
