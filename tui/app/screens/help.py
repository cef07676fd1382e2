"""``?``: every key, read from the live bindings (so remapped or hidden keys show true)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.widgets.key_scroll import KeyScroll


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help_close"),
    ]

    def __init__(self, rows: list[tuple[str, str]], read_only: bool) -> None:
        super().__init__()
        self.rows = rows
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self.rows:
            table.add_row(Text(keys), Text(description))
        with Vertical(id="help"):
            title = "hogtree keys" + (" (read-only)" if self.read_only else "")
            yield Static(Text(title, style="bold"), id="dialog-title")
            with KeyScroll(id="help-keys"):
                yield Static(table)
            yield Static(
                Text("j k g G pgup pgdn: scroll · esc: close", style="dim"), id="dialog-help"
            )

    def on_mount(self) -> None:
        self.query_one(KeyScroll).focus()  # its keys scroll the list at once

    def action_close(self) -> None:
        self.dismiss(None)
