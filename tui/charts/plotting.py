"""Lines and bars drawn by plotext into text, at a given size, with braille dots for lines.

plotext keeps its figure in module state, so every drawing holds a lock: the app may draw
while a worker thread draws too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from tui.charts import axes
from tui.charts.palette import Palette, bar_fill, line_marker

_PLOTEXT = threading.Lock()


@dataclass(frozen=True)
class Lines:
    """Series over shared buckets: ``x_labels`` one per bucket, ``values`` one row per
    series."""

    x_labels: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]


def draw_lines(lines: Lines, width: int, height: int, palette: Palette, *, bars: bool) -> Text:
    """The series as lines (braille) or as bars side by side, with labelled axes."""
    count = len(lines.x_labels)
    flat = [v for row in lines.values for v in row]
    ticks = axes.y_ticks(flat, height)
    label_width = max((len(label) for label in lines.x_labels), default=1)
    positions = axes.tick_positions(count, width - 6, label_width)
    # Imported at the first chart, not with this module: the side pane (which imports it)
    # is built at every start, and plotext's import is ~45 ms of the first paint (B5)
    # that a session without charts never needs.
    import plotext as plt  # type: ignore[import-untyped]

    with _PLOTEXT:
        plt.clf()
        plt.theme("clear")
        plt.plotsize(width, height)
        plt.frame(False)
        xs = list(range(1, count + 1))
        if bars:
            plt.multiple_bar(
                xs,
                [list(row) for row in lines.values],
                marker=[bar_fill(i) for i in range(len(lines.values))],
                color=[palette.rgb(i) for i in range(len(lines.values))],
                width=0.8,
            )
        else:
            for index, row in enumerate(lines.values):
                plt.plot(xs, list(row), marker=line_marker(index), color=palette.rgb(index))
        plt.ylim(0, ticks[-1])
        plt.yticks(ticks, [axes.number(t) for t in ticks])
        plt.xticks([xs[i] for i in positions], [lines.x_labels[i] for i in positions])
        drawn = plt.build()
    return Text.from_ansi(drawn, no_wrap=True)


def series_values(rows: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in rows)
