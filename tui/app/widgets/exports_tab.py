"""The Exports tab: export the selected insight or dashboard, follow it, download it.

Issue 5 fills this in; until then it says what will be here.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.api import PostHogClient
from tui.models import FileSystemEntry


class ExportsTab(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: PostHogClient | None = None
        self.entry: FileSystemEntry | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "Exports of the selected insight or dashboard arrive in the next release.",
            classes="placeholder",
        )

    def connect(self, client: PostHogClient) -> None:
        self.client = client

    def show(self, entry: FileSystemEntry | None) -> None:
        """The cursor moved to ``entry``. Fetch nothing unless this tab is on screen."""
        self.entry = entry
