"""A scrolling view that answers to the keys of the tree and of less: ``j``/``k`` a line,
``g``/``G`` the top and the bottom (``↑``/``↓``, ``pgup``/``pgdn``, ``home``/``end`` are
Textual's own)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

# The same ids wherever a view scrolls: one remap in [keymap] changes them all.
SCROLL_BINDINGS: list[BindingType] = [
    Binding("j", "scroll_down", "Scroll down", show=False, id="scroll_down"),
    Binding("k", "scroll_up", "Scroll up", show=False, id="scroll_up"),
    Binding("g", "scroll_home", "Top", show=False, id="scroll_top"),
    Binding("G", "scroll_end", "Bottom", show=False, id="scroll_bottom"),
]


class KeyScroll(VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = SCROLL_BINDINGS
