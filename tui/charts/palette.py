"""Colours and markers per series: colour from the theme, a marker that tells series apart
without colour (monochrome terminals, screenshots in print)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color

# Line markers: braille first (the finest), then characters that differ in shape.
LINE_MARKERS = ("braille", "•", "x", "+", "o", "*")
# How each marker looks in the legend.
LEGEND_MARKS = ("⣿", "•", "x", "+", "o", "*")
# Bar fills, densest first.
BAR_FILLS = ("█", "▒", "░", "▓", "#", "=")


@dataclass(frozen=True)
class Palette:
    """Series colours (any colour rich reads: ``#ff8800``, ``red``…) and a muted colour
    for axes and labels. ``colors`` empty: draw in the terminal's own colour only."""

    colors: tuple[str, ...] = ("#0178d4", "#ffa62b", "#4ebf71", "#ba3c5b", "#a78bfa", "#2bd4d4")
    muted: str = "#8a8a8a"

    def color(self, index: int) -> str | None:
        return self.colors[index % len(self.colors)] if self.colors else None

    def rgb(self, index: int) -> tuple[int, int, int] | str:
        """The series colour as plotext takes it (``"default"`` when there is none)."""
        name = self.color(index)
        if name is None:
            return "default"
        triplet = Color.parse(name).get_truecolor()
        return (triplet.red, triplet.green, triplet.blue)


MONOCHROME = Palette(colors=(), muted="")


def line_marker(index: int) -> str:
    return LINE_MARKERS[index % len(LINE_MARKERS)]


def legend_mark(index: int) -> str:
    return LEGEND_MARKS[index % len(LEGEND_MARKS)]


def bar_fill(index: int) -> str:
    return BAR_FILLS[index % len(BAR_FILLS)]
