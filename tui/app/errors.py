"""The errors people meet, in words that say what to do next."""

from __future__ import annotations

from tui.api import ApiError, ConnectionLostError, ErrorKind
from tui.app import labels


def describe(error: ApiError) -> str:
    """One line for the status bar: the server's own words, and what to do about them."""
    # A sentence of ours follows, so the message's own full stop goes.
    message = labels.visible(error.message).rstrip(".")
    match error.kind:
        case ErrorKind.AUTH:
            return f"The API key was refused: {message}. Check POSTHOG_PERSONAL_API_KEY."
        case ErrorKind.PERMISSION:
            return f"Not allowed: {message}"
        case ErrorKind.NOT_FOUND:
            return f"Not found: {message}. It may have been moved or deleted: R reloads."
        case ErrorKind.THROTTLED:
            return f"Rate limited: {message}"
        case ErrorKind.CONNECTION:
            return f"Disconnected: {message}. The tree stays as it was; R retries."
        case ErrorKind.TIMEOUT:
            return f"Timed out: {message}. R retries."
        case ErrorKind.SERVER:
            return f"The server failed: {message}. R retries."
        case _:
            return message


def outcome_unknown(error: ApiError) -> bool:
    """Whether a change that failed this way may have been made all the same: the request
    went out and no answer came back (a timeout, or a connection lost mid-request)."""
    return error.kind is ErrorKind.TIMEOUT or isinstance(error, ConnectionLostError)


def change_failure(error: ApiError) -> str:
    """Why a change failed. Without an answer nobody knows whether it happened, and the
    change is not sent again on its own (that could do it twice): say so."""
    message = labels.visible(error.message)
    if outcome_unknown(error):
        return (
            f"{message.rstrip('.')}; it may have happened anyway: the tree shows what the"
            " server holds"
        )
    return message
