"""The Events tab's table: one row per event, laid out for the width it has."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui import labels
from tui.app.event_text import summarize
from tui.models.events import Event

# Cells are cut here: one row per event, never a wall of text.
MAX_NAME_CELL = 28
MAX_SUMMARY_CELL = 60
# A table this wide (cells) shows the four columns on one line; a narrower one shows the
# event over its distinct id and properties, in a details column at least MIN_DETAILS wide.
WIDE_TABLE = 96
MIN_DETAILS = 16


class Shape(NamedTuple):
    """How the table is laid out for its width."""

    wide: bool  # four columns on one line (else two, the event over its details)
    time_width: int  # the widest time shown
    details_width: int  # the details column's, when not wide


def _cell_width(cell: Text) -> int:
    """The cells a cell's longest line takes on screen."""
    return max((line.cell_len for line in cell.split("\n")), default=0)


class EventsTable(DataTable[Text]):
    """The events shown, newest first, each once; says when it is scrolled to its end, so
    the next page can load."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end,G", "scroll_bottom", "Last", show=False, id="events_last"),
        Binding("home", "scroll_top", "First", show=False, id="events_first"),
        Binding("j", "cursor_down", "Down", show=False, id="events_down"),
        Binding("k", "cursor_up", "Up", show=False, id="events_up"),
        # DataTable's own keys, given ids so that ? names them and [keys] can remap them.
        Binding("down", "cursor_down", "Down", show=False, id="events_down_arrow"),
        Binding("up", "cursor_up", "Up", show=False, id="events_up_arrow"),
        Binding("left", "cursor_left", "Left", show=False, id="events_left"),
        Binding("right", "cursor_right", "Right", show=False, id="events_right"),
        Binding("pageup", "page_up", "Page up", show=False, id="events_page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="events_page_down"),
        Binding("ctrl+pageup", "page_left", "Page left", show=False, id="events_page_left"),
        Binding("ctrl+pagedown", "page_right", "Page right", show=False, id="events_page_right"),
        Binding("ctrl+home", "scroll_top", "Top", show=False, id="events_top"),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False, id="events_bottom"),
        Binding("enter", "select_cursor", "Event's JSON", show=False, id="events_open"),
    ]
    HELP_TITLE: ClassVar[str] = "Events tab"

    class ReachedEnd(Message):
        pass

    def __init__(self, time_of: Callable[[Event], str], *, id: str | None = None) -> None:
        """``time_of`` words an event's time (the tab knows the clock and the zone)."""
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.time_of = time_of
        self.events: list[Event] = []
        self.ids: set[str] = set()
        self._shape = Shape(wide=False, time_width=0, details_width=0)
        # Every column has a width of its own, set from its cells: Textual's automatic
        # widths are measured after the frame is drawn, and a frame drawn between (while a
        # resize lays the table out again) kept its cells cut ("06:3") until the next one.
        self._widths: list[int] = []

    # ------------------------------------------------------------------ the rows

    def reset(self) -> None:
        """No events (new filters: the rows start again)."""
        self.events = []
        self.ids = set()
        self.rebuild()

    def append(self, events: Iterable[Event]) -> list[Event]:
        """Older events below; returns those not shown before."""
        fresh = self._fresh(events)
        self.events += fresh
        rows = [self._cells(event) for event in fresh]
        # The shape stays as laid out: a new width comes with a resize (on_resize lays the
        # rows out again), and the time column grows when a row does not fit it (_fit).
        # Asking the size here read 0 by 0 at times (the tab between two layouts), so each
        # page rebuilt the table twice; wording every event's time again made each page
        # cost all the pages before it.
        if not self.columns or not self._fit(rows):
            self.rebuild()  # e.g. older times need a wider time column
            return fresh
        for event, cells in zip(fresh, rows, strict=True):
            self.add_row(*cells, key=event.id, height=self._row_height)
        return fresh

    def prepend(self, events: Iterable[Event]) -> list[Event]:
        """Newer events on top, the cursor staying on the event it was on; returns those
        not shown before."""
        fresh = self._fresh(events)
        if not fresh:
            return fresh
        scroll_y = self.scroll_y
        keep = self.cursor_event
        self.events = fresh + self.events
        self.rebuild(keep)
        if scroll_y > 0:
            # Keep what the user looks at in place: the new rows arrive above it.
            moved = scroll_y + len(fresh) * self._row_height
            self.call_after_refresh(self.scroll_to, y=moved, animate=False)
        return fresh

    @property
    def cursor_event(self) -> Event | None:
        if not self.events or not 0 <= self.cursor_row < len(self.events):
            return None
        return self.events[self.cursor_row]

    def _fresh(self, events: Iterable[Event]) -> list[Event]:
        fresh: list[Event] = []
        for event in events:
            if event.id not in self.ids:
                self.ids.add(event.id)
                fresh.append(event)
        return fresh

    # ------------------------------------------------------------------ layout

    def rebuild(self, keep: Event | None = None) -> None:
        """Lay every row out again (after a resize, or with new rows on top); the cursor
        stays on ``keep`` (by default the event it is on)."""
        keep = keep or self.cursor_event
        self._shape = self._layout()
        self.clear(columns=True)
        rows = [self._cells(event) for event in self.events]
        if self._shape.wide:
            columns = [("time", "time"), ("event", "event"), ("distinct id", "distinct_id")]
            columns.append(("properties", "properties"))
        else:
            columns = [("time", "time"), ("event", "details")]
        self._widths = [
            max([len(label)] + [_cell_width(cells[index]) for cells in rows])
            for index, (label, _) in enumerate(columns)
        ]
        self._widths[0] = max(self._widths[0], self._shape.time_width)
        if not self._shape.wide:
            self._widths[1] = self._shape.details_width
        for (label, key), width in zip(columns, self._widths, strict=True):
            self.add_column(label, key=key, width=width)
        for event, cells in zip(self.events, rows, strict=True):
            self.add_row(*cells, key=event.id, height=self._row_height)
        if keep is not None:
            self.move_cursor(row=self.get_row_index(keep.id), scroll=False)

    def _fit(self, rows: list[tuple[Text, ...]]) -> bool:
        """Whether ``rows`` fit the columns' widths (else the columns are laid out again).
        Not wide, the details column has the width left over and cuts its cells with an
        ellipsis: only the time must fit (checking it too rebuilt the table every page)."""
        widths = self._widths if self._shape.wide else self._widths[:1]
        return all(
            _cell_width(cell) <= width
            for cells in rows
            for cell, width in zip(cells, widths, strict=False)
        )

    def _layout(self) -> Shape:
        """The table's shape for its current width."""
        # Room for the vertical scrollbar is kept whether it shows or not: a layout that
        # depended on it would change as rows arrive.
        width = self.size.width - self.styles.scrollbar_size_vertical
        time_width = max((len(self.time_of(e)) for e in self.events), default=8)
        # Each column pads one cell either side.
        details_width = max(MIN_DETAILS, width - time_width - 4)
        return Shape(wide=width >= WIDE_TABLE, time_width=time_width, details_width=details_width)

    @property
    def _row_height(self) -> int:
        return 1 if self._shape.wide else 2

    def _cells(self, event: Event) -> tuple[Text, ...]:
        """One row: four columns when the table is wide; else the time, and the event over
        its distinct id and property summary (two lines, each cut with an ellipsis)."""
        time = Text(self.time_of(event), no_wrap=True)
        name = labels.literal(event.event, max_length=MAX_NAME_CELL)
        who = labels.literal(event.distinct_id, max_length=MAX_NAME_CELL)
        summary = labels.literal(summarize(event.properties), max_length=MAX_SUMMARY_CELL)
        if self._shape.wide:
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

    def on_resize(self) -> None:
        # After the resize is handled: the new width is the one laid out for.
        self.call_later(self._relayout)

    def _relayout(self) -> None:
        if self._layout() != self._shape or not self.columns:
            self.rebuild()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.row_count and self.max_scroll_y > 0 and new_value >= self.max_scroll_y:
            self.post_message(self.ReachedEnd())
