"""``M``: every message of the session, as lazygit's command log or k9s's: its time, its
level and its whole text (an error the status line cut with "…" is here in full, wrapped),
newest at the bottom where the view starts. ``y`` copies the highlighted message, ``Y``
all of them (OSC 52, as ``o`` does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from tui import labels
from tui.app.status import Level, LogEntry

# How each level reads in the log: a word of the same width for all, and its style.
LEVEL_LOOK: dict[Level, tuple[str, str]] = {
    Level.INFO: ("info ", "dim"),
    Level.SUCCESS: ("done ", "green"),
    Level.WARNING: ("warn ", "bold yellow"),
    Level.ERROR: ("error", "bold red"),
}
TIME_FORMAT = "%H:%M:%S"
HELP = "j/k g/G: scroll · y: copy · Y: copy all · esc: close"


def entry_line(entry: LogEntry) -> str:
    """One message as plain text, as it is copied: ``12:03:04 error Not allowed: …``."""
    return f"{entry.time.strftime(TIME_FORMAT)} {entry.level.value} {labels.visible(entry.text)}"


def entry_row(entry: LogEntry) -> RenderableType:
    """One message as the log shows it: time and level, then its text wrapped beside them."""
    word, style = LEVEL_LOOK[entry.level]
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(no_wrap=True, style="dim")
    row.add_column(no_wrap=True)
    row.add_column(ratio=1, overflow="fold")
    # Made visible, never parsed as markup: a message may name an entry.
    row.add_row(
        entry.time.strftime(TIME_FORMAT), Text(word, style=style), Text(labels.visible(entry.text))
    )
    return row


class MessagesScreen(ModalScreen[None]):
    """The session's messages, oldest first, the newest highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,M", "close", "Close", id="messages_close"),
        Binding("j", "scroll('cursor_down')", "Down", show=False, id="messages_down"),
        Binding("k", "scroll('cursor_up')", "Up", show=False, id="messages_up"),
        Binding("g", "scroll('first')", "First", show=False, id="messages_first"),
        Binding("G", "scroll('last')", "Last", show=False, id="messages_last"),
        Binding("y", "copy", "Copy message", id="messages_copy"),
        Binding("Y", "copy_all", "Copy all", id="messages_copy_all"),
    ]

    def __init__(self, entries: Sequence[LogEntry]) -> None:
        super().__init__()
        self.entries = tuple(entries)

    def compose(self) -> ComposeResult:
        count = len(self.entries)
        title = f"Messages ({count})" if count else "Messages"
        with Vertical(id="messages"):
            yield Static(Text(title, style="bold"), id="dialog-title")
            rows = [entry_row(entry) for entry in self.entries]
            yield OptionList(*rows, id="messages-list")
            if not self.entries:
                yield Static(Text("Nothing was said yet.", style="dim italic"))
            yield Static(Text(HELP, style="dim"), id="messages-help")

    @property
    def list_view(self) -> OptionList:
        return self.query_one("#messages-list", OptionList)

    def on_mount(self) -> None:
        view = self.list_view
        view.focus()
        if self.entries:
            view.highlighted = len(self.entries) - 1  # the newest, at the bottom
            view.call_after_refresh(view.scroll_end, animate=False)

    def action_scroll(self, how: str) -> None:
        getattr(self.list_view, f"action_{how}")()

    @property
    def highlighted(self) -> LogEntry | None:
        index = self.list_view.highlighted
        return self.entries[index] if index is not None and self.entries else None

    def action_copy(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        # Made visible: a control character pasted into a shell could run what follows.
        self.app.copy_to_clipboard(labels.visible(entry.text))
        self._said(f"Copied the {entry.level.value} message of {entry.time.strftime(TIME_FORMAT)}")

    def action_copy_all(self) -> None:
        if not self.entries:
            return
        self.app.copy_to_clipboard("\n".join(entry_line(entry) for entry in self.entries))
        self._said(f"Copied all {len(self.entries)} messages")

    def _said(self, text: str) -> None:
        self.query_one("#messages-help", Static).update(Text(f"{text} · esc: close", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
