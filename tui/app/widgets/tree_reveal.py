"""Where an entry sits in the tree: the folders on the way down to it, and its offset in
each folder's listing, read with as few requests as the API allows (all folders at once).
The tree then holds the pages found and puts the cursor on the entry."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from tui import paths
from tui.api import PostHogClient, locate_in_folder
from tui.app.widgets.tree_rows import PAGE_SIZE, Folder
from tui.models import FileSystemEntry, FileSystemPage


async def entries_on_the_way(
    client: PostHogClient, entry: FileSystemEntry, known: Mapping[str, FileSystemEntry]
) -> list[FileSystemEntry] | None:
    """The folders from the top down to ``entry``'s, then ``entry``: from ``known`` (the
    folders the tree holds, by path) where it can, else asked by path, all at once. None
    when one of them is gone."""
    segments = paths.split(entry.path)
    wanted = [paths.join(segments[:depth]) for depth in range(1, len(segments))]
    found = {path: known[path] for path in wanted if path in known}
    missing = [path for path in wanted if path not in found]
    answers = await asyncio.gather(
        *(client.list_entries(path=path, type="folder", limit=1) for path in missing)
    )
    for path, answer in zip(missing, answers, strict=True):
        if not answer.results:
            return None
        found[path] = answer.results[0]
    return [*(found[path] for path in wanted), entry]


async def locate_child(
    client: PostHogClient,
    folder: Folder | None,
    parent: str,
    child: FileSystemEntry,
    order_by: str | None,
) -> tuple[int | None, FileSystemPage | None]:
    """Where ``child`` sits in ``parent``'s listing (in ``order_by``), and the page to hold
    for it: None when ``folder`` (what the tree holds of ``parent``) has it already. The
    first page the tree holds saves the bisection a request."""
    if folder is not None:
        held = folder.window.offset_of(child.id)
        if held is not None:
            return held, None
    first: FileSystemPage | None = None
    if folder is not None and folder.window.has(0) and folder.total is not None:
        first = FileSystemPage(count=folder.total, results=folder.window.pages[0])
    found = await locate_in_folder(
        client, parent, child, page_size=PAGE_SIZE, order_by=order_by, first_page=first
    )
    if found is None:
        return None, None
    return found.offset + found.index, found.page
