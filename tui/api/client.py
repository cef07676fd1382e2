"""The async client for PostHog's file_system API: one typed method per endpoint.

Works the same against PostHog Cloud, self-hosted PostHog and hogtree's local server.
Every request goes to ``<host>/api/projects/<project_id>/…`` with the personal API key in
the ``Authorization`` header, never in a URL. Redirects are not followed, so the key can
never be carried to a host the user did not name.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import anyio
import httpx
from pydantic import BaseModel, SecretStr
from pydantic import ValidationError as ModelValidationError

from tui import __version__, paths
from tui.api.auth import BearerAuth, check_transport
from tui.api.bodies import MAX_RESPONSE_BYTES, UNREADABLE, read_bounded, unreadable
from tui.api.errors import (
    ApiError,
    ConnectionFailedError,
    ConnectionLostError,
    RequestTimeoutError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
    origin,
    scrub,
)
from tui.api.retry import RetryNotice, RetryPolicy
from tui.models import (
    CountResponse,
    DeletedObject,
    DeleteResponse,
    EntryUpdate,
    FileSystemEntry,
    FileSystemPage,
    UndoItem,
    UndoRequest,
    UndoResponse,
    UnfiledResponse,
)

logger = logging.getLogger(__name__)

# Reaching a server takes well under a second when it is up; a read may wait on a slow
# query. PostHog's own gateway gives up on a request after about 30 s.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# move, link, delete and undo rewrite a whole subtree in one transaction, which for a
# folder of 100k entries takes minutes, not seconds.
BULK_TIMEOUT = httpx.Timeout(300.0, connect=5.0)
# PostHog's default page size.
DEFAULT_PAGE_SIZE = 100

M = TypeVar("M", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]

_UPDATABLE_FIELDS = frozenset(EntryUpdate.model_fields)


def normalize_host(host: str) -> str:
    """``host`` without trailing slashes; refuses anything that is not an http(s) URL."""
    host = host.strip().rstrip("/")
    url = httpx.URL(host)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"host must look like https://us.posthog.com, got {host!r}")
    return host


class PostHogClient:
    """An async client for one project on one PostHog host.

    Use it as ``async with PostHogClient(...) as client:`` or call :meth:`aclose`.
    ``on_retry`` hears about each wait before a retry; ``sleep`` is how it waits (tests
    pass a recorder instead of really waiting). A key is not sent over plain ``http://``
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
    ) -> None:
        self.host = normalize_host(host)
        self.project_id = int(project_id)
        self._auth = BearerAuth(api_key)
        # Here, so that every user of the client (the app, scripts) gets the check.
        check_transport(
            self.host, has_key=self._auth.has_key, allow_insecure_http=allow_insecure_http
        )
        self._bulk_timeout = httpx.Timeout(bulk_timeout)
        self._retry = RetryPolicy(
            max_retries=max_retries, max_wait=max_retry_wait, backoff_base=backoff_base
        )
        self._on_retry = on_retry
        self._sleep = sleep
        self.max_response_bytes = max_response_bytes
        self._http = httpx.AsyncClient(
            base_url=f"{self.host}/api/projects/{self.project_id}/",
            auth=self._auth,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"hogtree/{__version__}"},
        )
        # Resource groups beyond the tree. Imported here because their modules import
        # this one (for its request machinery).
        from tui.api.events import EventsApi
        from tui.api.exports import ExportsApi
        from tui.api.insights import InsightsApi

        self.events = EventsApi(self)
        self.exports = ExportsApi(self)
        self.insights = InsightsApi(self)

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
        await self._http.aclose()

    # -- file_system: reading ------------------------------------------------------------

    async def list_entries(
        self,
        *,
        parent: str | None = None,
        depth: int | None = None,
        path: str | None = None,
        type: str | None = None,
        not_type: str | None = None,
        type__startswith: str | None = None,
        ref: str | None = None,
        created_at__gt: datetime | str | None = None,
        created_at__lt: datetime | str | None = None,
        search: str | None = None,
        search_name_only: bool = False,
        order_by: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
    ) -> FileSystemPage:
        """``GET file_system/`` with any of its filters (all combined with AND)."""
        params = _query(
            parent=parent,
            depth=depth,
            path=path,
            type=type,
            not_type=not_type,
            type__startswith=type__startswith,
            ref=ref,
            created_at__gt=created_at__gt,
            created_at__lt=created_at__lt,
            search=search,
            search_name_only=search_name_only or None,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )
        response = await self._request("GET", "file_system/", params=params)
        return _parse(response, FileSystemPage)

    async def list_folder(
        self, parent: str, *, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> FileSystemPage:
        """The direct children of folder ``parent`` (escaped path; ``""`` for the root),
        folders first — the query PostHog's own tree view makes."""
        # The path is passed as the server stored it: re-escaping it could change it.
        if paths.depth(parent) == 0:
            return await self.list_entries(depth=1, offset=offset, limit=limit)
        return await self.list_entries(
            parent=parent, depth=paths.depth(parent) + 1, offset=offset, limit=limit
        )

    async def iter_folder(
        self, parent: str, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[FileSystemPage]:
        """Every page of :meth:`list_folder`.

        Offsets are counted here rather than read from the server's absolute ``next``
        URL, which a misconfigured or hostile server could point at another host.
        """
        offset = 0
        while True:
            page = await self.list_folder(parent, offset=offset, limit=page_size)
            yield page
            offset += len(page.results)
            if not page.results or offset >= page.count:
                return

    async def iter_entries(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Any
    ) -> AsyncIterator[FileSystemPage]:
        """Every page of :meth:`list_entries` with ``filters`` (its keyword arguments but
        ``limit`` and ``offset``). Offsets are counted here, as in :meth:`iter_folder`, and a
        server that clamps the page size is simply asked more often."""
        offset = 0
        while True:
            page = await self.list_entries(**filters, offset=offset, limit=page_size)
            yield page
            offset += len(page.results)
            if not page.results or offset >= page.count:
                return

    async def search(
        self,
        query: str,
        *,
        name_only: bool = False,
        offset: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> FileSystemPage:
        """Entries matching PostHog's search syntax (``name:x``, ``type:x``, ``-path:x`` …)."""
        return await self.list_entries(
            search=query, search_name_only=name_only, offset=offset, limit=limit
        )

    async def get_entry(self, id: str) -> FileSystemEntry:
        response = await self._request("GET", _entry_url(id))
        return _parse(response, FileSystemEntry)

    async def count(self, id: str) -> CountResponse:
        """All descendants of folder ``id``, at any depth (the first 200 listed)."""
        # A POST only by PostHog's routing: it changes nothing, so it may be retried.
        response = await self._request("POST", _entry_url(id, "count"), idempotent=True)
        return _parse(response, CountResponse)

    async def count_by_path(self, path: str) -> CountResponse:
        response = await self._request(
            "POST", "file_system/count_by_path/", params={"path": path}, idempotent=True
        )
        return _parse(response, CountResponse)

    # -- file_system: changing -----------------------------------------------------------

    async def create_entry(
        self,
        path: str,
        *,
        type: str = "",
        ref: str | None = None,
        href: str | None = None,
        meta: Mapping[str, Any] | None = None,
        shortcut: bool | None = None,
    ) -> FileSystemEntry:
        """Create an entry; the server also creates its missing ancestor folders."""
        # Not validated here: the server is the judge (and says which field is wrong).
        body: dict[str, Any] = {"path": path, "type": type}
        optional = {"ref": ref, "href": href, "shortcut": shortcut}
        body.update({key: value for key, value in optional.items() if value is not None})
        if meta is not None:
            body["meta"] = dict(meta)
        response = await self._request("POST", "file_system/", json=body)
        return _parse(response, FileSystemEntry)

    async def create_folder(self, path: str) -> FileSystemEntry:
        return await self.create_entry(path, type="folder")

    async def update_entry(self, id: str, **fields: Any) -> FileSystemEntry:
        """``PATCH`` the given fields. A folder's children do not follow a changed path:
        rename or move folders with :meth:`move`."""
        unknown = set(fields) - _UPDATABLE_FIELDS
        if unknown:
            raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
        response = await self._request("PATCH", _entry_url(id), json=fields)
        return _parse(response, FileSystemEntry)

    async def delete_entry(self, id: str) -> DeleteResponse:
        """Delete an entry (a folder with everything in it). The answer lists the objects
        that went with it; older PostHog answers 204 and so an empty list."""
        response = await self._request("DELETE", _entry_url(id), timeout=self._bulk_timeout)
        if response.status_code == 204 or not response.content:
            return DeleteResponse()
        return _parse(response, DeleteResponse)

    async def undo_delete(self, items: Iterable[UndoItem | DeletedObject]) -> UndoResponse:
        """Bring back objects a delete took, e.g. ``undo_delete(response.deleted)``."""
        body = UndoRequest(items=[_undo_item(item) for item in items])
        response = await self._request(
            "POST",
            "file_system/undo_delete/",
            json=body.model_dump(exclude_none=True),
            timeout=self._bulk_timeout,
        )
        return _parse(response, UndoResponse)

    async def link(self, id: str, new_path: str) -> FileSystemEntry:
        """Make a shortcut to entry ``id`` at ``new_path`` (a folder: to all it holds)."""
        response = await self._request(
            "POST", _entry_url(id, "link"), json={"new_path": new_path}, timeout=self._bulk_timeout
        )
        return _parse(response, FileSystemEntry)

    async def move(self, id: str, new_path: str) -> FileSystemEntry:
        """Move or rename entry ``id`` (a folder: with all it holds) to ``new_path``."""
        response = await self._request(
            "POST", _entry_url(id, "move"), json={"new_path": new_path}, timeout=self._bulk_timeout
        )
        return _parse(response, FileSystemEntry)

    async def unfiled(self, type: str | None = None) -> UnfiledResponse:
        """File objects that have no entry under ``Unfiled/…``; answers how many were made."""
        # A GET that writes, but an idempotent one: a second call files nothing.
        response = await self._request("GET", "file_system/unfiled/", params=_query(type=type))
        return _parse(response, UnfiledResponse)

    # -- transport -----------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        timeout: httpx.Timeout | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send a request, retrying where that is safe; raise :class:`ApiError` on failure."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "OPTIONS")
        attempt = 0
        while True:
            attempt += 1
            try:
                request = self._http.build_request(
                    method,
                    url,
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
            try:
                response = await self._http.send(request, stream=True)
                try:
                    await read_bounded(response, self.max_response_bytes)
                finally:
                    await response.aclose()
            except httpx.TransportError as exc:
                error = self._transport_error(exc, method, url)
                delay = self._retry.after_transport_error(
                    exc, idempotent=idempotent, attempt=attempt
                )
                if delay is None:
                    raise error from exc
                await self._wait(error.message, delay, attempt)
                continue
            except UNREADABLE as exc:
                raise unreadable(exc, httpx.URL(self.host), f"{method} {url}") from None
            logger.debug("%s %s -> %s", method, url, response.status_code)
            if response.is_success:
                return response
            error = error_from_response(response, self._auth.secrets)
            delay = self._retry.after_error_response(error, idempotent=idempotent, attempt=attempt)
            if delay is None:
                raise error
            await self._wait(error.message, delay, attempt)

    async def _wait(self, reason: str, delay: float, attempt: int) -> None:
        notice = RetryNotice(reason, delay, attempt, self._retry.max_retries)
        logger.info("%s", notice)
        if self._on_retry is not None:
            self._on_retry(notice)
        await self._sleep(delay)

    def _transport_error(self, exc: httpx.TransportError, method: str, url: str) -> ApiError:
        where = origin(httpx.URL(self.host))
        reason = scrub(str(exc), self._auth.secrets) or type(exc).__name__
        if isinstance(exc, httpx.ConnectTimeout):
            return ConnectionFailedError(f"Cannot reach {where}: the connection timed out")
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimeoutError(f"{where} did not answer {method} {url} in time")
        if isinstance(exc, httpx.ConnectError):
            return ConnectionFailedError(f"Cannot reach {where}: {reason}")
        return ConnectionLostError(f"Lost the connection to {where}: {reason}")


def _entry_url(id: str, action: str | None = None) -> str:
    # Quoted whole so an id can never add path segments ("../" or "?") to the URL.
    if id in ("", ".", ".."):
        raise ValueError(f"not an entry id: {id!r}")
    url = f"file_system/{quote(str(id), safe='')}/"
    return f"{url}{action}/" if action else url


def _query(**values: object) -> dict[str, str]:
    """Query parameters with the unset ones left out and values spelt as PostHog reads them."""
    params: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            params[key] = value.isoformat()
        else:
            params[key] = str(value)
    return params


def _undo_item(item: UndoItem | DeletedObject) -> UndoItem:
    if isinstance(item, UndoItem):
        return item
    if item.ref is None:
        raise ValueError(f"cannot undo the delete of a {item.type} without a ref")
    return UndoItem(type=item.type, ref=item.ref, path=item.path)


def _parse(response: httpx.Response, model: type[M]) -> M:
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
