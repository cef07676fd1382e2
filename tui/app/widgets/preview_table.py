"""The table an exported CSV or XLSX is previewed in: a cell cursor that moves with the
tree's keys too (``j``/``k``/``h``/``l``, ``g``/``G`` the first and last row)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class PreviewTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="preview_down"),
        Binding("k", "cursor_up", "Up", show=False, id="preview_up"),
        Binding("h", "cursor_left", "Left", show=False, id="preview_left"),
        Binding("l", "cursor_right", "Right", show=False, id="preview_right"),
        Binding("g", "scroll_top", "First row", show=False, id="preview_first"),
        Binding("G", "scroll_bottom", "Last row", show=False, id="preview_last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell")
