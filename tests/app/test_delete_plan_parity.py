"""The app's delete confirmation and ``hogtree rm`` say the same thing about what goes.

Both read :func:`tui.ops.plan_delete`. A folder past count's first 200 entries is where the
app used to under-report (it read count's preview): 250 insights and a shortcut to one of
them must be reported as 250 insights, by both, and a "no" must leave the server as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, LiveServer, connect
from support.app_harness import held, loaded, move_cursor_to, new_app, settle
from support.insight_helpers import create_insight
from support.scripting_helpers import environment, on_host, run

from tui import ops
from tui.app.screens.confirm import ConfirmScreen
from tui.ops import deletion

pytestmark = pytest.mark.anyio

# Past count's preview of 200 entries: the plan must page the folder.
INSIGHTS = 250


@pytest.fixture
def big_box(live_server: LiveServer, api: httpx.Client) -> None:
    """``Box``: 250 insights (each a real insight) and a shortcut to the first one."""
    short_ids = [
        create_insight(live_server.db_path, f"Chart {i:03}", None)[1] for i in range(INSIGHTS)
    ]
    for i, short_id in enumerate(short_ids):
        made = api.post(
            "file_system/", json={"path": f"Box/Chart {i:03}", "type": "insight", "ref": short_id}
        )
        assert made.status_code == 201, made.text
    link = {"path": "Box/Chart 000 link", "type": "insight", "ref": short_ids[0], "shortcut": True}
    assert api.post("file_system/", json=link).status_code == 201


async def test_the_app_and_rm_name_the_same_250_objects(
    live_server: LiveServer, api: httpx.Client, big_box: None, tmp_path: Path
) -> None:
    before = held(api)

    shell = run(on_host(live_server, "rm", "-r", "Box"), environment(tmp_path), stdin="n\n")

    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Box")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen.body.plain  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot)

    assert shell.code == 1 and "hogtree rm: not deleted" in shell.err
    inside = INSIGHTS + 1
    assert f"Deletes folder Box and the {inside} entries inside it." in shell.err
    assert f"with the {inside} entries inside it." in question
    rm_objects = re.search(r"This deletes (.+?) — the objects", shell.err)
    app_objects = re.search(r"This also deletes (.+?) \(the objects", question)
    assert rm_objects is not None and app_objects is not None, (shell.err, question)
    assert rm_objects.group(1) == app_objects.group(1) == f"{INSIGHTS} insights"
    assert held(api) == before  # both were answered "no": nothing went


async def test_the_plan_reads_a_big_folder_several_pages_at_a_time(
    live_server: LiveServer, api: httpx.Client, big_box: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 40: the first says how many there are, the other six are read at once;
    every entry is counted once, and progress ends at the whole."""
    monkeypatch.setattr(deletion, "PLAN_PAGE_SIZE", 40)
    progress: list[tuple[int, int]] = []
    async with connect(live_server) as client:
        box = await ops.require(client, "Box")
        plan = await ops.plan_delete(
            client, [box], lambda read, total: progress.append((read, total))
        )
    assert plan.inside == INSIGHTS + 1
    assert len({item.id for item in plan.items}) == INSIGHTS + 1
    assert len(plan.originals) == INSIGHTS
    assert progress[-1] == (INSIGHTS + 1, INSIGHTS + 1)


async def test_rm_names_what_goes_and_a_lone_shortcut_keeps_its_object(
    live_server: LiveServer, api: httpx.Client, big_box: None, tmp_path: Path
) -> None:
    """Several entries: rm names them (a screenful, then "and N more") as the app does; one
    shortcut: one sentence saying the object stays. Both answered "no"."""
    before = held(api)
    env = environment(tmp_path)
    charts = [f"Box/Chart {i:03}" for i in range(10)]
    several = run(on_host(live_server, "rm", *charts), env, stdin="n\n")
    shortcut = run(on_host(live_server, "rm", "Box/Chart 000 link"), env, stdin="n\n")

    assert "Deletes 10 entries:\n  Box/Chart 000\n" in several.err
    assert "  Box/Chart 007\n  and 2 more\n" in several.err
    assert "Box/Chart 008" not in several.err
    assert "This deletes 10 insights" in several.err
    assert (
        "Deletes shortcut Box/Chart 000 link; the insight it points at stays.\nDelete?"
        in shortcut.err
    )
    assert "Only shortcuts" not in shortcut.err
    assert held(api) == before
