"""New folders: ``mkdir`` and ``mkdir -p``, as the app's ``n`` and the shell's ``mkdir``."""

from __future__ import annotations

from tui import paths
from tui.api import PostHogClient
from tui.labels import visible
from tui.models import FileSystemEntry
from tui.ops.errors import ChangeRefused
from tui.ops.resolve import lookup


async def make_folder(
    client: PostHogClient, path: str, *, parents: bool = False
) -> FileSystemEntry | None:
    """Create folder ``path`` (escaped, as the tree writes it) and answer it.

    Its parent must exist unless ``parents``; with ``parents`` a folder that is there
    already answers ``None`` (``mkdir -p``), without it that is refused. The server makes
    any missing ancestors itself (and gives an implied folder its row).
    """
    if not path:
        raise ChangeRefused("the top level exists already")
    found = await lookup(client, path, prefer_folder=True)
    if found is not None and found.entry is not None:
        if not found.is_folder:
            raise ChangeRefused("an entry that is not a folder has this path")
        if parents:
            return None
        raise ChangeRefused("the folder exists already")
    parent = paths.parent(path)
    if parent and not parents:
        above = await lookup(client, parent, prefer_folder=True)
        if above is None or not above.is_folder:
            raise ChangeRefused(f"no folder {visible(parent)} (-p creates it)")
    return await client.create_folder(path)
