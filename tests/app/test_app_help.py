"""``?`` lists every key of the screen in focus with its binding id, from the live bindings;
the README's key table says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app, open_events, open_help

from tui.app.bindings import EVERYWHERE, KeyRow, live_bindings

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
NO_ID = "—"


def by_id(rows: list[KeyRow]) -> dict[str, KeyRow]:
    return {row.id: row for row in rows if row.id}


async def test_help_names_every_key_with_its_binding_id(live_server: LiveServer) -> None:
    app = new_app(live_server.url, ADMIN_KEY, keymap={"rename": "f2"})
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dispatched = {key: active.binding for key, active in app.screen.active_bindings.items()}
        declared = [b for node in (app, app.project_tree) for b in live_bindings(node) if b.id]
        rows = by_id(await open_help(pilot))
        shown = app.export_screenshot()  # what is on screen, ids included
    for binding in declared:
        if dispatched[binding.key].id != binding.id:
            continue  # another binding takes this key first (a priority one, the screen's)
        assert binding.id in rows, f"{binding.id} is not in ?"
        assert app.get_key_display(binding) in rows[binding.id].keys
    assert rows["rename"].keys == ("f2",) and rows["rename"].remapped
    assert not rows["new_folder"].remapped
    assert rows["mark"].section == "tree" and rows["search"].section == EVERYWHERE
    # The screen itself shows the ids, and that a key was remapped.
    for words in ("new_folder", "rename", "(remapped)", "search", "f2"):
        assert words in shown


async def test_help_in_the_events_tab_lists_its_keys_too(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_events(pilot)
        rows = by_id(await open_help(pilot))
    assert rows["events_tail"].keys == ("t",) and rows["events_tail"].section == "Events tab"
    assert rows["events_insight"].keys == ("i",)
    assert rows["events_filter"].keys == ("f",)
    assert "filter" not in rows  # the tab's f shadows the tree's filter while it has focus
    assert rows["mark"].section == "tree"  # the tree's keys, for when it has the focus again


def readme_key_table() -> list[tuple[tuple[str, ...], str]]:
    """The README's key table as (keys, id) pairs: a row may hold several bindings, comma
    separated in the key and id columns alike; ``/`` separates the keys of one binding."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| key | action | id |")
    pairs: list[tuple[tuple[str, ...], str]] = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        keys_cell, _, ids_cell = (cell.strip() for cell in line.strip("|").rsplit("|", 2))
        groups = keys_cell.split(", ")
        ids = [cell.strip("`") for cell in ids_cell.split(", ")]
        assert len(groups) == len(ids), f"keys and ids do not pair up: {line}"
        for group, binding_id in zip(groups, ids, strict=True):
            keys = tuple(re.findall(r"`([^`]+)`", group))
            pairs.append((keys, "" if binding_id == NO_ID else binding_id))
    return pairs


async def test_the_readme_key_table_is_what_help_shows(live_server: LiveServer) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = await open_help(pilot)
    shown = sorted((tuple(sorted(row.keys)), row.id) for row in rows)
    documented = sorted(
        (tuple(sorted(keys)), binding_id) for keys, binding_id in readme_key_table()
    )
    assert documented == shown
