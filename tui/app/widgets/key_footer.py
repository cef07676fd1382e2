"""The key footer: it shows the keys that fit, whole, and leaves out the others (a footer
wider than the screen would cut its last key in half), the least needed at a glance first.
``?`` and the palette list them all."""

from __future__ import annotations

import re
from collections.abc import Hashable

from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Left out first, in this order, when the keys do not fit; then the others from the right;
# ? help last of all.
LEAST_NEEDED = ("toggle_mark", "quit", "undo", "count", "reload", "export", "events")
# Read-only, the keys that look take the room of the keys that change: they go last.
LEAST_NEEDED_READ_ONLY = ("toggle_mark", "quit", "search")
KEPT_LONGEST = "help"
# Shown in the footer in read-only mode alone.
READ_ONLY_EXTRAS = frozenset({"copy_url"})


def action_class(action: str) -> str:
    """``-action-<action>``, e.g. ``-action-toggle_mark``, as a valid CSS class name."""
    return "-action-" + re.sub(r"[^A-Za-z0-9_-]", "-", action)


def leaving_order(actions: list[str], least_needed: tuple[str, ...] = LEAST_NEEDED) -> list[int]:
    """The indexes of ``actions`` (the footer's keys, left to right) in the order they are
    left out when the footer is too narrow."""
    first = [i for name in least_needed for i, a in enumerate(actions) if a == name]
    last = [i for i, a in enumerate(actions) if a == KEPT_LONGEST]
    rest = [i for i in reversed(range(len(actions))) if i not in first and i not in last]
    return first + rest + last


def keys_that_fit(
    widths: list[int], actions: list[str], room: int, least_needed: tuple[str, ...] = LEAST_NEEDED
) -> list[bool]:
    """Which keys show, given each one's width (margins included) and the room there is."""
    shown = [True] * len(widths)
    total = sum(widths)
    for index in leaving_order(actions, least_needed):
        if total <= room:
            break
        shown[index] = False
        total -= widths[index]
    return shown


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
        self.set_class(bool(getattr(self.app, "read_only", False)), "-read-only")

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._composed = self._keys_signature(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Not mounted yet: it is styled once, when mounted, with its class.
                widget.add_class(action_class(widget.action), update=False)
            yield widget
        # Once the new keys are mounted and styled, their widths are known.
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.fit_keys()

    def fit_keys(self) -> None:
        """Show the keys that fit beside the palette key; leave out the rest, whole."""
        if not self.is_attached:
            return
        keys = [key for key in self.query(FooterKey) if not key.has_class("-command-palette")]
        if not self.has_class("-read-only"):
            # Only read-only, where the keys that change something are gone, has room for
            # the keys that only look and are not needed at a glance.
            for key in keys:
                key.display = key.action not in READ_ONLY_EXTRAS
            keys = [key for key in keys if key.action not in READ_ONLY_EXTRAS]
        palette = [key for key in self.query(FooterKey) if key.has_class("-command-palette")]
        room = self.size.width - sum(_width(key) for key in palette)
        least_needed = LEAST_NEEDED_READ_ONLY if self.has_class("-read-only") else LEAST_NEEDED
        widths = [_width(key) for key in keys]
        shown = keys_that_fit(widths, [k.action for k in keys], room, least_needed)
        for key, show in zip(keys, shown, strict=True):
            key.display = show


def _width(key: FooterKey) -> int:
    """The cells ``key`` takes, drawn or not: its text, padding, border and margins."""
    content = key.get_content_width(Size(0, 0), Size(0, 0))
    return content + key.styles.gutter.width + key.styles.margin.width
