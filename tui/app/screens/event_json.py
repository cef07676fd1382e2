"""One event's full JSON: syntax-highlighted, scrollable, copyable; ``esc`` closes."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import labels
from tui.app.widgets.key_scroll import KeyScroll
from tui.models.events import Event


def event_json_text(event: Event) -> str:
    """The event as the server sent it, indented; every line shown literally (control,
    bidi and zero-width characters in values become visible stand-ins)."""
    text = json.dumps(event.model_dump(mode="json"), indent=2, ensure_ascii=False)
    return "\n".join(labels.visible(line) for line in text.splitlines())


class EventJsonScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    EventJsonScreen {
        align: center middle;
    }
    #event-json {
        width: 100;
        max-width: 95%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #event-json-title, #event-json-help {
        height: 1;
    }
    #event-json-body {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_screen", "Close", id="event_json_close"),
        Binding("c,y", "copy", "Copy JSON", id="event_json_copy"),
    ]

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event
        self.text = event_json_text(event)

    def compose(self) -> ComposeResult:
        with Vertical(id="event-json"):
            title = Text("Event ", style="bold")
            title.append_text(labels.literal(self.event.event))
            title.append(f"  {self.event.id}", style="dim")
            yield Static(title, id="event-json-title")
            with KeyScroll(id="event-json-body"):
                yield Static(
                    Syntax(self.text, "json", theme="ansi_dark", word_wrap=True),
                    id="event-json-code",
                )
            yield Static(
                "c: copy JSON · j k g G pgup pgdn: scroll · esc: close", id="event-json-help"
            )

    def on_mount(self) -> None:
        self.query_one("#event-json-body").focus()

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        # OSC 52: the terminal sets its clipboard, which works over ssh and in tmux.
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the event's JSON", timeout=2)
