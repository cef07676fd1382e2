"""The status line: where the cursor is, what is marked, what runs, what was said.

What runs and what was said live on a :class:`~tui.app.status.StatusBoard` that many
workers share; this widget only draws it (and the cursor's path and marks, which the app
sets).
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui import labels
from tui.app.status import Level, StatusBoard

# Frames of the "work in progress" spinner; it only turns while something runs.
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# The path gets at most half the line when something else is said, but never less than this.
MIN_PATH_CELLS = 20
# How each level of message reads: a mark before it, and its style.
LOOK: dict[Level, tuple[str, str]] = {
    Level.INFO: ("", "green"),
    Level.SUCCESS: ("", "green"),
    Level.WARNING: ("⚠ ", "bold yellow"),
    Level.ERROR: ("✗ ", "bold red"),
}


class StatusLine(Static):
    """One line: ``path · 2 marked · 3 cut · ⠋ moving 3 entries… · ✗ error``."""

    path: reactive[str] = reactive("", layout=False)
    marked: reactive[int] = reactive(0)
    cut: reactive[int] = reactive(0)

    def __init__(self, board: StatusBoard, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.board = board
        self._frame = 0

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._spinner = self.set_interval(0.1, self._spin, pause=True)
        self._unwatch = self.board.watch(self._board_changed)
        self._board_changed()

    def on_unmount(self) -> None:
        self._unwatch()

    def _board_changed(self) -> None:
        # A thread worker's change arrives on its thread: draw on the app's.
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is self._loop:
            self._redraw()
        else:
            self._loop.call_soon_threadsafe(self._redraw)

    def _redraw(self) -> None:
        if not self.is_attached:
            return
        if self.board.works:
            self._spinner.resume()
        else:
            self._spinner.pause()
        self.refresh()

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)
        self.refresh()

    def render(self) -> Text:
        parts: list[Text] = []
        works = self.board.work
        said = self.board.current
        path = labels.display_path(self.path) if self.path else Text("/", style="dim")
        if self.marked or self.cut or works or said is not None:
            # A long path must not push what happened off the line.
            path.truncate(max(MIN_PATH_CELLS, self.size.width // 2), overflow="ellipsis")
        parts.append(path)
        if self.marked:
            parts.append(Text(f"{self.marked} marked", style="bold"))
        if self.cut:
            parts.append(Text(f"{self.cut} cut", style="bold"))
        if works:
            # Made visible here, as messages are: a work may name an entry.
            parts.append(Text(f"{SPINNER[self._frame]} {labels.visible(works)}", style="italic"))
        if said is not None:
            mark, style = LOOK[said.level]
            parts.append(Text(mark + labels.visible(said.text), style=style))
        return Text(" · ").join(parts)
