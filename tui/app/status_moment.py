"""When the status line's message stops being about the moment.

A message is about what the user was looking at when it appeared. It goes when the user
moves the cursor to another entry (or when another message replaces it, which the
:class:`~tui.app.status.StatusBoard` does itself). The tree also announces the cursor when
the rows change under it: after a delete or a move the cursor stays on its line, now on the
row that took the entry's place, and the tree says so. That is not the user moving on, and
the change's report must stay. What tells the two apart: whether the user pressed a key or
clicked since the message appeared. Without one, the message simply follows the cursor's
new entry.
"""

from __future__ import annotations

from tui.app.status import LogEntry, StatusBoard


class MessageMoment:
    """Clears ``board``'s shown message when the user moves the cursor to another entry."""

    def __init__(self, board: StatusBoard) -> None:
        self._board = board
        self._inputs = 0  # keys pressed and clicks, since the start
        self._cursor: str | None = None  # the id of the entry the cursor is on
        # The message last seen shown, and the moment it appeared: the inputs counted then
        # and the entry the cursor was on.
        self._shown: LogEntry | None = None
        self._inputs_then = 0
        self._entry_then: str | None = None
        self.unwatch = board.watch(self._board_changed)

    def user_input(self) -> None:
        """A key was pressed or the mouse clicked."""
        self._inputs += 1

    def cursor_on(self, entry_id: str | None) -> None:
        """The tree announced the cursor on the entry ``entry_id`` (``None``: not an entry)."""
        self._cursor = entry_id
        shown = self._board.current
        if shown is None or shown is not self._shown or entry_id == self._entry_then:
            return
        if self._inputs == self._inputs_then:
            # Rows changed under the cursor (a change's reload): still the same moment.
            self._entry_then = entry_id
            return
        self._board.clear()

    def _board_changed(self) -> None:
        # Called on the changing thread; plain assignments only.
        shown = self._board.current
        if shown is not self._shown:
            self._shown = shown
            self._inputs_then = self._inputs
            self._entry_then = self._cursor
