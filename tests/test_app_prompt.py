"""The folder prompt (m, L) against a real local server: answers that arrive late."""

from __future__ import annotations

import asyncio

import pytest
from app_harness import loaded, move_cursor_to, new_app, settle
from conftest import ADMIN_KEY
from snapshot_data import (  # noqa: F401 - the fixtures snapshot_server and snapshot_database
    MAIN_ENTRY,
    SnapshotServer,
    open_folder,
    snapshot_database_fixture,
    snapshot_server_fixture,
)

from tui.api import PostHogClient
from tui.app.screens import prompt
from tui.app.screens.prompt import PromptScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_completions_arriving_after_the_prompt_closed_are_dropped(
    snapshot_server: SnapshotServer, monkeypatch: pytest.MonkeyPatch
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
