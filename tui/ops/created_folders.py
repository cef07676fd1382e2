"""The folders a move creates, and taking them away again when the move is undone.

A move into ``A/B/C`` where only ``A`` exists makes the server create ``B`` and ``C`` (rows
of their own). Undoing the move must leave the tree as it was, so the undo removes them,
but only those that the move created and that are empty once the entries went back: a
folder someone has put something in since stays.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from tui import paths
from tui.api import ApiError, PostHogClient
from tui.ops.errors import ChangeRefused
from tui.ops.resolve import lookup


async def missing_folders(
    client: PostHogClient, folders: Iterable[str], known: Collection[str] = ()
) -> tuple[str, ...]:
    """The folders among ``folders`` and their ancestors that are not there now (no row and
    nothing under them), deepest first: what a move into them would create. ``known`` are
    folders the caller has seen (the app's tree): no request is spent on them or above."""
    missing: list[str] = []
    seen: set[str] = set()
    for folder in folders:
        path = folder
        while path and path not in seen and path not in known:
            seen.add(path)
            try:
                found = await lookup(client, path, prefer_folder=True)
            except ChangeRefused:
                found = None  # several rows, none a folder: something is there
                break
            if found is not None:
                break
            missing.append(path)
            path = paths.parent(path)
    return tuple(sorted(missing, key=lambda p: -paths.depth(p)))


async def remove_if_empty(client: PostHogClient, folders: Iterable[str]) -> list[str]:
    """Delete each folder of ``folders`` (deepest first) that is an empty folder now;
    answers those removed. One that cannot be read or removed stays: the undo itself is
    done, and an empty folder left behind is no harm."""
    removed: list[str] = []
    for path in sorted(folders, key=lambda p: -paths.depth(p)):
        try:
            found = await lookup(client, path, prefer_folder=True)
            if found is None or found.entry is None or not found.is_folder:
                continue
            if (await client.count(found.entry.id)).count:
                continue
            await client.delete_entry(found.entry.id)
        except (ApiError, ChangeRefused):
            continue
        removed.append(path)
    return removed
