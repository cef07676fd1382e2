"""The caller's Shortcuts (starred items) through PostHog's ``file_system_shortcut/`` API.

Shortcuts belong to the key's user, in one project; they are not the tree's shortcut
entries (``link``). PostHog's web app names a shortcut by the item's escaped last segment
and points at a folder with ``type="folder"`` and the folder's path as ``ref``.
``reorder/`` and ``bulk_update/`` refuse every personal API key, so they are not here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tui.api.transport import Transport, parse, query_params
from tui.models.shortcuts import Shortcut, ShortcutPage

# PostHog's default page size.
PAGE_SIZE = 100


class ShortcutsApi:
    """``file_system_shortcut/`` (scopes ``file_system_shortcut:read`` and ``:write``)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def page(
        self, *, limit: int = PAGE_SIZE, offset: int = 0, ordering: str | None = None
    ) -> ShortcutPage:
        """One page, by ``order`` then path (``ordering``: ``created_at``/``-created_at``)."""
        response = await self._transport.request(
            "GET",
            "file_system_shortcut/",
            params=query_params(limit=limit, offset=offset, ordering=ordering),
        )
        return parse(response, ShortcutPage)

    async def list(self, *, ordering: str | None = None) -> list[Shortcut]:
        """Every shortcut of the caller in the project, in display order. Offsets are
        counted here rather than read from the server's absolute ``next`` URL."""
        found: list[Shortcut] = []
        while True:
            page = await self.page(offset=len(found), ordering=ordering)
            found.extend(page.results)
            if not page.results or len(found) >= page.count:
                return found

    async def get(self, id: str) -> Shortcut:
        response = await self._transport.request("GET", _shortcut_url(id))
        return parse(response, Shortcut)

    async def add(
        self, path: str, *, type: str = "", ref: str | None = None, href: str | None = None
    ) -> Shortcut:
        """Star an item (it goes last). Starring the same item again (same path, type, ref
        and href) answers the shortcut it already has."""
        body: dict[str, Any] = {"path": path, "type": type, "ref": ref, "href": href}
        response = await self._transport.request("POST", "file_system_shortcut/", json=body)
        return parse(response, Shortcut)

    async def update(self, id: str, **fields: Any) -> Shortcut:
        """``PATCH`` some of ``path``, ``type``, ``ref``, ``href``, ``order``."""
        unknown = set(fields) - {"path", "type", "ref", "href", "order"}
        if unknown:
            raise TypeError(f"cannot update {', '.join(sorted(unknown))}")
        response = await self._transport.request("PATCH", _shortcut_url(id), json=fields)
        return parse(response, Shortcut)

    async def remove(self, id: str) -> None:
        """Unstar: delete the shortcut (not the item it points at)."""
        await self._transport.request("DELETE", _shortcut_url(id))


def _shortcut_url(id: str) -> str:
    # Quoted whole so an id can never add path segments ("../" or "?") to the URL.
    if id in ("", ".", ".."):
        raise ValueError(f"not a shortcut id: {id!r}")
    return f"file_system_shortcut/{quote(str(id), safe='')}/"
