"""A yes/no question: ``y``/``enter`` answers yes, ``n``/``esc`` no."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
        # A long question on a short terminal scrolls between its title and its buttons.
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="confirm_scroll_down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="confirm_scroll_up"),
    ]

    def __init__(
        self, title: str, body: Text | str, *, yes: str = "Yes", danger: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text(body)
        self.yes_label = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="danger" if self.danger else ""):
            yield Static(
                Text(self.title_text, style="bold", no_wrap=True, overflow="ellipsis"),
                id="dialog-title",
            )
            yield Static(self.body, id="dialog-body")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    f"{self.yes_label} (y)", id="yes", variant="error" if self.danger else "primary"
                )
                yield Button("Cancel (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_scroll(self, lines: int) -> None:
        self.query_one("#dialog").scroll_relative(y=lines, animate=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
