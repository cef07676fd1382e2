"""From what a user typed (a path as the tree shows it, or an entry id) to an entry.

A path is written as the tree writes it: segments joined by ``/``, a slash inside a name
escaped as ``\\/`` (``Marketing/Q4 \\/ Q1``). It is looked up with the exact ``path``
filter of ``GET file_system/``. PostHog stores folders as rows, but a folder can also exist
only implicitly — entries under a path whose own row is gone (``PATCH`` moves one entry and
creates no parents) — so a path with no row but with entries under it is a folder too.
Several rows may share a path (PostHog allows duplicates): a command that acts on one entry
then asks for its id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui import paths
from tui.api import NotFoundError, PostHogClient
from tui.labels import visible
from tui.models import FileSystemEntry
from tui.ops.errors import ChangeRefused

# Entry ids are UUIDs; anything else typed is only ever a path.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Rows asked for when looking a path up: enough to tell one from several.
_LOOKUP_LIMIT = 10


@dataclass(frozen=True)
class Found:
    """What a path or id names: an entry, or a folder that has no row (``entry`` is
    ``None``: the top level, or a folder implied by the entries under it)."""

    path: str
    entry: FileSystemEntry | None

    @classmethod
    def of(cls, entry: FileSystemEntry) -> Found:
        """An entry already in hand (the app's tree holds its rows)."""
        return cls(entry.path, entry)

    @property
    def is_folder(self) -> bool:
        return self.entry is None or self.entry.is_folder

    @property
    def is_top(self) -> bool:
        return self.path == ""

    @property
    def takes_contents(self) -> bool:
        """Whether a delete takes everything below: a folder's does; a shortcut's (even a
        shortcut to a folder) takes only itself."""
        return self.is_folder and not (self.entry is not None and self.entry.shortcut)

    def describe(self) -> str:
        return visible(self.path) if self.path else "the top level"


async def lookup(client: PostHogClient, text: str, *, prefer_folder: bool = False) -> Found | None:
    """The entry ``text`` names, or ``None`` when there is none.

    ``prefer_folder``: when several rows share the path, a folder among them answers (the
    caller wants the folder, whose path is all that matters); otherwise several rows are an
    error that lists their ids.
    """
    path = paths.normalize(text)
    if not path:
        return Found("", None)
    page = await client.list_entries(path=path, limit=_LOOKUP_LIMIT)
    rows = page.results
    if len(rows) == 1:
        return Found(rows[0].path, rows[0])
    if rows:
        folders = [row for row in rows if row.is_folder]
        if prefer_folder and folders:
            return Found(folders[0].path, folders[0])
        ids = ", ".join(row.id for row in rows)
        raise ChangeRefused(
            f"{page.count} entries have the path {visible(path)} (ids {ids}): name one by its id"
        )
    if _UUID.fullmatch(text.strip()):
        try:
            entry = await client.get_entry(text.strip())
        except NotFoundError:
            pass
        else:
            return Found(entry.path, entry)
    below = await client.list_entries(parent=path, limit=1)
    if below.count:
        return Found(path, None)
    return None


async def require(client: PostHogClient, text: str, *, prefer_folder: bool = False) -> Found:
    """:func:`lookup`, but a missing entry is an error in words a user recognises."""
    found = await lookup(client, text, prefer_folder=prefer_folder)
    if found is None:
        raise ChangeRefused(f"Not found: nothing at {visible(paths.normalize(text) or text)}")
    return found


async def materialize(client: PostHogClient, found: Found) -> FileSystemEntry:
    """The entry of ``found``; an implied folder gets its row first, since move, link and
    delete act on an entry id (the server then takes everything under the path along)."""
    if found.entry is not None:
        return found.entry
    if found.is_top:
        raise ChangeRefused("the top level is not an entry: name the folders inside it")
    return await client.create_folder(found.path)


@dataclass(frozen=True)
class Destination:
    """Where ``mv``/``ln`` put things: into ``folder`` (each source keeps its name), or at
    exactly ``path`` (one source, renamed)."""

    folder: str | None = None
    path: str | None = None

    @classmethod
    def into(cls, folder: str) -> Destination:
        return cls(folder=folder)

    @property
    def folder_of_result(self) -> str:
        """The folder the sources end up in."""
        if self.folder is not None:
            return self.folder
        assert self.path is not None
        return paths.parent(self.path)

    def new_path(self, source: str) -> str:
        if self.folder is not None:
            return paths.child(self.folder, paths.basename(source))
        assert self.path is not None
        return self.path


async def destination(client: PostHogClient, text: str, sources: int) -> Destination:
    """As ``mv`` reads its last argument: into DEST if it is a folder (an existing one, or
    any path written with a trailing ``/``), else DEST is the new path of a single source."""
    found = await lookup(client, text, prefer_folder=True)
    if found is not None and found.is_folder:
        return Destination(folder=found.path)
    if found is not None:
        raise ChangeRefused(f"{found.describe()} exists and is not a folder")
    path = paths.normalize(text)
    if paths.ends_with_separator(text):
        return Destination(folder=path)
    if sources > 1:
        raise ChangeRefused(
            f"no folder {visible(path)}: several entries go into a folder"
            " (end the path with / to create it)"
        )
    return Destination(path=path)
