"""The async client for PostHog's file_system API (no UI code in here)."""

from __future__ import annotations

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
from tui.api.retry import RetryNotice

__all__ = [
    "BULK_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ApiError",
    "AuthenticationError",
    "BearerAuth",
    "ConnectionFailedError",
    "ConnectionLostError",
    "ErrorKind",
    "InsecureTransportError",
    "NotFoundError",
    "PermissionDeniedError",
    "PostHogClient",
    "RequestTimeoutError",
    "RetryNotice",
    "ServerError",
    "ThrottledError",
    "UnexpectedResponseError",
    "ValidationError",
]
