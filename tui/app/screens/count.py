"""``c``: how many entries a folder holds at any depth, and the first of them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui import labels
from tui.labels import summarize_types
from tui.models import CountResponse, FileSystemEntry


class CountScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,c,enter", "close", "Close", id="count_close"),
    ]

    def __init__(self, folder: FileSystemEntry, result: CountResponse) -> None:
        super().__init__()
        self.folder = folder
        self.result = result

    def compose(self) -> ComposeResult:
        name = labels.literal(labels.entry_name(self.folder))
        title = Text.assemble("📁 ", name, f": {self.result.count:,} entries inside")
        title.stylize("bold")
        with Vertical(id="dialog"):
            yield Static(title, id="dialog-title")
            shown = len(self.result.entries)
            summary = summarize_types(self.result.entries)
            if self.result.has_more:
                summary += f" among the first {shown}"
            yield Static(Text(summary, style="dim"))
            entries = OptionList(
                *[
                    Option(Text.assemble(labels.icon(e.type) + " ", labels.display_path(e.path)))
                    for e in self.result.entries
                ],
                id="count-entries",
            )
            yield entries
            yield Static(Text("esc: close", style="dim"), id="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
