"""The side pane: Details, Exports and Events of the entry under the cursor."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane, Tabs

from tui.api import PostHogClient
from tui.app.status import StatusBoard
from tui.app.widgets.details import DetailsView
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.exports_tab import ExportsTab
from tui.models import FileSystemEntry

# The tabs, by the id of their pane.
Tab = Literal["details", "exports", "events"]


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

    def connect(
        self,
        client: PostHogClient,
        status: StatusBoard,
        *,
        download_dir: Path,
        web_host: str,
        project_id: int,
    ) -> None:
        """The client is ready: the tabs that fetch things may use it, and say what they do
        on ``status``; Details links to the entry's page at ``web_host``."""
        self.query_one(DetailsView).connect(web_host, project_id)
        self.query_one(ExportsTab).connect(client, status, download_dir)
        self.query_one(EventsTab).connect(client, status)

    @property
    def entry(self) -> FileSystemEntry | None:
        """The entry the pane describes now."""
        return self.query_one(DetailsView).entry

    def show(self, entry: FileSystemEntry | None) -> None:
        self.query_one(DetailsView).show(entry)
        self.query_one(ExportsTab).show(entry)
        self.query_one(EventsTab).show(entry)

    def open(self, tab: Tab, *, focus: bool = True) -> None:
        """Show the pane with ``tab`` active and (with ``focus``) its main widget focused:
        the exports list, the events table (Details has nothing to focus)."""
        self.display = True
        self.tabs.active = tab
        if not focus:
            return
        if tab == "exports":
            self.query_one(ExportsTab).focus_main()
        elif tab == "events":
            self.query_one(EventsTab).focus_main()

    def focus_tabs(self) -> None:
        """The tab bar takes the focus (``tab`` from the tree)."""
        self.query_one(Tabs).focus()

    def export(self, entry: FileSystemEntry | None) -> None:
        """The Exports tab on screen, asking for a format to export ``entry`` in."""
        self.open("exports", focus=False)
        exports = self.query_one(ExportsTab)
        exports.show(entry)
        exports.choose()
