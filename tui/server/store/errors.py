"""What the store refuses, in its own words: no HTTP status, no PostHog body.

The store is called by the routes and by the export jobs. The server turns these into
PostHog's error bodies in one place (the exception handler in :mod:`tui.server.app`, via
:func:`tui.server.errors.problem_for`); an export job records their message as the
export's ``exception``.
"""

from __future__ import annotations

# What PostHog says of a missing object, word for word.
NOT_FOUND = "Not found."


class StoreError(Exception):
    """A request the store cannot carry out; :attr:`message` says why, fit to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    """No such entry, object or export in this project (or an id that cannot be one)."""

    def __init__(self, message: str = NOT_FOUND) -> None:
        super().__init__(message)


# The name the file_system store's callers know it by.
EntryNotFound = NotFound


class InvalidField(StoreError):
    """A value the store refuses; ``attr`` names the field when there is one, ``code``
    is the reason's short name (PostHog's ``invalid_input``, ``invalid`` …)."""

    def __init__(self, message: str, code: str = "invalid_input", attr: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.attr = attr


class BadRequest(StoreError):
    """A request refused as a whole, not for one field (moving a folder into itself,
    counting what is not a folder): PostHog answers these with a bare ``detail``."""
