"""``?``: every key of the screen in focus, read from the live bindings (so remapped or
hidden keys show true), each with the binding id that ``[keys]`` in the config file remaps."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.bindings import EVERYWHERE, KeyRow
from tui.app.widgets.key_scroll import KeyScroll


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help_close"),
    ]

    def __init__(self, rows: list[KeyRow], read_only: bool) -> None:
        super().__init__()
        self.rows = rows
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        section = EVERYWHERE
        for row in self.rows:
            if row.section != section:
                section = row.section
                table.add_row(Text(f"\n{section}", style="bold underline"), "", "")
            keys = Text(" ".join(row.keys), style="reverse" if row.remapped else "")
            does = Text(row.description)
            if row.remapped:
                does.append(" (remapped)", style="italic")
            table.add_row(keys, does, Text(row.id))
        with Vertical(id="help"):
            title = "hogtree keys" + (" (read-only)" if self.read_only else "")
            yield Static(Text(title, style="bold"), id="dialog-title")
            with KeyScroll(id="help-keys"):
                yield Static(table)
            yield Static(
                Text(
                    "j k g G: scroll · esc: close · the ids remap keys in the config's [keys]",
                    style="dim",
                ),
                id="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(KeyScroll).focus()  # its keys scroll the list at once

    def action_close(self) -> None:
        self.dismiss(None)
