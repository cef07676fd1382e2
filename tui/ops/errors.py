"""What a change can fail with besides an :class:`~tui.api.ApiError`."""

from __future__ import annotations

from tui.api import ApiError, ConnectionLostError, ErrorKind


class ChangeRefused(Exception):
    """The project does not hold what the change needs (no such path, not a folder, the
    folder exists already …). The message is one line fit to show as it is: every name in
    it has been made visible (:func:`tui.labels.visible`)."""


def outcome_unknown(error: ApiError | ChangeRefused) -> bool:
    """Whether a change that failed this way may have been made all the same: the request
    went out and no answer came back (a timeout, or a connection lost mid-request). Such a
    change is never sent again on its own: that could do it twice."""
    if not isinstance(error, ApiError):
        return False
    return error.kind is ErrorKind.TIMEOUT or isinstance(error, ConnectionLostError)
