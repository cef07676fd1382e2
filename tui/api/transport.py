"""The one way hogtree's client talks HTTP: requests, streamed sends, retries, bounded
bodies, redaction of the key, and reading a JSON answer into a model.

Every resource class (:mod:`tui.api.file_system`, :mod:`tui.api.events`,
:mod:`tui.api.exports`, :mod:`tui.api.insights`) sends through one :class:`Transport`, so
what is retried, how long is waited, how much of an answer is read and what an error says
is decided here, once. Requests go to ``<host>/api/projects/<project_id>/…`` with the key in
the ``Authorization`` header; redirects are never followed here (a caller that expects one,
the export download, follows it itself, without the key).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr
from pydantic import ValidationError as ModelValidationError

import tui
from tui.api.auth import BearerAuth
from tui.api.bodies import UNREADABLE, read_bounded, unreadable
from tui.api.errors import (
    ApiError,
    ConnectionFailedError,
    ConnectionLostError,
    ErrorKind,
    RequestTimeoutError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
    origin,
    scrub,
)
from tui.api.retry import RetryNotice, RetryPolicy

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]
# Describes transport trouble (a refused connection, a timeout) as the error to raise.
DescribeFailure = Callable[[httpx.TransportError], ApiError]
# Says which answers a caller wants back as they came: open, streamed, unread.
HandBack = Callable[[httpx.Response], bool]

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _hand_back_nothing(response: httpx.Response) -> bool:
    return False


class Transport:
    """HTTP to one project on one PostHog host, for the resource classes.

    ``on_retry`` hears about each wait before a retry; ``sleep`` is how it waits. An answer
    over ``max_response_bytes`` is refused (see :mod:`tui.api.bodies`).
    """

    def __init__(
        self,
        host: str,
        project_id: int,
        auth: BearerAuth,
        *,
        timeout: httpx.Timeout | float,
        bulk_timeout: httpx.Timeout | float,
        transport: httpx.AsyncBaseTransport | None,
        retry: RetryPolicy,
        on_retry: Callable[[RetryNotice], None] | None,
        sleep: Sleep,
        max_response_bytes: int,
        key_source: str | None = None,
    ) -> None:
        self.host = host
        self.key_source = key_source  # named by a refused key's error (see ApiError)
        self.project_id = project_id
        # For requests that rewrite a whole subtree or render a file while the caller waits.
        self.bulk_timeout = httpx.Timeout(bulk_timeout)
        self.max_response_bytes = max_response_bytes
        self._auth = auth
        self._retry = retry
        self._on_retry = on_retry
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=f"{host}/api/projects/{project_id}/",
            auth=auth,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"hogtree/{tui.__version__}"},
        )

    def __repr__(self) -> str:
        return f"Transport(host={self.host!r}, project_id={self.project_id})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- what messages may not show ----------------------------------------------------

    @property
    def secrets(self) -> tuple[SecretStr, ...]:
        """What every message built from the wire must be scrubbed of."""
        return self._auth.secrets

    def scrub(self, text: str | None) -> str:
        """``text`` without the key (``""`` for none)."""
        return scrub(text, self.secrets) or ""

    def error_from(self, response: httpx.Response) -> ApiError:
        """The :class:`ApiError` a non-success answer (already read) stands for."""
        error = error_from_response(response, self.secrets)
        if error.kind is ErrorKind.AUTH:
            error.key_source = self.key_source
        return error

    def transport_error(self, exc: httpx.TransportError, method: str, url: str) -> ApiError:
        """Trouble reaching the host, as the error a user sees (``url`` as the caller named
        it: no host, no key)."""
        where = origin(httpx.URL(self.host))
        reason = self.scrub(str(exc)) or type(exc).__name__
        if isinstance(exc, httpx.ConnectTimeout):
            return ConnectionFailedError(f"Cannot reach {where}: the connection timed out")
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimeoutError(f"{where} did not answer {method} {url} in time")
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailedError(f"Cannot reach {where}: {reason}")
        return ConnectionLostError(f"Lost the connection to {where}: {reason}")

    # -- sending -----------------------------------------------------------------------

    def build_request(
        self, method: str, url: httpx.URL | str, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Request:
        """A request to ``url`` (relative: under the project; absolute: as it stands)."""
        return self._http.build_request(method, url, headers=headers)

    def host_url(self, path: str) -> str:
        """The absolute URL of ``path`` from the API's root rather than the project's
        (``/api/users/@me/``), on the same host (and the same path prefix, for a PostHog
        served under one)."""
        if not path.startswith("/api/"):
            raise ValueError(f"not a path from the API's root: {path!r}")
        return f"{self.host}{path}"

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: httpx.Timeout | None = None,
        idempotent: bool | None = None,
        from_root: bool = False,
    ) -> httpx.Response:
        """Send a request and read its answer, retrying where that is safe; raise
        :class:`ApiError` on failure. Only reads (GET, HEAD, OPTIONS) count as idempotent
        unless ``idempotent`` says otherwise.

        ``url`` is relative to the project (``file_system/``) unless ``from_root``, which
        makes it a path from the API's root (``/api/users/@me/``, see :meth:`host_url`):
        the same retries, limits, redaction and errors either way."""
        if idempotent is None:
            idempotent = method in _READ_ONLY_METHODS
        try:
            request = self._http.build_request(
                method,
                self.host_url(url) if from_root else url,
                params=params,
                json=json,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.InvalidURL as exc:
            # httpx builds no URL over 65,536 characters: a folder whose path, percent-
            # encoded, is that long cannot be asked about (the server would refuse it too).
            raise ValidationError(
                "This request would need a URL over 65,536 characters, the most that can"
                " be sent: the folder's path is too long to look inside."
            ) from exc

        def describe(exc: httpx.TransportError) -> ApiError:
            return self.transport_error(exc, method, url)

        return await self.send(
            request, idempotent=idempotent, what=f"{method} {url}", describe=describe
        )

    async def send(
        self,
        request: httpx.Request,
        *,
        idempotent: bool,
        what: str,
        describe: DescribeFailure,
        with_key: bool = True,
        hand_back: HandBack = _hand_back_nothing,
    ) -> httpx.Response:
        """Send ``request`` with the retry policy: transport trouble, 429 and 502-504 are
        retried (a change only when it certainly never arrived, see :mod:`tui.api.retry`).

        An answer ``hand_back`` picks goes back open and unread (the caller streams and
        closes it); any other is read, bounded, and returned when successful, else raised
        as :class:`ApiError`. ``what`` names the request in messages (``"GET file_system/"``),
        ``describe`` words transport trouble. ``with_key=False`` sends no Authorization
        header (a download's redirect to storage: the key belongs to PostHog alone).
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                if with_key:
                    streamed = await self._http.send(request, stream=True)
                else:
                    # auth=None sends no Authorization header at all, where the client's
                    # default would add the Bearer key.
                    streamed = await self._http.send(request, stream=True, auth=None)
                if hand_back(streamed):
                    return streamed
                try:
                    response = await read_bounded(streamed, self.max_response_bytes)
                finally:
                    await streamed.aclose()
            except httpx.TransportError as exc:
                error = describe(exc)
                delay = self._retry.after_transport_error(
                    exc, idempotent=idempotent, attempt=attempt
                )
                if delay is None:
                    raise error from exc
                await self._wait(error.message, delay, attempt)
                continue
            except UNREADABLE as exc:
                raise unreadable(exc, request.url, what) from None
            logger.debug("%s -> %s", what, response.status_code)
            if response.is_success:
                return response
            error = self.error_from(response)
            delay = self._retry.after_error_response(error, idempotent=idempotent, attempt=attempt)
            if delay is None:
                raise error
            await self._wait(error.message, delay, attempt)

    async def read(self, response: httpx.Response) -> httpx.Response:
        """A streamed answer read into memory, bounded (see :func:`read_bounded`)."""
        return await read_bounded(response, self.max_response_bytes)

    async def _wait(self, reason: str, delay: float, attempt: int) -> None:
        notice = RetryNotice(reason, delay, attempt, self._retry.max_retries)
        logger.info("%s", notice)
        if self._on_retry is not None:
            self._on_retry(notice)
        await self._sleep(delay)


def query_params(**values: object) -> dict[str, str]:
    """Query parameters with the unset ones left out and values spelt as PostHog reads them."""
    params: dict[str, str] = {}
    for key, value in values.items():
        text = wire_text(value)
        if text is not None:
            params[key] = text
    return params


def wire_text(value: object) -> str | None:
    """One query parameter's value as PostHog reads it (``None`` stays unset)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def parse(response: httpx.Response, model: type[M]) -> M:
    """``response``'s JSON body as ``model``; anything else is not a PostHog answer."""
    where = origin(response.request.url)
    what = f"{response.request.method} {response.request.url.path}"
    try:
        return model.model_validate_json(response.content)
    except ModelValidationError as exc:
        first = exc.errors()[0] if exc.errors() else None
        if first is not None and first["type"] == "json_invalid":
            reason = "its body is not JSON"
        elif first is not None:
            field = ".".join(str(part) for part in first["loc"]) or "body"
            reason = f"{field}: {first['msg']}"
        else:
            reason = "unexpected body"
        raise UnexpectedResponseError(
            f"{where} gave an answer to {what} that hogtree cannot read ({reason});"
            " is this a PostHog server?",
            status=response.status_code,
        ) from None
