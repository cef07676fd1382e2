"""The key footer, with each key named by its action so the stylesheet can choose which keys
a narrow terminal shows (a footer wider than the screen cuts its last key in half)."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def action_class(action: str) -> str:
    """``-action-<action>``, e.g. ``-action-toggle_mark``, as a valid CSS class name."""
    return "-action-" + re.sub(r"[^A-Za-z0-9_-]", "-", action)


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class(action_class(widget.action))
            yield widget
