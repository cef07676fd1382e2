"""The async client for PostHog's API: one typed method per endpoint, grouped by area.

Works the same against PostHog Cloud, self-hosted PostHog and hogtree's local server.
Every request goes to ``<host>/api/projects/<project_id>/…`` with the personal API key in
the ``Authorization`` header, never in a URL. Redirects are not followed, so the key can
never be carried to a host the user did not name.

:class:`PostHogClient` owns one :class:`~tui.api.transport.Transport` and the resource
classes built on it: the project tree's methods are its own (it is a
:class:`~tui.api.file_system.FileSystemApi`), the other areas are attributes
(``client.events``, ``client.exports``, ``client.insights``, ``client.shortcuts``,
``client.query`` (event counts), and
``client.accounts`` for what lies outside the project: the user, the key, the projects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import anyio
import httpx
from pydantic import SecretStr

from tui.api.accounts import AccountsApi
from tui.api.auth import BearerAuth, check_transport
from tui.api.bodies import MAX_RESPONSE_BYTES
from tui.api.events import EventsApi
from tui.api.exports import ExportsApi
from tui.api.file_system import FileSystemApi
from tui.api.insights import InsightsApi
from tui.api.query import QueryApi
from tui.api.retry import RetryNotice, RetryPolicy
from tui.api.shortcuts import ShortcutsApi
from tui.api.transport import Sleep, Transport

# Reaching a server takes well under a second when it is up; a read may wait on a slow
# query. PostHog's own gateway gives up on a request after about 30 s.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# move, link, delete and undo rewrite a whole subtree in one transaction, which for a
# folder of 100k entries takes minutes, not seconds.
BULK_TIMEOUT = httpx.Timeout(300.0, connect=5.0)


@dataclass(frozen=True)
class _ClientOptions:
    """A client's settings besides its host, project and key."""

    timeout: httpx.Timeout | float
    bulk_timeout: httpx.Timeout | float
    transport: httpx.AsyncBaseTransport | None
    max_retries: int
    max_retry_wait: float
    backoff_base: float
    on_retry: Callable[[RetryNotice], None] | None
    sleep: Sleep
    allow_insecure_http: bool
    max_response_bytes: int
    key_source: str | None


def normalize_host(host: str) -> str:
    """``host`` without trailing slashes; refuses anything that is not an http(s) URL."""
    host = host.strip().rstrip("/")
    url = httpx.URL(host)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"host must look like https://us.posthog.com, got {host!r}")
    return host


class PostHogClient(FileSystemApi):
    """An async client for one project on one PostHog host.

    Use it as ``async with PostHogClient(...) as client:`` or call :meth:`aclose`.
    ``on_retry`` hears about each wait before a retry; ``sleep`` is how it waits (tests
    pass a recorder instead of really waiting). ``key_source`` says where the key came
    from (a variable, a profile): a refused key's error names it. A key is not sent over plain ``http://``
    to another machine unless ``allow_insecure_http`` (:class:`InsecureTransportError`).
    """

    def __init__(
        self,
        host: str,
        project_id: int,
        api_key: str | SecretStr | None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        bulk_timeout: httpx.Timeout | float = BULK_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 3,
        max_retry_wait: float = 30.0,
        backoff_base: float = 0.5,
        on_retry: Callable[[RetryNotice], None] | None = None,
        sleep: Sleep = anyio.sleep,
        allow_insecure_http: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        key_source: str | None = None,
    ) -> None:
        self.host = normalize_host(host)
        self.project_id = int(project_id)
        self._auth = BearerAuth(api_key)
        # Everything but the project, for :meth:`for_project`.
        self._options = _ClientOptions(
            timeout=timeout,
            bulk_timeout=bulk_timeout,
            transport=transport,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            backoff_base=backoff_base,
            on_retry=on_retry,
            sleep=sleep,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
            key_source=key_source,
        )
        # Here, so that every user of the client (the app, scripts) gets the check.
        check_transport(
            self.host, has_key=self._auth.has_key, allow_insecure_http=allow_insecure_http
        )
        super().__init__(
            Transport(
                self.host,
                self.project_id,
                self._auth,
                timeout=timeout,
                bulk_timeout=bulk_timeout,
                transport=transport,
                retry=RetryPolicy(
                    max_retries=max_retries, max_wait=max_retry_wait, backoff_base=backoff_base
                ),
                on_retry=on_retry,
                sleep=sleep,
                max_response_bytes=max_response_bytes,
                key_source=key_source,
            )
        )
        self.insights = InsightsApi(self._transport)
        self.events = EventsApi(self._transport)
        self.exports = ExportsApi(self._transport, self.insights)
        self.shortcuts = ShortcutsApi(self._transport)
        self.query = QueryApi(self._transport)
        self.accounts = AccountsApi(self._transport)

    def for_project(self, project_id: int) -> PostHogClient:
        """A new client for another project on the same host, with the same key and
        settings (the project switcher's). It has a connection pool of its own, to close
        on its own; an ``httpx`` transport given to this client is shared with it."""
        options = self._options
        return PostHogClient(
            self.host,
            project_id,
            self._auth.key,
            timeout=options.timeout,
            bulk_timeout=options.bulk_timeout,
            transport=options.transport,
            max_retries=options.max_retries,
            max_retry_wait=options.max_retry_wait,
            backoff_base=options.backoff_base,
            on_retry=options.on_retry,
            sleep=options.sleep,
            allow_insecure_http=options.allow_insecure_http,
            max_response_bytes=options.max_response_bytes,
            key_source=options.key_source,
        )

    @property
    def max_response_bytes(self) -> int:
        """The most of one answer held in memory (see :mod:`tui.api.bodies`)."""
        return self._transport.max_response_bytes

    def __repr__(self) -> str:
        return f"PostHogClient(host={self.host!r}, project_id={self.project_id})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()
