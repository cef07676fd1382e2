"""The Events tab: recent events of the project, filters, live tail, one event's JSON.

Events load only while the tab is on screen, newest first, a page at a time: the cursor
(or the scroll) reaching the last row follows the server's ``next``. Three filters (event
name, distinct id, ``key=value``) complete from what the server returned. ``t`` tails:
every :attr:`EventsTab.tail_interval` seconds it asks for events after the newest one and
puts them on top, the cursor staying on the event it was on. ``enter`` shows an event's
JSON; ``i`` filters by the events of the insight under the tree's cursor.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Hide, Show
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.errors import describe
from tui.app.event_text import format_time
from tui.app.status import StatusBoard
from tui.app.widgets.event_volume import EventVolume, total_per_bucket, window_for
from tui.app.widgets.events_table import EventsTable
from tui.app.widgets.safe_input import SafeInput
from tui.app.widgets.suggesters import PropertySuggester, SeenSuggester
from tui.models import FileSystemEntry
from tui.models.events import EVENT_SEPARATOR, Event, EventFilters, parse_property_filter

# A tail poll reads at most this many pages (a burst of events: the next poll goes on).
TAIL_PAGES = 10
# Event names offered to events/values/ when no event filter is set (it requires some).
VALUES_EVENT_NAMES = 20
# The tab's label while the tail runs.
TAB_LABEL = "Events"
TAB_LABEL_TAILING = "Events ●"


class EventsTab(Vertical):
    DEFAULT_CSS = """
    EventsTab {
        height: 1fr;
    }
    EventsTab #events-filters {
        height: 1;
    }
    EventsTab #events-filters Input {
        width: 1fr;
        margin-right: 1;
    }
    EventsTab #events-filters Input#events-property {
        margin-right: 0;
    }
    EventsTab #events-info {
        width: 1fr;
        height: 1;
        color: $text-muted;
    }
    EventsTab #events-info.-tailing {
        color: $success;
    }
    EventsTab #events-info.-error {
        color: $error;
    }
    EventsTab EventsTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tail", "Tail", id="events_tail"),
        Binding("i", "insight_events", "Insight's events", id="events_insight"),
        Binding("f", "focus_filter", "Filter", show=False, id="events_filter"),
    ]
    HELP_TITLE: ClassVar[str] = "Events tab"

    # Events per request; seconds between tail polls; seconds a filter waits for typing.
    page_size: ClassVar[int] = 100
    tail_interval: ClassVar[float] = 3.0
    filter_debounce: ClassVar[float] = 0.6
    # Times are shown in this zone (None: the machine's local time).
    timezone: ClassVar[tzinfo | None] = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: PostHogClient | None = None
        # Until the app's board comes with the client, one nobody shows.
        self.status = StatusBoard()
        self.entry: FileSystemEntry | None = None
        self.filters = EventFilters()
        self.names_seen: set[str] = set()
        self.distinct_ids_seen: set[str] = set()
        self.keys_seen: set[str] = set()
        self.exhausted = False
        self.loading = False
        self.tailing = False
        self.started = False
        self.on_screen = False
        self._pages: AsyncIterator[tuple[list[Event], bool]] | None = None
        self._generation = 0
        self._tail_timer: Timer | None = None
        self._filter_timer: Timer | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="events-filters"):
            yield SafeInput(
                placeholder="event",
                id="events-event",
                compact=True,
                suggester=SeenSuggester(lambda: self.names_seen, EVENT_SEPARATOR),
            )
            yield SafeInput(
                placeholder="distinct id",
                id="events-distinct",
                compact=True,
                suggester=SeenSuggester(lambda: self.distinct_ids_seen),
            )
            yield SafeInput(
                placeholder="key=value",
                id="events-property",
                compact=True,
                suggester=PropertySuggester(
                    lambda: self.client, lambda: self.keys_seen, self.value_event_names
                ),
            )
        yield Static("", id="events-info")
        yield EventVolume(id="events-volume")
        yield EventsTable(self._time, id="events-table")

    @property
    def table(self) -> EventsTable:
        return self.query_one(EventsTable)

    @property
    def volume(self) -> EventVolume:
        return self.query_one(EventVolume)

    @property
    def events(self) -> list[Event]:
        """The events shown, newest first."""
        return self.table.events

    @property
    def ids(self) -> set[str]:
        return self.table.ids

    @property
    def cursor_event(self) -> Event | None:
        return self.table.cursor_event

    def now(self) -> datetime:
        """The moment times are shown relative to (tests fix it)."""
        return datetime.now(UTC)

    # ------------------------------------------------------------------ wiring

    def connect(self, client: PostHogClient, status: StatusBoard) -> None:
        """Events come from ``client``; failures are also said on ``status``."""
        self.client = client
        self.status = status
        self._load_if_shown()

    def focus_main(self) -> None:
        self.table.focus()

    def show(self, entry: FileSystemEntry | None) -> None:
        """The cursor moved to ``entry`` (an insight offers its events as a filter)."""
        self.entry = entry

    def on_show(self, event: Show) -> None:
        self.on_screen = True
        self._load_if_shown()
        if self.tailing:
            self._tail_tick()  # catch up at once on what came while hidden

    def on_hide(self, event: Hide) -> None:
        self.on_screen = False

    def _load_if_shown(self) -> None:
        if self.client is not None and self.on_screen and not self.started:
            self.started = True
            self.reload()

    # ------------------------------------------------------------------ loading

    def current_filters(self) -> EventFilters:
        return EventFilters(
            # raw_value: an event name prefilled from an insight, as the server spells it
            event=self.query_one("#events-event", SafeInput).raw_value.strip(),
            distinct_id=self.query_one("#events-distinct", SafeInput).raw_value.strip(),
            prop=self.query_one("#events-property", SafeInput).raw_value.strip(),
        )

    def reload(self) -> None:
        """Start again from the newest events matching the filters."""
        filters = self.current_filters()
        try:
            filters.queries()
        except ValueError as error:
            self._say(str(error), error=True)
            return
        self.filters = filters
        self._generation += 1
        self.exhausted = False
        self._pages = None
        self.table.reset()
        if self.client is None:
            return
        self.workers.cancel_group(self, "events-volume")
        self._load(self._generation)

    def load_more(self) -> None:
        if self.client is None or self.loading or self.exhausted or not self.started:
            return
        self._load(self._generation)

    @work(exclusive=True, group="events-load")
    async def _load(self, generation: int) -> None:
        assert self.client is not None
        if self._pages is None:
            self._pages = self.client.events.merged_pages(
                self.filters.queries(), limit=self.page_size
            )
        pages = self._pages
        self.loading = True
        self._say("loading events…")
        try:
            events, more = await anext(pages)
        except StopAsyncIteration:
            events, more = [], False
        except ApiError as error:
            if self._current(generation):
                self.loading = False
                self.exhausted = True
                self._fail(describe(error))
            return
        if not self._current(generation):
            return
        self.loading = False
        if not more:
            self.exhausted = True
        first_page = not self.events
        for event in self.table.append(events):
            self._learn(event)
        self._say_state()
        if first_page:
            # The window follows the newest event shown, so the counts wait for it.
            self._count(generation)

    def _current(self, generation: int) -> bool:
        """Whether what a worker fetched is still wanted after its await: the filters have
        not changed since, and the tab is still in the app (a worker can finish while the
        app is closing, after the tab's table has gone: the tab may still be attached)."""
        return generation == self._generation and self.is_attached and bool(self.query(EventsTable))

    def _learn(self, event: Event) -> None:
        self.names_seen.add(event.event)
        self.distinct_ids_seen.add(event.distinct_id)
        self.keys_seen.update(event.properties)

    def _time(self, event: Event) -> str:
        return format_time(event.timestamp, self.now(), self.timezone)

    @on(DataTable.RowHighlighted, "#events-table")
    def _row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        if self.events and message.cursor_row >= len(self.events) - 1:
            self.load_more()

    @on(EventsTable.ReachedEnd)
    def _reached_end(self) -> None:
        self.load_more()

    # ------------------------------------------------------------------ filters

    @on(Input.Changed, "#events-filters Input")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(self.filter_debounce, self._apply_filters)

    @on(Input.Submitted, "#events-filters Input")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filters(force=True)
        self.table.focus()

    def _apply_filters(self, force: bool = False) -> None:
        if self.client is None:
            return
        if force or self.current_filters() != self.filters or not self.started:
            self.started = True
            self.reload()

    def value_event_names(self) -> list[str]:
        """The event names ``events/values/`` is asked about."""
        if self.filters.names:
            return self.filters.names
        return sorted(self.names_seen, key=str.casefold)[:VALUES_EVENT_NAMES]

    def action_focus_filter(self) -> None:
        self.query_one("#events-event", Input).focus()

    # ------------------------------------------------------------------ live tail

    def action_tail(self) -> None:
        self.tailing = not self.tailing
        if self.tailing:
            self._tail_timer = self.set_interval(self.tail_interval, self._tail_tick)
            self._tail_tick()
        else:
            if self._tail_timer is not None:
                self._tail_timer.stop()
                self._tail_timer = None
            self.workers.cancel_group(self, "events-tail")
        self._set_tab_label(TAB_LABEL_TAILING if self.tailing else TAB_LABEL)
        self._say_state()

    def _set_tab_label(self, label: str) -> None:
        pane = next((a for a in self.ancestors if isinstance(a, TabPane)), None)
        tabs = next((a for a in self.ancestors if isinstance(a, TabbedContent)), None)
        if pane is None or tabs is None or pane.id is None:
            return
        with contextlib.suppress(NoMatches, ValueError):
            tabs.get_tab(pane.id).label = label

    def _tail_tick(self) -> None:
        # Nothing is fetched while the tab is off screen; showing it again catches up.
        if self.tailing and self.on_screen and self.client is not None and not self.loading:
            self._poll_newer(self._generation)

    @work(exclusive=True, group="events-tail")
    async def _poll_newer(self, generation: int) -> None:
        assert self.client is not None
        # A millisecond of overlap: an event stored with the newest one's exact timestamp
        # is not lost; the ids already shown are skipped.
        after = self.events[0].timestamp - timedelta(milliseconds=1) if self.events else None
        newer: list[Event] = []
        try:
            for query in self.filters.queries():
                # Oldest first: a burst longer than TAIL_PAGES pages goes on at the next
                # poll from where this one stopped, nothing skipped.
                pages = self.client.events.iter_pages(
                    limit=self.page_size, after=after, oldest_first=True, **query
                )
                count = 0
                async for page in pages:
                    newer += page.results
                    count += 1
                    if count >= TAIL_PAGES:
                        break
        except ApiError as error:
            if self.is_attached:
                self._fail(describe(error))
            return
        if not self._current(generation) or not self.tailing:
            return
        newer.sort(key=lambda event: event.timestamp, reverse=True)
        added = self.table.prepend(newer)
        for event in added:
            self._learn(event)
        self._say_state(f"+{len(added)} new" if added else "")
        if added:
            self._count(generation)

    # ------------------------------------------------------------------ volume

    @work(exclusive=True, group="events-volume")
    async def _count(self, generation: int) -> None:
        """Ask the server how many events match the filters per hour or day (the table
        holds only a page) and draw them above the table; a newer count replaces this one."""
        assert self.client is not None
        now = self.now()
        window = window_for(self.events[0].timestamp if self.events else None, now)
        self.volume.counting(window)
        filters = self.filters
        try:
            condition = parse_property_filter(filters.prop)
            answer = await self.client.query.event_counts(
                filters.names or [None],
                interval=window.interval,
                date_from=now - window.span,
                date_to=now,
                distinct_id=filters.distinct_id or None,
                properties=[condition] if condition is not None else [],
            )
        except ApiError as error:
            if self._current(generation):
                self.volume.fail(describe(error))
            return
        if self._current(generation):
            self.volume.show(window, total_per_bucket([s.data for s in answer.results]))

    # ------------------------------------------------------------------ one event

    @on(DataTable.RowSelected, "#events-table")
    def _row_selected(self, message: DataTable.RowSelected) -> None:
        if 0 <= message.cursor_row < len(self.events):
            # Imported when an event is opened: it brings Rich's syntax highlighting
            # (Pygments), ~20 ms of every start (B5) if imported with the tab.
            from tui.app.screens.event_json import EventJsonScreen

            self.app.push_screen(EventJsonScreen(self.events[message.cursor_row]))

    # ------------------------------------------------------------------ insight shortcut

    def action_insight_events(self) -> None:
        entry = self.entry
        if entry is None or entry.type != "insight" or not entry.ref or self.client is None:
            self._say("Put the tree's cursor on an insight first", error=True)
            return
        self._insight_events(entry.ref)

    @work(exclusive=True, group="events-insight")
    async def _insight_events(self, ref: str) -> None:
        assert self.client is not None
        try:
            insight = await self.client.insights.by_short_id(ref)
        except ApiError as error:
            self._fail(describe(error))
            return
        names = insight.event_names
        if not names:
            self._say("This insight counts no particular event", error=True)
            return
        self.prefill_event(f" {EVENT_SEPARATOR} ".join(names))

    def prefill_event(self, name: str) -> None:
        """Filter by ``name`` now (the input shows it)."""
        box = self.query_one("#events-event", Input)
        with box.prevent(Input.Changed):
            box.value = name
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.started = True
        self.reload()

    # ------------------------------------------------------------------ saying things

    def _say(self, message: str, *, error: bool = False) -> None:
        info = self.query_one("#events-info", Static)
        info.set_class(error, "-error")
        info.set_class(self.tailing and not error, "-tailing")
        # Its size is fixed (one line, the tab's width): no layout of the screen for it.
        info.update(Text(labels.visible(message)), layout=False)

    def _say_state(self, extra: str = "") -> None:
        parts = [f"{len(self.events):,} event{'' if len(self.events) == 1 else 's'}"]
        if not self.exhausted and self.events:
            parts[0] += " (more below)"
        if self.filters:
            parts.append("filtered")
        parts.append("● tail on" if self.tailing else "t: tail")
        if extra:
            parts.append(extra)
        self._say(" · ".join(parts))

    def _fail(self, message: str) -> None:
        self._say(message, error=True)
        self.status.fail(message)
