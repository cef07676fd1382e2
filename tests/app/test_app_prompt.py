"""The folder prompt (m, L) against a real local server: answers that arrive late, and how
often it asks."""

from __future__ import annotations

import asyncio

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_folder, settle
from support.snapshot_data import MAIN_ENTRY
from textual.widgets import Input, OptionList

from tui.api import PostHogClient
from tui.app.screens import prompt
from tui.app.screens.prompt import PromptScreen

pytestmark = pytest.mark.anyio


async def test_completions_arriving_after_the_prompt_closed_are_dropped(
    snapshot_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter before the server answers: the answer finds no list to fill, and the app lives."""
    slow_answers: list[str] = []
    real = prompt.folder_completions

    async def slow(client: PostHogClient, typed: str) -> list[str]:
        found = await real(client, typed)
        await asyncio.sleep(0.3)
        slow_answers.append(typed)
        return found

    monkeypatch.setattr(prompt, "folder_completions", slow)
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, MAIN_ENTRY)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("escape")  # before the completions come back
        await settle(pilot, lambda: bool(slow_answers))
        await pilot.pause(0.1)
        assert app.is_running and not isinstance(app.screen, PromptScreen)


async def test_typing_a_path_asks_the_server_once_per_pause(
    snapshot_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inline suggestion and the list share one answer per value, asked once typing
    pauses: not one request per key (and per key twice)."""
    asked: list[str] = []
    real = prompt.folder_completions

    async def counted(client: PostHogClient, typed: str) -> list[str]:
        asked.append(typed)
        return await real(client, typed)

    monkeypatch.setattr(prompt, "folder_completions", counted)
    app = new_app(snapshot_server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, MAIN_ENTRY)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, PromptScreen))
        await settle(pilot)
        asked.clear()
        await pilot.press("ctrl+a", "ctrl+k", *"Marketing/Camp")
        field = app.screen.query_one(Input)
        # (settle counts an open dialog as settled: wait for the answers themselves)
        await settle(pilot, lambda: field._suggestion == "Marketing/Campaigns")
        await pilot.pause(0.5)  # time for any further request to go out
        choices = app.screen.query_one("#prompt-choices", OptionList)
        assert choices.option_count and choices.get_option_at_index(0).id == "Marketing/Campaigns"
        # One answer per pause in typing: the value typed last, and (on a loaded machine,
        # where a key can come after the pause) at most a few before it, never one a key.
        typed = "Marketing/Camp"
        assert asked[-1] == typed
        assert len(asked) <= 3 < len(typed)
        assert all(typed.startswith(each) for each in asked)
