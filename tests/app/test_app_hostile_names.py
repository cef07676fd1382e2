"""Entries named to attack the terminal or the layout, on a real local server: every name is
shown literally (what a terminal would obey made visible), and nothing a name holds ever
reaches the terminal as an instruction — checked on what the app writes to the terminal,
both as its driver would write the screen and from a real ``hogtree`` process in a pty."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.cells import cell_len
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_events, settle, tree_of
from support.event_helpers import ago, sdk_event, send_batch
from support.hostile_names import HOSTILE_NAMES, leaked, top_level_path
from support.terminal import Terminal, foreign_controls, hogtree_argv

from tui import labels, paths
from tui.app.app import HogtreeApp
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.prompt import PromptScreen
from tui.app.widgets.exports_tab import ExportsTab
from tui.app.widgets.safe_input import SafeInput
from tui.config import ENV_API_KEY, ENV_CONFIG

pytestmark = pytest.mark.anyio

# What a row, the details pane and the status line must show of each name: its start,
# short enough to fit beside the icon in the narrowest tree (long names are cut).
SHOWN_PREFIX = 12


@pytest.fixture
def hostile(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every hostile name as a top-level insight; the server's entries by what they try."""
    entries = {}
    for what, name in HOSTILE_NAMES.items():
        response = api.post("file_system/", json={"path": top_level_path(name), "type": "insight"})
        assert response.status_code == 201, (what, response.text)
        assert response.json()["path"] == top_level_path(name), what  # stored as it is
        entries[what] = response.json()
    return entries


def drawn(app: HogtreeApp) -> str:
    """What the app's driver writes to the terminal to draw the whole screen now: Textual's
    App._display hands the driver exactly this ``render_segments`` text."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def screen_text(app: HogtreeApp) -> str:
    """The characters on screen, row by row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_obeys_nothing(output: str) -> None:
    assert foreign_controls(output) == []
    assert leaked(output) == []


def held_paths(api: httpx.Client) -> set[str]:
    results = api.get("file_system/", params={"limit": 1000}).json()["results"]
    return {entry["path"] for entry in results}


async def test_every_name_is_drawn_literally_in_the_tree_details_and_status(
    live_server: LiveServer, hostile: dict[str, dict[str, Any]]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for what, name in HOSTILE_NAMES.items():
            await move_cursor_to(pilot, top_level_path(name))
            await settle(pilot)
            output, text = drawn(app), screen_text(app)
            assert_obeys_nothing(output)
            shown = labels.visible(name)
            assert shown[:SHOWN_PREFIX] in text, what
            # the name in the tree's row and the details; its path in the details and status
            shown_path = labels.visible(top_level_path(name))
            assert text.count(shown[:SHOWN_PREFIX]) >= 2, what
            assert text.count(shown_path[:SHOWN_PREFIX]) >= 2, what
            rows = [line for line in text.splitlines() if shown[:SHOWN_PREFIX] in line]
            assert all(cell_len(line) == 120 for line in rows), what  # nothing pushed out
        row = next(n for n in tree_of(app).root.children if "[bold red]" in str(n.label))
        assert row.label.plain.startswith("📈 [bold red]x[/] [link=")  # markup, not obeyed


async def test_dialogs_and_the_status_after_a_rename_show_names_literally(
    live_server: LiveServer, api: httpx.Client, hostile: dict[str, dict[str, Any]]
) -> None:
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for what in ("OSC 52 clipboard write", "3,000 characters"):
            name = HOSTILE_NAMES[what]
            await move_cursor_to(pilot, top_level_path(name))
            await pilot.press("d")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert_obeys_nothing(drawn(app))
            assert labels.visible(name)[:SHOWN_PREFIX] in screen_text(app), what
            await pilot.press("n")
            await pilot.press("r")
            await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
            assert_obeys_nothing(drawn(app))
            # the input holds the name as shown; the dialog keeps its shape however long
            assert app.screen.query_one("#prompt-input").value == labels.visible(name)  # type: ignore[attr-defined]
            assert app.screen.query_one("#dialog").size.height <= 9, what
            await pilot.press("enter")  # unchanged: nothing to do
            await settle(pilot)
        assert held_paths(api) == {top_level_path(n) for n in HOSTILE_NAMES.values()}

        name = HOSTILE_NAMES["CSI colour"]
        await move_cursor_to(pilot, top_level_path(name))
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("end", "!", "enter")
        await settle(pilot, lambda: app.status.message.startswith("Renamed"))
        assert_obeys_nothing(drawn(app))
        assert "Renamed ␛[31mRED␛[0m ␛[5;7mBLINK to ␛[31mRED" in screen_text(app)
    # what the user saw and edited is what the server now holds
    assert top_level_path(labels.visible(name) + "!") in held_paths(api)
    assert top_level_path(name) not in held_paths(api)


async def test_a_folder_chosen_from_completions_is_the_real_folder(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """The prompt shows a hostile folder's name made visible, yet moves into that folder
    (not into a new one named like what was shown)."""
    folder = "Hostile \x1b[31mRED"
    api.post("file_system/", json={"path": paths.join([folder]), "type": "folder"})
    api.post("file_system/", json={"path": "Report", "type": "insight"})
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await move_cursor_to(pilot, "Report")
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"Hos")
        choices = app.screen.query_one("#prompt-choices")
        await settle(pilot, lambda: choices.option_count > 0)  # type: ignore[attr-defined]
        assert_obeys_nothing(drawn(app))
        await pilot.press("down")  # into the list
        if choices.highlighted is None:  # type: ignore[attr-defined]
            await pilot.press("down")
        await pilot.press("enter")  # its first folder
        field = app.screen.query_one("#prompt-input")
        assert field.value == "Hostile ␛[31mRED"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: app.status.message.startswith("Moved"))
    assert paths.join([folder, "Report"]) in held_paths(api)


async def test_a_url_with_a_line_break_is_not_copied(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """``o`` would put the href on the clipboard: a line break in it, pasted into a shell,
    would run the rest."""
    api.post(
        "file_system/",
        json={"path": "Trap", "type": "link", "href": "/x\nrm -rf ~\n"},
    )
    copied: list[str] = []
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await loaded(pilot)
        await move_cursor_to(pilot, "Trap")
        await pilot.press("o")
        await settle(pilot)
        assert copied == []
        assert "Not copied" in app.status.error
        assert_obeys_nothing(drawn(app))


async def test_a_previewed_table_shows_cells_literally(
    live_server: LiveServer, tmp_path: Path
) -> None:
    """An export's cells come from the server too: markup in them is text (and "[/]" no
    crash), escapes are made visible."""
    cells = ["[/]", "[link=https://evil.example]click[/link]", HOSTILE_NAMES["CSI colour"]]
    table = tmp_path / "export.csv"
    with table.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([["a", "b", "c"], cells])
    app = new_app(live_server.url, ADMIN_KEY, download_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("e")  # the Exports tab on screen
        await pilot.press("escape")
        exports = app.query_one(ExportsTab)
        exports._preview(table)
        await settle(pilot, lambda: exports.preview_table.row_count == 1)
        await pilot.pause()
        assert app.is_running
        assert_obeys_nothing(drawn(app))
        assert [str(cell) for cell in exports.preview_table.get_row_at(0)] == [
            labels.visible(cell) for cell in cells
        ]
        assert "[link=https://evil.example]click" in screen_text(app)


async def test_an_event_name_prefilled_is_shown_visibly_and_filters_by_the_real_name(
    live_server: LiveServer,
) -> None:
    """The Events tab's filter prefilled with a hostile event name (as an insight's
    shortcut does) shows it made visible, yet asks the server for the real name."""
    hostile = "sig\x1b[31mnup\u202e"
    send_batch(live_server, [sdk_event(name, "ada", ago(minutes=1)) for name in (hostile, "x")])
    app = new_app(live_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_events(pilot)
        tab.prefill_event(hostile)
        await settle(pilot, lambda: not tab.loading and len(tab.events) == 1)
        assert tab.events[0].event == hostile  # the server's answer to the real name
        assert app.query_one("#events-event", SafeInput).value == "sig␛[31mnup<U+202E>"
        assert_obeys_nothing(drawn(app))


def test_the_terminal_gets_no_control_sequence_from_any_name(
    live_server: LiveServer, hostile: dict[str, dict[str, Any]], tmp_path: Any
) -> None:
    """The real program in a real pty: walk every hostile row (tree, details and status
    redrawn for each), open the rename prompt and the delete question on one, and read
    every byte the terminal received."""
    env = {
        "PATH": "/usr/bin:/bin",
        ENV_API_KEY: ADMIN_KEY,
        ENV_CONFIG: str(tmp_path / "none.toml"),
        "HOME": str(tmp_path),
    }
    argv = hogtree_argv("--host", live_server.url, "--project", "1")
    with Terminal(argv, env=env, size=(120, 40)) as term:
        mark = term.wait_for("␛[31mRED")  # the tree is drawn
        for _ in HOSTILE_NAMES:
            term.press("down")
        term.press("up")
        for key, question in (("r", "enter: OK · esc: cancel"), ("d", "Cancel (n)")):
            term.press(key)
            mark = term.wait_for(question, after=mark)
            term.press("escape")
        term.press("q")
        assert term.close() == 0
        output = term.text
    assert foreign_controls(output) == []
    assert leaked(output) == [], "a name's control sequence reached the terminal"
    for name in HOSTILE_NAMES.values():
        assert labels.visible(name)[:SHOWN_PREFIX] in output


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("\x1b[31mred", "␛[31mred"),
        ("bell\x07", "bell␇"),
        ("c1\x9b1m", "c1<U+009B>1m"),
        ("abc\u202etxt.exe", "abc<U+202E>txt.exe"),
        ("a\u200bb", "a<U+200B>b"),
        ("a\u200db", "a<U+200D>b"),  # a joiner between letters hides a difference
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # between emoji it makes one
        ("❤\ufe0f\u200d🔥", "❤\ufe0f\u200d🔥"),
        ("e\u0301", "e\u0301"),  # é as letter and accent: shown as it is
        ("\u0301start", "\u25cc\u0301start"),  # a mark with nothing to sit on
        ("Z" + "\u0351" * 6, "Z" + "\u0351" * 4 + "<U+0351><U+0351>"),  # Zalgo cut down
        ("[bold]x[/]", "[bold]x[/]"),  # markup is only text: labels are never parsed
    ],
)
def test_visible_forms(name: str, shown: str) -> None:
    assert labels.visible(name) == shown
    assert labels.visible(shown) == shown  # showing twice changes nothing
