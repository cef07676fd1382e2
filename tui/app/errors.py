"""The errors people meet, in words that say what to do next."""

from __future__ import annotations

from tui.api import ApiError, ErrorKind
from tui.app import labels


def describe(error: ApiError) -> str:
    """One line for the status bar: the server's own words, and what to do about them."""
    message = labels.visible(error.message)
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
            return f"Disconnected: {message}. R retries."
        case ErrorKind.TIMEOUT:
            return f"Timed out: {message}. R retries."
        case ErrorKind.SERVER:
            return f"The server failed: {message}. R retries."
        case _:
            return message
