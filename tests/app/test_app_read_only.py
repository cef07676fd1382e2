"""``--read-only`` hides the keys that change something, and only those."""

from __future__ import annotations

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import (
    held,
    loaded,
    move_cursor_to,
    new_app,
    open_folder,
    open_help,
    settle,
)
from textual.widgets._footer import FooterKey

from tui.app.app import MUTATING_ACTIONS

pytestmark = pytest.mark.anyio

LOOKING = {"count": "c", "export": "e", "copy_url": "o", "events": "v", "reload": "R"}


@pytest.mark.parametrize("width", [80, 100, 120, 160])
async def test_read_only_shows_the_keys_that_look_and_hides_the_ones_that_change(
    demo_server: LiveServer, api_demo: httpx.Client, width: int
) -> None:
    before = held(api_demo)
    app = new_app(demo_server.url, ADMIN_KEY, read_only=True)
    async with app.run_test(size=(width, 24)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        footer = [key for key in app.query(FooterKey) if key.display]
        shown = {key.action: key for key in footer}
        for action, key in LOOKING.items():
            assert action in shown, f"{key} ({action}) is not in the footer at {width} columns"
            assert shown[action].region.right <= width, f"{key} is cut off at {width} columns"
        assert not set(shown) & MUTATING_ACTIONS
        rows = {row.id: row for row in await open_help(pilot)}
        for action, key in LOOKING.items():
            assert key in rows[action].keys
        assert not set(rows) & MUTATING_ACTIONS
        await pilot.press("escape")
        for key in ("n", "r", "m", "x", "p", "L", "d", "delete", "u"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.screen_stack[0], f"{key} opened a dialog"
    assert held(api_demo) == before
