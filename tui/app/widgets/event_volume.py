"""The event volume above the Events table: how many of the filtered events happened per
hour (or per day) over a window, as Textual's own :class:`~textual.widgets.Sparkline`.

The widget only draws what it is given — the Events tab asks the server for the counts
(``client.query.event_counts``) in a worker and hands them over — and says in its label
what is drawn: ``events per hour · last 24 h · peak 312``, ``counting…`` while the counts
are on their way, or why they could not be had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from tui import labels


@dataclass(frozen=True)
class VolumeWindow:
    """The time drawn: ``span`` up to now, a bar per ``interval``."""

    span: timedelta
    interval: Literal["hour", "day"]
    name: str  # as the label says it: "last 24 h"


# 25 bars by hour, or 31 by day: enough to read a shape, few enough to read each bar.
LAST_DAY = VolumeWindow(timedelta(hours=24), "hour", "last 24 h")
LAST_MONTH = VolumeWindow(timedelta(days=30), "day", "last 30 d")


def window_for(newest: datetime | None, now: datetime) -> VolumeWindow:
    """The window to draw, from the newest event the table shows: the last day by hour
    when it is that recent (or nothing is shown), else the last month by day, so a project
    whose events stopped days ago still shows when they stopped."""
    if newest is None or now - newest <= LAST_DAY.span:
        return LAST_DAY
    return LAST_MONTH


def total_per_bucket(series: Sequence[Sequence[float]]) -> list[int]:
    """Several series' values (one per event name asked) summed bucket by bucket."""
    width = max((len(values) for values in series), default=0)
    return [
        int(sum(values[index] for values in series if index < len(values)))
        for index in range(width)
    ]


class EventVolume(Vertical):
    """A label line over a one-line sparkline."""

    DEFAULT_CSS = """
    EventVolume {
        height: 2;
    }
    EventVolume #volume-label {
        width: 1fr;
        height: 1;
        color: $text-muted;
    }
    EventVolume #volume-label.-error {
        color: $error;
    }
    EventVolume Sparkline {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.window: VolumeWindow | None = None
        # What is drawn (None: nothing yet, or the counts failed).
        self.counts: list[int] | None = None
        self.state: Literal["idle", "loading", "shown", "failed"] = "idle"

    def compose(self) -> ComposeResult:
        yield Static("", id="volume-label")
        yield Sparkline(None, id="volume-spark")

    @property
    def label(self) -> str:
        """The label as shown (plain text)."""
        return str(self.query_one("#volume-label", Static).render())

    def counting(self, window: VolumeWindow) -> None:
        """The counts for ``window`` are on their way: say so, draw nothing."""
        self.window, self.counts, self.state = window, None, "loading"
        self._say(f"events per {window.interval} · {window.name} · counting…")
        self.query_one(Sparkline).data = None

    def show(self, window: VolumeWindow, counts: Sequence[int]) -> None:
        """Draw ``counts`` (a bar each, oldest first)."""
        self.window, self.counts, self.state = window, list(counts), "shown"
        peak = max(counts, default=0)
        if peak == 0:
            self._say(f"events per {window.interval} · {window.name} · none")
        else:
            self._say(f"events per {window.interval} · {window.name} · peak {peak:,}")
        # An all-zero line draws as the lowest bar everywhere: flat, as it should read.
        self.query_one(Sparkline).data = [float(count) for count in counts]

    def fail(self, reason: str) -> None:
        """The counts could not be had: say why, draw nothing."""
        self.counts, self.state = None, "failed"
        self._say(f"event volume: {reason}", error=True)
        self.query_one(Sparkline).data = None

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#volume-label", Static)
        label.set_class(error, "-error")
        # Its size is fixed (one line, the tab's width): no layout of the screen for it.
        label.update(Text(labels.visible(message)), layout=False)
