"""Pictures of the app's main views, at 80x24 and 120x40, compared with the accepted ones
in tests/__snapshots__/. Update them after a deliberate change of the UI with
``pytest tests/app/test_app_snapshots.py --snapshot-update``, and look at the new SVGs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app
from support.snapshot_data import SCENES
from textual.widgets._footer import FooterKey

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

SnapCompare = Callable[..., bool]


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


def picture(snap_compare: SnapCompare, server: LiveServer, scene: str, size: Any) -> bool:
    app = new_app(server.url, ADMIN_KEY)
    return snap_compare(app, terminal_size=size, run_before=SCENES[scene])


def test_main_screen(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    """Top level, Marketing open, the cursor on an insight and its Details beside it."""
    assert picture(snap_compare, snapshot_server, "main", size)


def test_gap_rows(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    """Data/Event catalogue after a jump to its 101st entry: "… 100 entries …" above it."""
    assert picture(snap_compare, snapshot_server, "gap-row", size)


def test_search_results(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    """``/`` then ``signup``: the matching entries as a flat list of paths."""
    assert picture(snap_compare, snapshot_server, "search", size)


def test_move_prompt(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    """``m`` on Marketing/Weekly signups: the folder prompt and the folders to complete."""
    assert picture(snap_compare, snapshot_server, "move", size)


def test_delete_folder_confirmation(
    snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any
) -> None:
    """``d`` on Marketing/Campaigns: what goes, counted, before anything is deleted."""
    assert picture(snap_compare, snapshot_server, "delete", size)


def test_help(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    """``?``: every key, from the live bindings."""
    assert picture(snap_compare, snapshot_server, "help", size)


def test_help_on_a_small_screen(snap_compare: SnapCompare, snapshot_server: LiveServer) -> None:
    """``?`` at 60x15: the keys scroll between the title and the help line, both shown."""
    assert picture(snap_compare, snapshot_server, "help", (60, 15))


@pytest.mark.anyio
@pytest.mark.parametrize("width", [80, 99, 100, 119, 120, 139, 140])
async def test_footer_keys_fit_without_cutting_one(snapshot_server: LiveServer, width: int) -> None:
    """Every key the footer shows is whole, left of the palette key, with ? help among them
    (a new binding shown in the footer needs a place in app.tcss's narrow rules)."""
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(width, 24)) as pilot:
        await loaded(pilot)
        shown = [key for key in app.query(FooterKey) if key.display]
        palette = [key for key in shown if key.has_class("-command-palette")]
        keys = [key for key in shown if not key.has_class("-command-palette")]
        assert len(palette) == 1 and keys
        assert max(key.region.right for key in keys) <= palette[0].region.x
        assert "help" in {key.action for key in keys}


def test_shortcuts_and_recent(
    snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any
) -> None:
    """Shortcuts and Recent opened above the project, the cursor on the newest view."""
    assert picture(snap_compare, snapshot_server, "sections", size)


def test_project_switcher(
    snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any
) -> None:
    """``P``: the projects the key may open, the current one marked and highlighted."""
    assert picture(snap_compare, snapshot_server, "projects", size)
