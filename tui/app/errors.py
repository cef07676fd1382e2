"""The errors people meet, in words that say what to do next."""

from __future__ import annotations

import re

from tui import labels
from tui.api import ApiError, ErrorKind
from tui.config import ENV_API_KEY
from tui.ops import ChangeRefused, outcome_unknown

# The operating system's error number in a connection failure ("[Errno 111] Connection
# refused"): noise to a user, who is told what it means in words.
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def describe(error: ApiError) -> str:
    """One line for the status bar: the server's own words, and what to do about them."""
    message = labels.visible(error.message)
    match error.kind:
        case ErrorKind.AUTH:
            # R would send the same key again: what helps is another key, so say where
            # this one came from.
            source = labels.visible(error.key_source or ENV_API_KEY)
            return f"The API key was refused: {_end(message)} Check {source}."
        case ErrorKind.PERMISSION:
            return f"Not allowed: {message}"
        case ErrorKind.NOT_FOUND:
            return f"Not found: {_end(message)} It may have been moved or deleted: R reloads."
        case ErrorKind.THROTTLED:
            return message if message.startswith("Rate limited") else f"Rate limited: {message}"
        case ErrorKind.CONNECTION:
            message = _ERRNO.sub("", message)
            return f"Disconnected: {_end(message)} The tree stays as it was; R retries."
        case ErrorKind.TIMEOUT:
            return f"Timed out: {_end(message)} R retries."
        case ErrorKind.SERVER:
            return f"The server failed: {_end(message)} R retries."
        case _:
            return message


def _end(sentence: str) -> str:
    """``sentence`` ending in one full stop (or its own ? or !), for ours to follow."""
    sentence = sentence.rstrip(". ")
    return sentence if sentence.endswith(("?", "!")) else f"{sentence}."


def change_failure(error: ApiError | ChangeRefused) -> str:
    """Why a change failed. Without an answer nobody knows whether it happened, and the
    change is not sent again on its own (that could do it twice): say so."""
    message = labels.visible(error.message if isinstance(error, ApiError) else str(error))
    if outcome_unknown(error):
        return (
            f"{message.rstrip('.')}; it may have happened anyway: the tree shows what the"
            " server holds"
        )
    return message
