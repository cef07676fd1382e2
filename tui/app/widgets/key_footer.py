"""The key footer, with each key named by its action so the stylesheet can choose which keys
a narrow terminal shows (a footer wider than the screen cuts its last key in half)."""

from __future__ import annotations

import re
from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def action_class(action: str) -> str:
    """``-action-<action>``, e.g. ``-action-toggle_mark``, as a valid CSS class name."""
    return "-action-" + re.sub(r"[^A-Za-z0-9_-]", "-", action)


class KeyFooter(Footer):
    _composed: Hashable = None  # what the keys on show were made from

    def _keys_signature(self, screen: Screen[object]) -> Hashable:
        """Everything the footer's keys are made from (as Footer.compose reads it)."""
        return (
            self.show_command_palette,
            tuple(
                (binding, enabled, tip, self.app.get_key_display(binding))
                for (_, binding, enabled, tip) in screen.active_bindings.values()
                if binding.show
            ),
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        # Fast path: Footer rebuilds every key (a dozen widgets, each styled afresh) at
        # each focus change or binding refresh, three times before the first page alone;
        # when the keys on show would be the same, keep them.
        if self._bindings_ready and self._keys_signature(screen) == self._composed:
            return
        super().bindings_changed(screen)

    def on_mount(self) -> None:
        # Read-only, the keys that change something are gone: app.tcss gives their room to
        # the keys that look.
        self.set_class(bool(getattr(self.app, "read_only", False)), "-read-only")

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_signature(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Not mounted yet: it is styled once, when mounted, with its class.
                widget.add_class(action_class(widget.action), update=False)
            yield widget
