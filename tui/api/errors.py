"""What can go wrong when talking to PostHog, as exceptions a UI can show as they are.

PostHog answers errors as ``{"type", "code", "detail", "attr"}``, except the 400s of the
file_system actions count, count_by_path, link and move, which carry a bare
``{"detail": …}``. A proxy in front of it may answer HTML. :func:`error_from_response`
reads all of these into one :class:`ApiError` subclass per kind of trouble, so callers
branch on the class (or on :attr:`ApiError.kind`) and show :attr:`ApiError.message`.

No message ever holds the API key: every text that came from the wire is scrubbed of it,
because a misbehaving server could echo the ``Authorization`` header back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

# How a scrubbed secret reads in a message.
REDACTED = "[redacted]"

# PostHog's 403 detail names the scope: "API key missing required scope 'file_system:write'".
_SCOPE_PATTERN = re.compile(r"scope '([^']+)'")


class ErrorKind(StrEnum):
    VALIDATION = "validation"  # 400: the request was refused as it stands
    AUTH = "auth"  # 401: no key, or a key the server does not know
    PERMISSION = "permission"  # 403: the key lacks a scope or the project
    NOT_FOUND = "not_found"  # 404
    THROTTLED = "throttled"  # 429
    SERVER = "server"  # 5xx
    CONNECTION = "connection"  # the server could not be reached at all
    TIMEOUT = "timeout"  # the server did not answer in time
    UNEXPECTED = "unexpected"  # an answer that is not PostHog's (redirect, HTML, bad JSON)
    HTTP = "http"  # any other error status (405, 409, 425 …)


class ApiError(Exception):
    """A failed request. ``str(error)`` is :attr:`message`, fit to show to a user."""

    kind: ClassVar[ErrorKind] = ErrorKind.HTTP
    # Where the key sent came from ("POSTHOG_PERSONAL_API_KEY", a profile), set on a
    # refused key so that the message can say what to check; never the key itself.
    key_source: str | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        detail: str | None = None,
        attr: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        # Seconds the server asked us to wait (``Retry-After``), on 429s and some 503s.
        self.retry_after = retry_after
        self.type = type
        self.code = code
        self.detail = detail
        self.attr = attr
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self._message:
            return self._message
        return self._describe()

    def _describe(self) -> str:
        text = self.detail or "the request failed"
        if self.field:
            text = f"{self.field}: {text}"
        return f"{text} (HTTP {self.status})" if self.status else text

    @property
    def field(self) -> str | None:
        """The field the error is about, to name before its detail. PostHog's
        ``ValidationError({"detail": …})`` comes with ``attr: "detail"``: about no field."""
        return self.attr if self.attr and self.attr != "detail" else None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, type={self.type!r}, "
            f"code={self.code!r}, attr={self.attr!r}, message={self.message!r})"
        )


class ValidationError(ApiError):
    kind = ErrorKind.VALIDATION

    def _describe(self) -> str:
        text = self.detail or "the server refused the request"
        return f"{self.field}: {text}" if self.field else text


class AuthenticationError(ApiError):
    kind = ErrorKind.AUTH

    def _describe(self) -> str:
        return f"Authentication failed: {self.detail or 'the API key was not accepted'}"


class PermissionDeniedError(ApiError):
    kind = ErrorKind.PERMISSION

    @property
    def missing_scope(self) -> str | None:
        match = _SCOPE_PATTERN.search(self.detail or "")
        return match.group(1) if match else None

    def _describe(self) -> str:
        if self.missing_scope:
            return (
                f"Permission denied: the API key lacks the '{self.missing_scope}' scope"
                " (add it to the key in PostHog's settings)"
            )
        return f"Permission denied: {self.detail or 'the API key may not do this'}"


class NotFoundError(ApiError):
    kind = ErrorKind.NOT_FOUND

    def _describe(self) -> str:
        return f"Not found: {self.detail}" if self.detail else "Not found"


class ThrottledError(ApiError):
    kind = ErrorKind.THROTTLED

    def _describe(self) -> str:
        if self.retry_after is not None:
            return f"Rate limited by the server: try again in {self.retry_after:g} s"
        return "Rate limited by the server: try again later"


class ServerError(ApiError):
    kind = ErrorKind.SERVER

    def _describe(self) -> str:
        return f"Server error (HTTP {self.status}): {self.detail or 'the server failed'}"


class ConnectionFailedError(ApiError):
    kind = ErrorKind.CONNECTION


class ConnectionLostError(ConnectionFailedError):
    """The connection died after the request went out: the server may have acted on it."""


class RequestTimeoutError(ApiError):
    """No answer in time; the request went out, so the server may have acted on it."""

    kind = ErrorKind.TIMEOUT


class UnexpectedResponseError(ApiError):
    kind = ErrorKind.UNEXPECTED


_BY_STATUS: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: ThrottledError,
}


def scrub(text: str | None, secrets: Iterable[SecretStr | str]) -> str | None:
    """``text`` with every occurrence of a secret replaced by :data:`REDACTED`."""
    if text is None:
        return None
    for secret in secrets:
        # Unwrapped in the expression only: no plain local for a traceback to show.
        if isinstance(secret, SecretStr) and secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), REDACTED)
        elif isinstance(secret, str) and secret:
            text = text.replace(secret, REDACTED)
    return text


def origin(url: httpx.URL) -> str:
    """``scheme://host[:port]`` of ``url``: what a message may name (no user info, no query)."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_fields(body: Any) -> dict[str, str | None]:
    """Read PostHog's typed body, the bare ``{"detail"}`` body, or DRF's field map."""
    if isinstance(body, str):
        return {"detail": body}
    if isinstance(body, list) and body and all(isinstance(item, str) for item in body):
        return {"detail": " ".join(body)}
    if not isinstance(body, dict):
        return {}
    if any(key in body for key in ("type", "code", "detail", "attr")):
        return {
            key: (str(body[key]) if body.get(key) is not None else None)
            for key in ("type", "code", "detail", "attr")
        }
    # Plain DRF answers {"field": ["message", …]}; PostHog's handler rewrites it, others may not.
    for field, messages in body.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, str):
            return {"detail": first, "attr": str(field)}
    return {}


def error_from_response(
    response: httpx.Response, secrets: Iterable[SecretStr | str] = ()
) -> ApiError:
    """The :class:`ApiError` a non-success ``response`` stands for."""
    secrets = tuple(secrets)
    status = response.status_code
    where = origin(response.request.url)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))

    if 300 <= status < 400:
        location = scrub(response.headers.get("Location"), secrets) or "nowhere"
        return UnexpectedResponseError(
            f"{where} answered with a redirect (HTTP {status}) to {location}; hogtree does not"
            " follow redirects, so check the host (https://? the right domain?)",
            status=status,
        )

    fields: dict[str, str | None] | None
    try:
        fields = _error_fields(response.json()) if response.content else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        fields = None
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)

    if fields is None:
        # An HTML page from a proxy or load balancer: its text would only be noise.
        content_type = response.headers.get("Content-Type", "unknown type").split(";")[0]
        message = (
            f"{where} answered HTTP {status} {response.reason_phrase} with a non-JSON body"
            f" ({content_type}); is a proxy in the way, or is this not a PostHog server?"
        )
        return cls(message, status=status, retry_after=retry_after)

    return cls(
        status=status,
        retry_after=retry_after,
        type=scrub(fields.get("type"), secrets),
        code=scrub(fields.get("code"), secrets),
        detail=scrub(fields.get("detail"), secrets),
        attr=scrub(fields.get("attr"), secrets),
    )


# PostHog's detail for a project id that does not exist (or is not a number): a 404.
UNKNOWN_PROJECT_DETAIL = "Project not found."


def is_unknown_project(error: ApiError) -> bool:
    """Whether ``error`` is PostHog's answer to a project that does not exist, not to an
    entry that does not (both are 404s; the detail tells them apart)."""
    return error.status == 404 and (error.detail or "").strip() == UNKNOWN_PROJECT_DETAIL
