"""The status line: where the cursor is, what is marked, what runs, what went wrong."""

from __future__ import annotations

import logging

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tui import labels

logger = logging.getLogger(__name__)

# Frames of the "work in progress" spinner; it only turns while something runs.
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
# The path gets at most half the line when something else is said, but never less than this.
MIN_PATH_CELLS = 20


class StatusLine(Static):
    """One line: ``path · 2 marked · ⠋ moving 3 entries… · ✗ last error``."""

    path: reactive[str] = reactive("", layout=False)
    marked: reactive[int] = reactive(0)
    work: reactive[str] = reactive("")  # what runs in the background, "" when idle
    message: reactive[str] = reactive("")  # the last thing that happened
    error: reactive[str] = reactive("")  # the last failure, in the server's words

    def on_mount(self) -> None:
        self._frame = 0
        self._spinner = self.set_interval(0.1, self._spin, pause=True)

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)
        self.refresh()

    def watch_work(self, work: str) -> None:
        if work:
            self._spinner.resume()
        else:
            self._spinner.pause()

    def say(self, message: str) -> None:
        """Report what just happened; clears a previous error."""
        self.message = message
        self.error = ""

    def fail(self, error: str) -> None:
        logger.warning("%s", error)  # for --debug: every failure the user was shown
        self.error = error

    def render(self) -> Text:
        parts: list[Text] = []
        path = labels.display_path(self.path) if self.path else Text("/", style="dim")
        if self.marked or self.work or self.error or self.message:
            # A long path must not push what happened off the line.
            path.truncate(max(MIN_PATH_CELLS, self.size.width // 2), overflow="ellipsis")
        parts.append(path)
        if self.marked:
            parts.append(Text(f"{self.marked} marked", style="bold"))
        if self.work:
            parts.append(Text(f"{SPINNER[self._frame]} {self.work}", style="italic"))
        if self.error:
            parts.append(Text("✗ " + labels.visible(self.error), style="bold red"))
        elif self.message:
            parts.append(Text(labels.visible(self.message), style="green"))
        return Text(" · ").join(parts)
