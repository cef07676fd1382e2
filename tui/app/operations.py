"""What the app's changes do on the server, and how each is undone. No widgets here.

Each operation returns an :class:`Outcome`: one summary for the user (however many entries
it touched), the failures in the server's own words, the folders whose listing changed
(each reloaded once), and the step that undoes it. A failed change reloads its folders
too: without an answer nobody knows whether it happened, and the tree must show the truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui import labels, paths
from tui.api import ApiError, PostHogClient
from tui.app.errors import change_failure
from tui.models import DeletedObject, FileSystemEntry


class Undo(Protocol):
    description: str

    async def run(self, client: PostHogClient) -> Outcome: ...


@dataclass
class Outcome:
    message: str
    errors: list[str] = field(default_factory=list)
    reload: set[str] = field(default_factory=set)
    undo: Undo | None = None
    created: FileSystemEntry | None = None  # the entry to put the cursor on, if any


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _name(entry: FileSystemEntry) -> str:
    return labels.visible(labels.entry_name(entry))


def _where(folder: str) -> str:
    return labels.visible(folder) if folder else "the top level"


def _failure(entry: FileSystemEntry, error: ApiError) -> str:
    return f"{_name(entry)}: {change_failure(error)}"


def count_entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


# ---------------------------------------------------------------------------- moves


@dataclass
class MoveBack:
    """Undo moves and renames by moving each entry back where it was."""

    moves: list[tuple[str, str, str]]  # (entry id, old path, new path)
    description: str

    async def run(self, client: PostHogClient) -> Outcome:
        errors: list[str] = []
        reload: set[str] = set()
        done = 0
        for entry_id, old_path, new_path in reversed(self.moves):
            reload.update({paths.parent(old_path), paths.parent(new_path)})
            try:
                await client.move(entry_id, old_path)
            except ApiError as error:
                errors.append(
                    f"{labels.visible(paths.basename(new_path))}: {change_failure(error)}"
                )
                continue
            done += 1
        message = f"Undid {self.description}"
        if errors:
            message = f"Undid {done} of {len(self.moves)} moves; {errors[0]}"
        return Outcome(message, errors, reload)


async def move_entries(
    client: PostHogClient, entries: Sequence[FileSystemEntry], destination: str
) -> Outcome:
    """Move each entry into folder ``destination`` (an escaped path; "" is the top)."""
    moves: list[tuple[str, str, str]] = []
    errors: list[str] = []
    reload = {destination}
    skipped = 0
    for entry in entries:
        new_path = paths.child(destination, paths.basename(entry.path))
        if new_path == entry.path:
            skipped += 1
            continue
        reload.add(paths.parent(entry.path))
        try:
            moved = await client.move(entry.id, new_path)
        except ApiError as error:
            errors.append(_failure(entry, error))
            continue
        # A folder moved onto an existing one merges into it: there is no "back" for that.
        if moved.id == entry.id:
            moves.append((entry.id, entry.path, new_path))
    done = len(entries) - skipped - len(errors)
    where = f"to {_where(destination)}"
    if done == 0 and not errors:
        return Outcome(f"Already in {_where(destination)}")
    message = (
        f"Moved {count_entries(done)} {where}"
        if not errors
        else f"Moved {done} of {len(entries) - skipped} entries {where}; {errors[0]}"
    )
    undo = MoveBack(moves, f"the move of {count_entries(len(moves))}") if moves else None
    return Outcome(message, errors, reload, undo)


async def rename_entry(client: PostHogClient, entry: FileSystemEntry, new_name: str) -> Outcome:
    """Rename: a move to a sibling path (folders take their contents along)."""
    folder = paths.parent(entry.path)
    new_path = paths.child(folder, new_name)
    try:
        renamed = await client.move(entry.id, new_path)
    except ApiError as error:
        return Outcome(f"Could not rename {_name(entry)}", [change_failure(error)], {folder})
    undo = None
    if renamed.id == entry.id:
        undo = MoveBack([(entry.id, entry.path, new_path)], f"the rename of {_name(entry)}")
    return Outcome(
        f"Renamed {_name(entry)} to {labels.visible(new_name)}",
        reload={folder},
        undo=undo,
        created=renamed,
    )


# ---------------------------------------------------------------------------- links


async def link_entries(
    client: PostHogClient, entries: Sequence[FileSystemEntry], destination: str
) -> Outcome:
    """Create a shortcut of each entry (a folder: of all it holds) inside ``destination``."""
    errors: list[str] = []
    for entry in entries:
        try:
            await client.link(entry.id, paths.child(destination, paths.basename(entry.path)))
        except ApiError as error:
            errors.append(_failure(entry, error))
    done = len(entries) - len(errors)
    where = f"in {_where(destination)}"
    message = (
        f"Linked {count_entries(done)} {where}"
        if not errors
        else f"Linked {done} of {len(entries)} entries {where}; {errors[0]}"
    )
    return Outcome(message, errors, {destination})


# ---------------------------------------------------------------------------- delete


@dataclass
class Restore:
    """Undo a delete: PostHog's ``undo_delete`` brings the objects and their entries back."""

    items: list[DeletedObject]
    description: str

    async def run(self, client: PostHogClient) -> Outcome:
        reload = {paths.parent(item.path or "") for item in self.items}
        try:
            result = await client.undo_delete(self.items)
        except ApiError as error:
            return Outcome(f"Could not undo {self.description}", [change_failure(error)], reload)
        return Outcome(f"Restored {_plural(len(result.undone), 'object')}", reload=reload)


async def delete_entries(client: PostHogClient, entries: Sequence[FileSystemEntry]) -> Outcome:
    errors: list[str] = []
    deleted_objects: list[DeletedObject] = []
    reload: set[str] = set()
    for entry in entries:
        reload.add(paths.parent(entry.path))
        try:
            result = await client.delete_entry(entry.id)
        except ApiError as error:
            errors.append(_failure(entry, error))
            continue
        deleted_objects.extend(result.deleted)
    done = len(entries) - len(errors)
    message = (
        f"Deleted {count_entries(done)}"
        if not errors
        else (f"Deleted {done} of {len(entries)} entries; {errors[0]}")
    )
    if deleted_objects:
        message += f" and {_plural(len(deleted_objects), 'object')} behind them"
    restorable = [item for item in deleted_objects if item.can_undo and item.ref]
    undo = Restore(restorable, f"the delete of {count_entries(done)}") if restorable else None
    if deleted_objects and not restorable:
        message += " (they cannot be restored)"
    return Outcome(message, errors, reload, undo)


# ---------------------------------------------------------------------------- folders


async def create_folder(client: PostHogClient, parent: str, name: str) -> Outcome:
    path = paths.child(parent, name)
    try:
        folder = await client.create_folder(path)
    except ApiError as error:
        return Outcome(
            f"Could not create {labels.visible(name)}", [change_failure(error)], {parent}
        )
    return Outcome(f"Created folder {labels.visible(name)}", reload={parent}, created=folder)
