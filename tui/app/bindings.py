"""Reading the live key bindings, for the help screen and the command palette."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def live_bindings(node: DOMNode) -> list[Binding]:
    """The bindings ``node`` answers to now, after the app's keymap (the user's remaps), in
    definition order. Textual applies the keymap to a copy when it dispatches keys; so do we."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return [binding for group in bindings.key_to_bindings.values() for binding in group]
