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
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Hide, Show
from textual.message import Message
from textual.suggester import Suggester
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.errors import describe
from tui.app.screens.event_json import EventJsonScreen
from tui.app.widgets.safe_input import SafeInput
from tui.app.widgets.status_line import StatusLine
from tui.models import FileSystemEntry
from tui.models.events import FILTER_OPERATORS, Event, parse_property_filter

# Where an event happened, first found wins; then what it ran in.
PLACE_KEYS = ("$current_url", "$pathname", "$screen_name")
CLIENT_KEYS = ("$browser", "$os")
# How many of an event's own (non-$) properties the summary names when it has no place.
OWN_PROPERTIES_SHOWN = 3
# Cells are cut here: one row per event, never a wall of text.
MAX_NAME_CELL = 28
MAX_SUMMARY_CELL = 60
# A table this wide (cells) shows the four columns on one line; a narrower one shows the
# event over its distinct id and properties, in a details column at least MIN_DETAILS wide.
WIDE_TABLE = 96
MIN_DETAILS = 16
# A tail poll follows ``next`` at most this many pages (a burst of events).
TAIL_PAGES = 10
# Event names offered to events/values/ when no event filter is set (it requires some).
VALUES_EVENT_NAMES = 20
# Between event names in the event filter: events named either way.
EVENT_SEPARATOR = "|"
# The tab's label while the tail runs.
TAB_LABEL = "Events"
TAB_LABEL_TAILING = "Events ●"


def format_time(moment: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """``14:03:07`` today, ``Nov 24 14:03`` this year, ``2024-11-24`` before, in
    ``tz`` (the machine's local time zone when ``None``)."""
    local = moment.astimezone(tz)
    today = now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M:%S")
    if local.year == today.year:
        return local.strftime("%b %d %H:%M")
    return local.strftime("%Y-%m-%d")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def summarize(properties: dict[str, Any]) -> str:
    """A short line of an event's properties: where it happened and in what, or else its
    own properties as ``key=value``."""
    parts: list[str] = []
    place = next((properties[k] for k in PLACE_KEYS if properties.get(k) not in (None, "")), None)
    if place is not None:
        shown = _text(place)
        for scheme in ("https://", "http://"):
            shown = shown.removeprefix(scheme)
        parts.append(shown)
    parts += [_text(properties[k]) for k in CLIENT_KEYS if properties.get(k) not in (None, "")]
    if not parts:
        own = [(k, v) for k, v in properties.items() if not k.startswith("$")]
        parts = [f"{k}={_text(v)}" for k, v in own[:OWN_PROPERTIES_SHOWN]]
    return " · ".join(parts)


def split_property_text(text: str) -> tuple[str, str, str]:
    """``"$browser=Saf"`` → (``"$browser"``, ``"="``, ``"Saf"``); no operator → (text, "", "")."""
    found = [(text.find(mark), mark) for mark, _ in FILTER_OPERATORS if mark in text]
    if not found:
        return text, "", ""
    at, mark = min(found, key=lambda f: (f[0], -len(f[1])))
    return text[:at], mark, text[at + len(mark) :]


@dataclass(frozen=True)
class EventFilters:
    event: str = ""
    distinct_id: str = ""
    prop: str = ""

    @property
    def names(self) -> list[str]:
        """The event names asked for: ``a | b`` means either (a query each, merged)."""
        found: list[str] = []
        for name in self.event.split(EVENT_SEPARATOR):
            if name.strip() and name.strip() not in found:
                found.append(name.strip())
        return found

    def queries(self) -> list[dict[str, Any]]:
        """Keyword arguments of ``client.events.page``: one set per event name."""
        condition = parse_property_filter(self.prop)
        base: dict[str, Any] = {
            "event": None,
            "distinct_id": self.distinct_id or None,
            "properties": [condition] if condition is not None else None,
        }
        return [base | {"event": name} for name in self.names] or [base]

    def __bool__(self) -> bool:
        return bool(self.event or self.distinct_id or self.prop.strip())


def _first_completion(candidates: Iterable[str], typed: str) -> str | None:
    folded = typed.casefold()
    for candidate in sorted(set(candidates), key=str.casefold):
        if candidate != typed and candidate.casefold().startswith(folded):
            return candidate
    return None


class SeenSuggester(Suggester):
    """Inline completion (accept with ``→``) from what the loaded events held; with a
    ``separator``, of the last of several values."""

    def __init__(self, source: Callable[[], Iterable[str]], separator: str | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.source = source
        self.separator = separator

    async def get_suggestion(self, value: str) -> str | None:
        head, last = "", value
        if self.separator and self.separator in value:
            at = value.rindex(self.separator) + len(self.separator)
            head, last = value[:at], value[at:]
            head, last = head + last[: len(last) - len(last.lstrip())], last.lstrip()
        if not last:
            return None
        found = _first_completion(self.source(), last)
        return head + found if found is not None else None


async def event_pages(
    client: PostHogClient, queries: list[dict[str, Any]], limit: int
) -> AsyncIterator[tuple[list[Event], bool]]:
    """Pages of events newest first, each with whether more may follow. One query follows
    the server's ``next``; several (one per event name) are merged by time."""
    if len(queries) == 1:
        async for page in client.events.iter_pages(limit=limit, **queries[0]):
            yield page.results, page.next is not None and bool(page.results)
        return
    streams = [client.events.iter_pages(limit=limit, **query) for query in queries]
    buffers: list[deque[Event]] = [deque() for _ in streams]
    done = [False] * len(streams)

    async def fill(i: int) -> None:
        while not buffers[i] and not done[i]:
            try:
                buffers[i].extend((await anext(streams[i])).results)
            except StopAsyncIteration:
                done[i] = True

    while True:
        out: list[Event] = []
        while len(out) < limit:
            for i in range(len(streams)):
                await fill(i)
            live = [i for i, buffer in enumerate(buffers) if buffer]
            if not live:
                break
            newest = max(live, key=lambda i: buffers[i][0].timestamp)
            out.append(buffers[newest].popleft())
        more = any(buffers) or not all(done)
        yield out, more
        if not more:
            return


class PropertySuggester(Suggester):
    """``key`` completes from the property keys seen; ``key=val`` from the values the
    server knows (``events/values/``) for the event filter or the event names seen."""

    def __init__(self, tab: EventsTab) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tab = tab

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        key, mark, typed = split_property_text(value)
        if not mark:
            return _first_completion(self.tab.keys_seen, value)
        client = self.tab.client
        names = self.tab.value_event_names()
        if client is None or not key.strip() or not names:
            return None
        try:
            found = await client.events.values(key.strip(), names, value=typed or None)
        except ApiError:
            return None
        values = [_text(v.name) for v in found.results if v.name is not None]
        completion = _first_completion(values, typed) if typed else (values[0] if values else None)
        return f"{key}{mark}{completion}" if completion is not None else None


class EventsTable(DataTable[Text]):
    """The events; says when it is scrolled to its end, so the next page can load."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end,G", "scroll_bottom", "Last", show=False, id="events_last"),
        Binding("home", "scroll_top", "First", show=False, id="events_first"),
        Binding("j", "cursor_down", "Down", show=False, id="events_down"),
        Binding("k", "cursor_up", "Up", show=False, id="events_up"),
    ]

    class ReachedEnd(Message):
        pass

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.row_count and self.max_scroll_y > 0 and new_value >= self.max_scroll_y:
            self.post_message(self.ReachedEnd())


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

    # Events per request; seconds between tail polls; seconds a filter waits for typing.
    page_size: ClassVar[int] = 100
    tail_interval: ClassVar[float] = 3.0
    filter_debounce: ClassVar[float] = 0.6
    # Times are shown in this zone (None: the machine's local time).
    timezone: ClassVar[tzinfo | None] = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: PostHogClient | None = None
        self.entry: FileSystemEntry | None = None
        self.events: list[Event] = []
        self.ids: set[str] = set()
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
        self._wide = False
        self._details_width = 0

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
                suggester=PropertySuggester(self),
            )
        yield Static("", id="events-info")
        yield EventsTable(id="events-table", cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> EventsTable:
        return self.query_one(EventsTable)

    def now(self) -> datetime:
        """The moment times are shown relative to (tests fix it)."""
        return datetime.now(UTC)

    # ------------------------------------------------------------------ wiring

    def connect(self, client: PostHogClient) -> None:
        self.client = client
        self._load_if_shown()

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
        self.events = []
        self.ids = set()
        self.exhausted = False
        self._pages = None
        self._rebuild()
        if self.client is None:
            return
        self._load(self._generation)

    def load_more(self) -> None:
        if self.client is None or self.loading or self.exhausted or not self.started:
            return
        self._load(self._generation)

    @work(exclusive=True, group="events-load")
    async def _load(self, generation: int) -> None:
        assert self.client is not None
        if self._pages is None:
            self._pages = event_pages(self.client, self.filters.queries(), self.page_size)
        pages = self._pages
        self.loading = True
        self._say("loading events…")
        try:
            events, more = await anext(pages)
        except StopAsyncIteration:
            events, more = [], False
        except ApiError as error:
            if generation == self._generation:
                self.loading = False
                self.exhausted = True
                self._fail(describe(error))
            return
        if generation != self._generation:
            return
        self.loading = False
        if not more:
            self.exhausted = True
        self._append(events)
        self._say_state()

    def _learn(self, event: Event) -> None:
        self.names_seen.add(event.event)
        self.distinct_ids_seen.add(event.distinct_id)
        self.keys_seen.update(event.properties)

    def _time(self, event: Event) -> str:
        return format_time(event.timestamp, self.now(), self.timezone)

    def _cells(self, event: Event) -> tuple[Text, ...]:
        """One row: four columns when the table is wide; else the time, and the event over
        its distinct id and property summary (two lines, each cut with an ellipsis)."""
        time = Text(self._time(event), no_wrap=True)
        name = labels.literal(event.event, max_length=MAX_NAME_CELL)
        who = labels.literal(event.distinct_id, max_length=MAX_NAME_CELL)
        summary = labels.literal(summarize(event.properties), max_length=MAX_SUMMARY_CELL)
        if self._wide:
            return time, name, who, summary
        details = Text(no_wrap=True, overflow="ellipsis")
        details.append_text(name)
        details.append("\n")
        details.append_text(who.copy())
        details.stylize("cyan", len(name) + 1)
        if summary.plain:
            details.append(" · ", style="dim")
            details.append_text(summary)
        return time, details

    def _layout(self) -> tuple[bool, int]:
        """(wide, width of the details column) for the table's current width."""
        table = self.table
        # Room for the vertical scrollbar is kept whether it shows or not: a layout that
        # depended on it would change as rows arrive.
        width = table.size.width - table.styles.scrollbar_size_vertical
        time_width = max((len(self._time(e)) for e in self.events), default=8)
        # Each column pads one cell either side.
        return width >= WIDE_TABLE, max(MIN_DETAILS, width - time_width - 4)

    def _rebuild(self, keep: Event | None = None) -> None:
        """Lay every row out again (after a resize, or with new rows on top); the cursor
        stays on ``keep`` (by default the event it is on)."""
        table = self.table
        keep = keep or self.cursor_event
        self._wide, self._details_width = self._layout()
        table.clear(columns=True)
        table.add_column("time", key="time")
        if self._wide:
            table.add_column("event", key="event")
            table.add_column("distinct id", key="distinct_id")
            table.add_column("properties", key="properties")
        else:
            table.add_column("event", key="details", width=self._details_width)
        for event in self.events:
            table.add_row(*self._cells(event), key=event.id, height=self._row_height)
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep.id), scroll=False)

    @property
    def _row_height(self) -> int:
        return 1 if self._wide else 2

    @on(EventsTable.Resized)
    def _resized(self) -> None:
        if self._layout() != (self._wide, self._details_width) or not self.table.columns:
            self._rebuild()

    def _fresh(self, events: Iterable[Event]) -> list[Event]:
        fresh: list[Event] = []
        for event in events:
            if event.id not in self.ids:
                self.ids.add(event.id)
                self._learn(event)
                fresh.append(event)
        return fresh

    def _append(self, events: Iterable[Event]) -> None:
        fresh = self._fresh(events)
        self.events += fresh
        if self._layout() != (self._wide, self._details_width) or not self.table.columns:
            self._rebuild()  # e.g. older times need a wider time column
            return
        table = self.table
        for event in fresh:
            table.add_row(*self._cells(event), key=event.id, height=self._row_height)

    def _prepend(self, events: list[Event]) -> int:
        """Put newer events on top; the cursor stays on the event it was on."""
        fresh = self._fresh(events)
        if not fresh:
            return 0
        table = self.table
        scroll_y = table.scroll_y
        keep = self.cursor_event
        self.events = fresh + self.events
        self._rebuild(keep)
        if scroll_y > 0:
            # Keep what the user looks at in place: the new rows arrive above it.
            moved = scroll_y + len(fresh) * self._row_height
            self.call_after_refresh(table.scroll_to, y=moved, animate=False)
        return len(fresh)

    @property
    def cursor_event(self) -> Event | None:
        table = self.table
        if not self.events or not 0 <= table.cursor_row < len(self.events):
            return None
        return self.events[table.cursor_row]

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
                pages = self.client.events.iter_pages(limit=self.page_size, after=after, **query)
                count = 0
                async for page in pages:
                    newer += page.results
                    count += 1
                    if count >= TAIL_PAGES:
                        break
        except ApiError as error:
            self._fail(describe(error))
            return
        if generation != self._generation or not self.tailing:
            return
        newer.sort(key=lambda event: event.timestamp, reverse=True)
        added = self._prepend(newer)
        self._say_state(f"+{added} new" if added else "")

    # ------------------------------------------------------------------ one event

    @on(DataTable.RowSelected, "#events-table")
    def _row_selected(self, message: DataTable.RowSelected) -> None:
        if 0 <= message.cursor_row < len(self.events):
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
        names = insight_event_names(insight.query)
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
        info.update(Text(labels.visible(message)))

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
        with contextlib.suppress(NoMatches):
            self.app.query_one(StatusLine).fail(message)


def insight_event_names(query: dict[str, Any] | None) -> list[str]:
    """The events an insight's query counts (``query.source.series[].event``)."""
    if not isinstance(query, dict):
        return []
    source = query.get("source", query)
    series = source.get("series") if isinstance(source, dict) else None
    names: list[str] = []
    for item in series if isinstance(series, list) else []:
        name = item.get("event") if isinstance(item, dict) else None
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names
