"""The side pane: Details, Exports and Events of the entry under the cursor."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane, Tabs

from tui.api import PostHogClient
from tui.app.status import StatusBoard
from tui.app.widgets.details import DetailsView
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.exports_tab import ExportsTab
from tui.app.widgets.insight_chart import InsightChart
from tui.app.widgets.key_scroll import KeyScroll
from tui.models import FileSystemEntry

# The tabs, by the id of their pane.
Tab = Literal["details", "exports", "events"]


class SidePane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entry: FileSystemEntry | None = None
        # The tabs that describe another entry than the cursor's: brought up to date when
        # they come on show. A hidden tab's text changing still makes Textual lay out the
        # whole screen again, a cost paid at every cursor move while paging (B6).
        self._stale: set[Tab] = set()

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="details"):
            with TabPane("Details", id="details"), KeyScroll(id="details-scroll"):
                yield InsightChart(id="details-chart")
                yield DetailsView(id="details-view")
            with TabPane("Exports", id="exports"):
                yield ExportsTab(id="exports-tab")
            with TabPane("Events", id="events"):
                yield EventsTab(id="events-tab")

    def on_mount(self) -> None:
        # Not a stop of tab: tab goes from the tree to the tab's content and back (two
        # stops); 1/2/3 choose the tab.
        self.query_one(Tabs).can_focus = False

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
        self.query_one(InsightChart).connect(client)
        self.query_one(ExportsTab).connect(client, status, download_dir)
        self.query_one(EventsTab).connect(client, status)

    @property
    def entry(self) -> FileSystemEntry | None:
        """The entry the pane describes now (its hidden tabs once they come on show)."""
        return self._entry

    def show(self, entry: FileSystemEntry | None) -> None:
        """The cursor moved to ``entry``: the tab on show describes it at once, the others
        when they come on show."""
        self._entry = entry
        self.query_one(EventsTab).show(entry)  # only remembered: its filter offers it
        self._stale = {"details", "exports"}
        self._bring_up_to_date()

    def _bring_up_to_date(self) -> None:
        if not self.display:
            return
        active = self.tabs.active
        if active == "details" and "details" in self._stale:
            self._stale.discard("details")
            self.query_one(DetailsView).show(self._entry)
            self.query_one(InsightChart).show(self._entry)
        elif active == "exports" and "exports" in self._stale:
            self._stale.discard("exports")
            self.query_one(ExportsTab).show(self._entry)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._bring_up_to_date()
        self.call_after_refresh(self.query_one(InsightChart).fetch_if_seen)

    def opened(self) -> None:
        """The pane came on show: its tab describes the cursor's entry, and fetches what it
        could not fetch hidden."""
        self._bring_up_to_date()
        self.query_one(InsightChart).fetch_if_seen()

    def open(self, tab: Tab, *, focus: bool = True) -> None:
        """Show the pane with ``tab`` active and (with ``focus``) its content focused."""
        self.display = True
        self.tabs.active = tab
        self.opened()
        if focus:
            self.focus_content()

    def focus_content(self) -> None:
        """The active tab's main widget takes the focus: the details, the exports list,
        the events table; or, when that is hidden, the tab's first widget that can."""
        pane = self.tabs.active_pane
        if pane is None:
            return
        main = self._main_widget(pane.id or "")
        if main is not None and _can_take_focus(main, pane):
            main.focus()
            return
        for widget in pane.query("*"):
            if _can_take_focus(widget, pane):
                widget.focus()
                return

    def _main_widget(self, tab: str) -> Widget | None:
        if tab == "details":
            return self.query_one("#details-scroll", KeyScroll)
        if tab == "exports":
            return self.query_one(ExportsTab).list_view
        if tab == "events":
            return self.query_one(EventsTab).table
        return None

    def export(self, entry: FileSystemEntry | None) -> None:
        """The Exports tab on screen, asking for a format to export ``entry`` in."""
        self._entry = entry
        self._stale.add("exports")
        self.open("exports", focus=False)
        exports = self.query_one(ExportsTab)
        exports.choose()


def _can_take_focus(widget: Widget, pane: Widget) -> bool:
    """``widget`` can be focused and is on show in ``pane`` (its stylesheet may hide it, as
    the Exports tab hides its list for an entry that cannot be exported)."""
    if not widget.focusable:
        return False
    for node in widget.ancestors_with_self:
        if node is pane:
            return True
        if isinstance(node, Widget) and not node.display:
            return False
    return True
