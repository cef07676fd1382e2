"""Reading the live key bindings, for the help screen and the command palette."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def live_bindings(node: DOMNode) -> list[Binding]:
    """The bindings ``node`` answers to now (after any keymap), in definition order."""
    return [binding for bindings in node._bindings.key_to_bindings.values() for binding in bindings]
