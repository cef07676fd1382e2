"""The async client for PostHog's API (no UI code in here).

``transport`` sends (retries, bounded bodies, redaction); ``file_system``, ``events``,
``exports``, ``insights``, ``shortcuts`` and ``accounts`` hold one resource class each on
it; ``client`` composes them into :class:`PostHogClient`; ``locate`` finds which page of a
folder's listing holds an entry.
"""

from __future__ import annotations

from tui.api.accounts import AccountsApi
from tui.api.auth import BearerAuth, InsecureTransportError
from tui.api.client import BULK_TIMEOUT, DEFAULT_TIMEOUT, PostHogClient
from tui.api.errors import (
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    ConnectionLostError,
    ErrorKind,
    NotFoundError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    ThrottledError,
    UnexpectedResponseError,
    ValidationError,
)
from tui.api.events import EventsApi
from tui.api.exports import ExportsApi, ExportTarget
from tui.api.file_system import FileSystemApi
from tui.api.insights import InsightsApi
from tui.api.locate import Located, locate_in_folder, tree_order_key
from tui.api.retry import RetryNotice
from tui.api.shortcuts import ShortcutsApi
from tui.api.transport import Transport

__all__ = [
    "BULK_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "AccountsApi",
    "ApiError",
    "AuthenticationError",
    "BearerAuth",
    "ConnectionFailedError",
    "ConnectionLostError",
    "ErrorKind",
    "EventsApi",
    "ExportTarget",
    "ExportsApi",
    "FileSystemApi",
    "InsecureTransportError",
    "InsightsApi",
    "Located",
    "NotFoundError",
    "PermissionDeniedError",
    "PostHogClient",
    "RequestTimeoutError",
    "RetryNotice",
    "ServerError",
    "ShortcutsApi",
    "ThrottledError",
    "Transport",
    "UnexpectedResponseError",
    "ValidationError",
    "locate_in_folder",
    "tree_order_key",
]
