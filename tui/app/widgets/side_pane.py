"""The side pane: Details, Exports and Events of the entry under the cursor."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane

from tui.api import PostHogClient
from tui.app.widgets.details import DetailsView
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.exports_tab import ExportsTab
from tui.models import FileSystemEntry


class SidePane(Vertical):
    def compose(self) -> ComposeResult:
        with TabbedContent(initial="details"):
            with TabPane("Details", id="details"), VerticalScroll():
                yield DetailsView(id="details-view")
            with TabPane("Exports", id="exports"):
                yield ExportsTab(id="exports-tab")
            with TabPane("Events", id="events"):
                yield EventsTab(id="events-tab")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    def connect(self, client: PostHogClient, download_dir: Path) -> None:
        """The client is ready: the tabs that fetch things may use it."""
        self.download_dir = download_dir
        self.query_one(ExportsTab).connect(client)
        self.query_one(EventsTab).connect(client)

    def show(self, entry: FileSystemEntry | None) -> None:
        self.query_one(DetailsView).show(entry)
        self.query_one(ExportsTab).show(entry)
        self.query_one(EventsTab).show(entry)
