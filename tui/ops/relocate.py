"""Moving, renaming and linking entries: the app's ``m``/``x p``/``r``/``L`` and the shell's
``mv``/``ln``.

A folder moves (or is linked) with everything it holds, in one request: the server
rewrites the subtree. A folder moved onto a folder of the same name merges into it, as
PostHog does; the server then answers the folder that was there, and there is no way back
for a merge. Sources that are implied folders (no row of their own) get their row first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, replace

from tui import paths
from tui.api import ApiError, PostHogClient
from tui.labels import visible
from tui.models import FileSystemEntry
from tui.ops.created_folders import missing_folders, remove_if_empty
from tui.ops.errors import ChangeRefused
from tui.ops.resolve import Destination, Found, materialize
from tui.ops.results import Changed, ChangeResult, Failure, UndoResult

Act = Callable[[str, str], Awaitable[FileSystemEntry]]


def _count(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


@dataclass(frozen=True)
class MoveBack:
    """Undoes moves and renames by moving each entry back where it was, last first, then
    removing the folders the move created (those empty by then)."""

    moves: tuple[tuple[str, str, str], ...]  # (entry id, old path, new path)
    description: str
    done_text: str = ""  # "moved 3 entries to Reports", for a redo's report
    created: tuple[str, ...] = ()  # folders the move created, deepest first

    async def run(self, client: PostHogClient) -> UndoResult:
        result = UndoResult(done=0, total=len(self.moves))
        for entry_id, old_path, new_path in reversed(self.moves):
            result.touched.update({paths.parent(old_path), paths.parent(new_path)})
            try:
                await client.move(entry_id, old_path)
            except ApiError as error:
                result.failures.append(Failure(Found(new_path, None), error))
                continue
            result.done += 1
        if self.created:
            result.removed_folders = await remove_if_empty(client, self.created)
            result.touched.update(paths.parent(folder) for folder in result.removed_folders)
        return result

    async def redo(self, client: PostHogClient) -> UndoResult:
        """The moves again, in their order; the folders they create this time are the
        ones the next undo removes."""
        result = UndoResult(done=0, total=len(self.moves))
        created = await missing_folders(client, {paths.parent(new) for _, _, new in self.moves})
        for entry_id, old_path, new_path in self.moves:
            result.touched.update({paths.parent(old_path), paths.parent(new_path)})
            try:
                await client.move(entry_id, new_path)
            except ApiError as error:
                result.failures.append(Failure(Found(old_path, None), error))
                continue
            result.done += 1
        result.touched.update(paths.parent(folder) for folder in created)
        if result.done:
            result.undo = replace(self, created=created)
        return result


async def _relocate(
    client: PostHogClient,
    sources: Sequence[Found],
    destination: Destination,
    act: Act,
    *,
    moving: bool,
) -> ChangeResult:
    result = ChangeResult()
    result.touched.add(destination.folder_of_result)
    for source in sources:
        new_path = destination.new_path(source.path)
        if moving and new_path == source.path:
            result.unchanged.append(source)
            continue
        if moving:
            result.touched.add(paths.parent(source.path))
        try:
            entry = await materialize(client, source)
            changed = await act(entry.id, new_path)
        except (ApiError, ChangeRefused) as error:
            result.failures.append(Failure(source, error))
            continue
        result.done.append(Changed(source, entry, changed))
    return result


async def move(
    client: PostHogClient,
    sources: Sequence[Found],
    destination: Destination,
    *,
    known_folders: Collection[str] = (),
) -> ChangeResult:
    """Move each source into the destination folder, or (one source) to its exact path.
    The undo step knows the folders the move created (the server makes missing ones);
    ``known_folders`` exist already, so no request asks whether they do."""
    created = await missing_folders(client, [destination.folder_of_result], known_folders)
    result = await _relocate(client, sources, destination, client.move, moving=True)
    # A merged folder's answer is the folder that was there: that move has no way back.
    moves = tuple(
        (done.entry.id, done.before.path, done.entry.path)
        for done in result.done
        if done.entry.id == done.before.id
    )
    if moves:
        if destination.path is not None:
            old, new = visible(paths.basename(moves[0][1])), visible(paths.basename(moves[0][2]))
            what, done_text = f"the rename of {old}", f"renamed {old} to {new}"
        else:
            where = visible(destination.folder_of_result) or "the top level"
            what, done_text = (
                f"the move of {_count(len(moves))}",
                f"moved {_count(len(moves))} to {where}",
            )
        result.undo = MoveBack(moves, what, done_text, created)
    return result


async def rename(client: PostHogClient, source: Found, new_name: str) -> ChangeResult:
    """Rename: a move to a sibling path (a folder takes its contents along). The entry's
    own folder is there: a rename creates no folder."""
    parent = paths.parent(source.path)
    new_path = paths.child(parent, new_name)
    return await move(client, [source], Destination(path=new_path), known_folders={parent})


async def link(
    client: PostHogClient, sources: Sequence[Found], destination: Destination
) -> ChangeResult:
    """Make a shortcut of each source (a folder: of all it holds) at the destination."""
    return await _relocate(client, sources, destination, client.link, moving=False)
