"""The user's Shortcuts (PostHog's ``file_system_shortcut/``): star an entry, unstar it,
and find the tree entry each shortcut stands for.

A shortcut is not a tree entry: it holds the object's ``type``, ``ref`` and ``href`` and,
as PostHog's web app writes it, the entry's name (its last path segment) as ``path``. The
tree entry behind it is found again by ``type`` and ``ref``. Folders have no ``ref`` of
their own in PostHog, so hogtree writes a folder's entry id as its shortcut's ``ref``: it
survives a move or a rename of the folder, and fits PostHog's 100 characters where a path
may not. A folder shortcut whose ``ref`` is not an id (made elsewhere) is read as a path.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from tui import paths
from tui.api import NotFoundError, PostHogClient
from tui.models import FileSystemEntry
from tui.models.shortcuts import Shortcut

# Shortcuts resolved at once: a user's list is short, but not every server likes a burst.
_RESOLVING_AT_ONCE = 8
# Entries asked for when finding the one a shortcut stands for.
_CANDIDATES = 10
# An entry id (a UUID), as a folder's shortcut holds it.
_ENTRY_ID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Starred:
    """A shortcut and the tree entry it stands for (``None``: the project no longer has one,
    e.g. the object was deleted, or it was starred elsewhere without a ``ref``)."""

    shortcut: Shortcut
    entry: FileSystemEntry | None

    @property
    def name(self) -> str:
        """What the list shows: the entry's own name, else the name the shortcut keeps."""
        if self.entry is not None:
            return paths.basename(self.entry.path) or self.entry.path
        return paths.basename(self.shortcut.path) or self.shortcut.path


def shortcut_ref(entry: FileSystemEntry) -> str | None:
    """The ``ref`` a shortcut of ``entry`` carries: the object's, or a folder's entry id."""
    return entry.id if entry.is_folder else entry.ref


def stands_for(shortcut: Shortcut, entry: FileSystemEntry) -> bool:
    """Whether ``shortcut`` is a shortcut of ``entry``'s object (or folder)."""
    if shortcut.type != entry.type or shortcut.ref is None:
        return False
    if entry.is_folder:
        return shortcut.ref in (entry.id, entry.path)
    return shortcut.ref == entry.ref


async def starred(client: PostHogClient) -> list[Starred]:
    """Every shortcut of the user in this project, each with its entry, in the server's order."""
    shortcuts = await client.shortcuts.list()
    gate = asyncio.Semaphore(_RESOLVING_AT_ONCE)

    async def resolve(shortcut: Shortcut) -> Starred:
        async with gate:
            return Starred(shortcut, await entry_of(client, shortcut))

    return list(await asyncio.gather(*(resolve(s) for s in shortcuts)))


async def entry_of(client: PostHogClient, shortcut: Shortcut) -> FileSystemEntry | None:
    """The tree entry ``shortcut`` stands for: its object's own entry (not a link to it)."""
    if not shortcut.ref:
        return None
    if shortcut.type == "folder" and _ENTRY_ID.fullmatch(shortcut.ref):
        try:
            return await client.get_entry(shortcut.ref)
        except NotFoundError:
            return None
    if shortcut.type == "folder":
        page = await client.list_entries(path=shortcut.ref, type="folder", limit=_CANDIDATES)
    else:
        page = await client.list_entries(type=shortcut.type, ref=shortcut.ref, limit=_CANDIDATES)
    own = [entry for entry in page.results if not entry.shortcut]
    return (own or page.results or [None])[0]


async def find(client: PostHogClient, entry: FileSystemEntry) -> Shortcut | None:
    """The user's shortcut of ``entry``, if it has one."""
    for shortcut in await client.shortcuts.list():
        if stands_for(shortcut, entry):
            return shortcut
    return None


async def add(client: PostHogClient, entry: FileSystemEntry) -> Shortcut:
    """Star ``entry`` as PostHog's web app does (its name, type, ref and href). PostHog
    answers an identical shortcut with the one it has: starring twice makes one."""
    return await client.shortcuts.add(
        paths.basename(entry.path) or entry.path,
        type=entry.type,
        ref=shortcut_ref(entry),
        href=entry.href,
    )


async def remove(client: PostHogClient, shortcut: Shortcut) -> None:
    await client.shortcuts.remove(shortcut.id)


@dataclass(frozen=True)
class Toggled:
    """What :func:`toggle` did: ``added`` the shortcut, or removed it."""

    shortcut: Shortcut
    added: bool


async def toggle(client: PostHogClient, entry: FileSystemEntry) -> Toggled:
    """Star ``entry``, or unstar it if it is starred already (``S`` in the app)."""
    existing = await find(client, entry)
    if existing is not None:
        await remove(client, existing)
        return Toggled(existing, added=False)
    return Toggled(await add(client, entry), added=True)
