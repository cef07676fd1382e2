"""An Input that never hands the terminal a control character.

Textual's Input draws its value and its completion as they are: an escape sequence in
either (a name from the server prefilled into a prompt, a suggested folder, a pasted
string) would reach the terminal and be obeyed. Here both are held in their visible form
(:func:`tui.labels.visible`), whatever sets them: the app, a suggester or a paste.

What the server calls a value shown that way is remembered, so that a name taken as it was
offered (not edited) still means the real entry: :meth:`SafeInput.original`.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from tui import labels


class SafeInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._originals: dict[str, str] = {}  # visible form → the text it stands for
        super().__init__(*args, **kwargs)

    def _shown(self, text: str) -> str:
        shown = labels.visible(text)
        if shown != text:
            self._originals[shown] = text
        return shown

    def validate_value(self, value: str) -> str:
        return self._shown(value)

    def validate__suggestion(self, suggestion: str) -> str:
        # A completion is drawn after the value, so it must continue what is shown.
        shown = labels.visible(suggestion)
        return self._shown(suggestion) if shown.startswith(self.value) else ""

    def original(self, shown: str) -> str | None:
        """The text ``shown`` stands for, if it was given in another form; else ``None``."""
        return self._originals.get(shown)

    @property
    def raw_value(self) -> str:
        """The value in the characters it was given in (the server's), unless edited."""
        return self._originals.get(self.value, self.value)
