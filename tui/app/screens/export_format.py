"""Choosing an export's format: PNG first (and selected), then what the target allows.

``enter`` (or a click) answers the highlighted format, ``esc`` answers ``None``.
"""

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
from tui.models.exports import ExportFormat

# What each format is called on screen, and what it is good for.
FORMAT_LABELS: dict[ExportFormat, tuple[str, str]] = {
    ExportFormat.PNG: ("PNG", "image of the chart"),
    ExportFormat.PDF: ("PDF", "document"),
    ExportFormat.CSV: ("CSV", "table of the data"),
    ExportFormat.XLSX: ("XLSX", "spreadsheet of the data"),
}

INSIGHT_FORMATS = (ExportFormat.PNG, ExportFormat.PDF, ExportFormat.CSV, ExportFormat.XLSX)
DASHBOARD_FORMATS = (ExportFormat.PNG, ExportFormat.PDF)


def format_name(value: str) -> str:
    """``image/png`` → ``PNG``; a format hogtree does not know is shown as the server sent it."""
    for known, (name, _) in FORMAT_LABELS.items():
        if known == value:
            return name
    return labels.visible(value)


class ExportFormatScreen(ModalScreen[ExportFormat | None]):
    DEFAULT_CSS = """
    ExportFormatScreen {
        align: center middle;
    }
    ExportFormatScreen #dialog {
        width: 44;
    }
    ExportFormatScreen #export-formats {
        height: auto;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export_format_cancel"),
    ]

    def __init__(self, target: Text, formats: tuple[ExportFormat, ...]) -> None:
        super().__init__()
        self.target = target
        self.formats = formats

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text("Export ", style="bold")
            title.append_text(self.target)
            yield Static(title, id="dialog-title")
            yield OptionList(
                *(
                    Option(
                        Text.assemble(
                            (FORMAT_LABELS[f][0].ljust(5), "bold"), (FORMAT_LABELS[f][1], "dim")
                        ),
                        id=f.name,
                    )
                    for f in self.formats
                ),
                id="export-formats",
            )
            yield Static(Text("enter: export · esc: cancel", style="dim"), id="dialog-help")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0  # PNG
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.formats[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
