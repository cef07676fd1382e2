"""``f``: narrow the folder under the cursor to the children whose names match, as typed.

The tree stays in view above the line being typed and narrows with every pause in typing
(the server is asked, so a folder of 100,000 entries narrows as quickly as a small one).
``enter`` keeps the filter, ``esc`` drops it and puts the folder back as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.app.widgets.safe_input import SafeInput

# Typing pauses this long before the folder is asked again.
FILTER_DEBOUNCE_S = 0.2


class FilterScreen(ModalScreen[str | None]):
    """One line at the bottom; ``narrow`` is called with the text after each pause."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter_cancel"),
    ]

    def __init__(self, where: str, value: str, narrow: Callable[[str], None]) -> None:
        super().__init__()
        self.where = where
        self.value = value
        self.narrow = narrow

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-bar"):
            yield Static(Text(f"filter {self.where}: "), id="filter-where")
            yield SafeInput(value=self.value, placeholder="part of a name", id="filter-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self._narrow_after_pause(event.value)

    @work(exclusive=True, group="filter")
    async def _narrow_after_pause(self, text: str) -> None:
        await asyncio.sleep(FILTER_DEBOUNCE_S)
        self.narrow(text)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.workers.cancel_group(self, "filter")
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "filter")
        self.dismiss(None)
