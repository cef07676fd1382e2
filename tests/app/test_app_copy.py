"""``y`` copies the entry's path as the shell commands take it; ``o`` on the local demo says
there is no web UI instead of copying a URL that answers 404."""

from __future__ import annotations

import shlex
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_folder, settle, tree_of
from support.scripting_helpers import environment, on_host, run

from tui.app.app import HogtreeApp
from tui.backend import LocalBackend

pytestmark = pytest.mark.anyio

# A name with a slash in it: the path escapes it as "\/", and a shell must keep the "\".
SLASHED = "Marketing/Campaigns/Q4 \\/ Q1 launch — conversions"


async def test_y_copies_a_path_that_hogtree_mv_takes_when_pasted(
    demo_server: LiveServer, api_demo: httpx.Client, tmp_path: Path
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await open_folder(pilot, "Marketing/Campaigns")
        await move_cursor_to(pilot, SLASHED)
        entry = tree_of(app).cursor_entry
        assert entry is not None
        await pilot.press("y")
        await settle(pilot)
        copied = app.clipboard
        assert copied == f"'{SLASHED}'"
        assert app.status.message == f"Copied the path {copied}"

    # Pasted after `hogtree mv` in a real shell, it names the entry.
    hogtree = shlex.join(on_host(demo_server))
    done = run(["sh", "-c", f"{hogtree} mv {copied} Marketing/"], environment(tmp_path))
    assert done.code == 0, done.err
    moved = api_demo.get(f"file_system/{entry.id}/").json()
    assert moved["path"] == "Marketing/Q4 \\/ Q1 launch — conversions"


async def test_o_on_the_local_demo_says_there_is_no_web_ui(tmp_path: Path) -> None:
    app = HogtreeApp(LocalBackend(tmp_path / "demo.sqlite3"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        await pilot.press("o")
        await settle(pilot)
        assert app.clipboard == ""
        assert app.status.error.startswith("The local demo has no web UI")
