"""The side pane: Details, Exports and Events of the entry under the cursor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from tui.app.widgets.details import DetailsView
from tui.models import FileSystemEntry


class SidePane(Vertical):
    def compose(self) -> ComposeResult:
        with TabbedContent(initial="details"):
            with TabPane("Details", id="details"), VerticalScroll():
                yield DetailsView(id="details-view")
            with TabPane("Exports", id="exports"):
                yield Static(
                    "Exports of the selected insight or dashboard arrive in the next release.",
                    classes="placeholder",
                )
            with TabPane("Events", id="events"):
                yield Static("Recent events arrive in the next release.", classes="placeholder")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    def show(self, entry: FileSystemEntry | None) -> None:
        self.query_one(DetailsView).show(entry)
