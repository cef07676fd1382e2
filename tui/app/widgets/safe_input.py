"""An Input that never hands the terminal a control character.

Textual's Input draws its value and its completion as they are: an escape sequence in
either (a name from the server prefilled into a prompt, a suggested folder, a pasted
string) would reach the terminal and be obeyed. Here both are held in their visible form
(:func:`tui.app.labels.visible`), whatever sets them: the app, a suggester or a paste.
"""

from __future__ import annotations

from textual.widgets import Input

from tui.app import labels


class SafeInput(Input):
    def validate_value(self, value: str) -> str:
        return labels.visible(value)

    def validate__suggestion(self, suggestion: str) -> str:
        # A completion is drawn after the value, so it must continue what is shown.
        shown = labels.visible(suggestion)
        return shown if shown.startswith(self.value) else ""
