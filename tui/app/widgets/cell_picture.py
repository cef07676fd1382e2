"""A picture drawn in terminal cells: each cell is two pixels, the upper half block ``▀``
in the top pixel's colour over the bottom pixel's (cells are about twice as tall as wide,
so the pixels come out square). It needs nothing of the terminal but colour, so it works
over ssh, in tmux and in every snapshot the same.

Why not a terminal graphics protocol (Kitty, Sixel, iTerm2) through ``textual-image``:
that library asks the terminal what it supports when it is imported, before the app
starts, on every start of hogtree, whether the user ever opens a picture or not; and its
answer depends on the terminal, which a snapshot cannot pin. Cells are the one rendering
every user gets.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.color import Color
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

if TYPE_CHECKING:
    # Pillow is imported where a picture is loaded or drawn: the Exports tab (which imports
    # this module) is built at every start, and Pillow's import is ~30 ms of the first
    # paint (B5) that a session showing no PNG export never needs.
    from PIL import Image

UPPER_HALF = "▀"
# A picture is scaled down to this many pixels across before it is kept: a side pane is
# never wider, and a 4K export would otherwise be held and rescaled in full.
MAX_KEPT_WIDTH = 320


def load_picture(path: Path) -> Image.Image:
    """The picture at ``path``, in RGB, at most :data:`MAX_KEPT_WIDTH` pixels wide. Slow
    for a big file: call it off the UI thread."""
    from PIL import Image

    with Image.open(path) as opened:
        picture = opened.convert("RGB")
    if picture.width > MAX_KEPT_WIDTH:
        height = max(1, round(picture.height * MAX_KEPT_WIDTH / picture.width))
        picture = picture.resize((MAX_KEPT_WIDTH, height), Image.Resampling.BOX)
    return picture


class CellPicture:
    """A Rich renderable of ``picture``, as wide as it is given room (never wider than
    its pixels), its height following from its proportions."""

    def __init__(self, picture: Image.Image) -> None:
        self.picture = picture
        # The cells at each width drawn: the pane redraws on every refresh, and rescaling
        # is the cost.
        self._lines: dict[int, tuple[tuple[Segment, ...], ...]] = {}

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, min(options.max_width, self.picture.width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        width = max(1, min(options.max_width, self.picture.width))
        if width not in self._lines:
            self._lines[width] = _cell_lines(self.picture, width)
        for line in self._lines[width]:
            yield from line
            yield Segment.line()


def _cell_lines(picture: Image.Image, width: int) -> tuple[tuple[Segment, ...], ...]:
    """The picture's cells at ``width``: one tuple of segments per line of cells."""
    from PIL import Image  # loaded already: ``picture`` is one of its images

    rows = max(2, 2 * round(picture.height * width / picture.width / 2))
    small = picture.resize((width, rows), Image.Resampling.BOX)
    pixels = small.load()
    assert pixels is not None
    lines = []
    for y in range(0, rows, 2):
        line = []
        for x in range(width):
            top = pixels[x, y]
            bottom = pixels[x, y + 1]
            assert isinstance(top, tuple) and isinstance(bottom, tuple)
            style = Style(color=Color.from_rgb(*top[:3]), bgcolor=Color.from_rgb(*bottom[:3]))
            line.append(Segment(UPPER_HALF, style))
        lines.append(tuple(Segment.simplify(line)))
    return tuple(lines)
