"""The project tree through PostHog's ``file_system/`` API: list, search, count, create,
change, move, link, delete and undo.

:class:`FileSystemApi` is what :class:`~tui.api.client.PostHogClient` is built on: its
methods are the client's own (``client.list_folder(…)``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tui import paths
from tui.api.transport import Transport, parse, query_params, wire_text
from tui.models import (
    CountResponse,
    DeletedObject,
    DeleteResponse,
    EntryUpdate,
    FileSystemEntry,
    FileSystemListQuery,
    FileSystemPage,
    UndoItem,
    UndoRequest,
    UndoResponse,
    UnfiledResponse,
)

# PostHog's default page size.
DEFAULT_PAGE_SIZE = 100

_UPDATABLE_FIELDS = frozenset(EntryUpdate.model_fields)


class FileSystemApi:
    """The ``file_system/`` endpoints, one typed method each (scopes ``file_system:read``
    and ``file_system:write``)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    # -- reading -------------------------------------------------------------------------

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
        query = FileSystemListQuery(
            parent=parent,
            depth=wire_text(depth),
            path=path,
            type=type,
            not_type=not_type,
            type__startswith=type__startswith,
            ref=ref,
            created_at__gt=wire_text(created_at__gt),
            created_at__lt=wire_text(created_at__lt),
            search=search,
            search_name_only=wire_text(search_name_only or None),
            order_by=order_by,
        )
        return await self.list_page(query, limit=limit, offset=offset)

    async def list_page(
        self, query: FileSystemListQuery, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0
    ) -> FileSystemPage:
        """One page of ``query``: :meth:`list_entries` for a query already built."""
        params = {**query.params(), **query_params(limit=limit, offset=offset)}
        response = await self._transport.request("GET", "file_system/", params=params)
        return parse(response, FileSystemPage)

    async def list_folder(
        self,
        parent: str,
        *,
        offset: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
        order_by: str | None = None,
        search: str | None = None,
        search_name_only: bool = True,
    ) -> FileSystemPage:
        """The direct children of folder ``parent`` (escaped path; ``""`` for the root),
        folders first — the query PostHog's own tree view makes.

        ``order_by`` replaces that order (``created_at``, ``-created_at`` …); ``search``
        keeps the children it matches, by name alone unless ``search_name_only`` is false
        (every child's path holds the folder's name, so a plain token would match them all).
        """
        # The path is passed as the server stored it: re-escaping it could change it.
        depth = paths.depth(parent)
        return await self.list_entries(
            parent=parent if depth else None,
            depth=depth + 1,
            order_by=order_by,
            search=search,
            search_name_only=search_name_only and bool(search),
            offset=offset,
            limit=limit,
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

    async def recent(self, limit: int = 100, search: str | None = None) -> list[FileSystemEntry]:
        """The caller's Recents, newest first: the entries of what the key's user last
        viewed (``order_by=-last_viewed_at``), each with ``last_viewed_at``. One answer, no
        pages; PostHog clamps ``limit`` to 1…1000 and may answer fewer (a view of an object
        with no entry counts against it). PostHog records views of its web app only, not of
        API keys, so opening things here does not add to it."""
        page = await self.list_entries(order_by="-last_viewed_at", search=search, limit=limit)
        return list(page.results)

    async def get_entry(self, id: str) -> FileSystemEntry:
        response = await self._transport.request("GET", _entry_url(id))
        return parse(response, FileSystemEntry)

    async def count(self, id: str) -> CountResponse:
        """All descendants of folder ``id``, at any depth (the first 200 listed)."""
        # A POST only by PostHog's routing: it changes nothing, so it may be retried.
        response = await self._transport.request("POST", _entry_url(id, "count"), idempotent=True)
        return parse(response, CountResponse)

    async def count_by_path(self, path: str) -> CountResponse:
        response = await self._transport.request(
            "POST", "file_system/count_by_path/", params={"path": path}, idempotent=True
        )
        return parse(response, CountResponse)

    # -- changing ------------------------------------------------------------------------

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
        response = await self._transport.request("POST", "file_system/", json=body)
        return parse(response, FileSystemEntry)

    async def create_folder(self, path: str) -> FileSystemEntry:
        return await self.create_entry(path, type="folder")

    async def update_entry(self, id: str, **fields: Any) -> FileSystemEntry:
        """``PATCH`` the given fields. A folder's children do not follow a changed path:
        rename or move folders with :meth:`move`."""
        unknown = set(fields) - _UPDATABLE_FIELDS
        if unknown:
            raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
        response = await self._transport.request("PATCH", _entry_url(id), json=fields)
        return parse(response, FileSystemEntry)

    async def delete_entry(self, id: str) -> DeleteResponse:
        """Delete an entry (a folder with everything in it). The answer lists the objects
        that went with it; older PostHog answers 204 and so an empty list."""
        response = await self._transport.request(
            "DELETE", _entry_url(id), timeout=self._transport.bulk_timeout
        )
        if response.status_code == 204 or not response.content:
            return DeleteResponse()
        return parse(response, DeleteResponse)

    async def undo_delete(self, items: Iterable[UndoItem | DeletedObject]) -> UndoResponse:
        """Bring back objects a delete took, e.g. ``undo_delete(response.deleted)``."""
        body = UndoRequest(items=[_undo_item(item) for item in items])
        response = await self._transport.request(
            "POST",
            "file_system/undo_delete/",
            json=body.model_dump(exclude_none=True),
            timeout=self._transport.bulk_timeout,
        )
        return parse(response, UndoResponse)

    async def link(self, id: str, new_path: str) -> FileSystemEntry:
        """Make a shortcut to entry ``id`` at ``new_path`` (a folder: to all it holds)."""
        response = await self._transport.request(
            "POST",
            _entry_url(id, "link"),
            json={"new_path": new_path},
            timeout=self._transport.bulk_timeout,
        )
        return parse(response, FileSystemEntry)

    async def move(self, id: str, new_path: str) -> FileSystemEntry:
        """Move or rename entry ``id`` (a folder: with all it holds) to ``new_path``."""
        response = await self._transport.request(
            "POST",
            _entry_url(id, "move"),
            json={"new_path": new_path},
            timeout=self._transport.bulk_timeout,
        )
        return parse(response, FileSystemEntry)

    async def unfiled(self, type: str | None = None) -> UnfiledResponse:
        """File objects that have no entry under ``Unfiled/…``; answers how many were made."""
        # A GET that writes, but an idempotent one: a second call files nothing.
        response = await self._transport.request(
            "GET", "file_system/unfiled/", params=query_params(type=type)
        )
        return parse(response, UnfiledResponse)


def _entry_url(id: str, action: str | None = None) -> str:
    # Quoted whole so an id can never add path segments ("../" or "?") to the URL.
    if id in ("", ".", ".."):
        raise ValueError(f"not an entry id: {id!r}")
    url = f"file_system/{quote(str(id), safe='')}/"
    return f"{url}{action}/" if action else url


def _undo_item(item: UndoItem | DeletedObject) -> UndoItem:
    if isinstance(item, UndoItem):
        return item
    if item.ref is None:
        raise ValueError(f"cannot undo the delete of a {item.type} without a ref")
    return UndoItem(type=item.type, ref=item.ref, path=item.path)
