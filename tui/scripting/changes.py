"""Changing the tree: ``mkdir``, ``mv`` and ``ln``.

Each prints the entries it made or moved as a listing does, so a script can read them
back. Like ``mv`` and ``mkdir``, one source failing does not stop the others: each failure
is reported on stderr, and the exit code says that something failed.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from tui import paths
from tui.api import ApiError, PostHogClient
from tui.models import FileSystemEntry
from tui.scripting.errors import EXIT_FAILED, EXIT_OK, CommandError
from tui.scripting.output import EntryPrinter, Output, safe
from tui.scripting.resolve import Found, destination, lookup, materialize, require


class Failures:
    """Failures of single sources, each told at once in the server's words."""

    def __init__(self, out: Output, command: str) -> None:
        self.out = out
        self.command = command
        self.count = 0

    def add(self, what: str, error: ApiError | CommandError) -> None:
        self.count += 1
        self.out.note(f"hogtree {self.command}: {what}: {safe(str(error))}")

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.count else EXIT_OK


async def mkdir(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    printer = EntryPrinter(out)
    failures = Failures(out, "mkdir")
    for text in args.paths:
        path = paths.normalize(text)
        try:
            made = await _make_folder(client, path, parents=args.parents)
        except (ApiError, CommandError) as error:
            failures.add(safe(text), error)
            continue
        if made is not None:
            printer.add([made])
    printer.close()
    return failures.exit_code


async def _make_folder(
    client: PostHogClient, path: str, *, parents: bool
) -> FileSystemEntry | None:
    """The new folder; ``None`` when ``parents`` and it is there already (``mkdir -p``)."""
    if not path:
        raise CommandError("the top level exists already")
    found = await lookup(client, path, prefer_folder=True)
    if found is not None and found.entry is not None:
        if not found.is_folder:
            raise CommandError("an entry that is not a folder has this path")
        if parents:
            return None
        raise CommandError("the folder exists already")
    parent = paths.parent(path)
    if parent and not parents:
        above = await lookup(client, parent, prefer_folder=True)
        if above is None or not above.is_folder:
            raise CommandError(f"no folder {safe(parent)} (-p creates it)")
    # The server creates the missing ancestors itself (and an implied folder gets its row).
    return await client.create_folder(path)


Action = Callable[[str, str], Awaitable[FileSystemEntry]]


async def _relocate(
    client: PostHogClient, args: argparse.Namespace, out: Output, command: str, act: Action
) -> int:
    """``mv`` and ``ln``: every source resolved first (a typo changes nothing), then each
    moved or linked into the destination."""
    sources: list[Found] = [await require(client, text) for text in args.sources]
    where = await destination(client, args.destination, len(sources))
    printer = EntryPrinter(out)
    failures = Failures(out, command)
    for found in sources:
        new_path = where.new_path(found.path)
        if command == "mv" and new_path == found.path:
            out.note(f"hogtree mv: {found.describe()} is there already")
            continue
        try:
            entry = await materialize(client, found)
            printer.add([await act(entry.id, new_path)])
        except (ApiError, CommandError) as error:
            failures.add(found.describe(), error)
    printer.close()
    return failures.exit_code


async def mv(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    return await _relocate(client, args, out, "mv", client.move)


async def ln(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    return await _relocate(client, args, out, "ln", client.link)
