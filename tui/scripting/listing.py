"""Looking, changing nothing: ``ls``, ``find`` and ``count``."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from tui import paths
from tui.api import PostHogClient
from tui.labels import summarize_types
from tui.models import FileSystemEntry
from tui.ops import Found, require
from tui.scripting.output import EntryPrinter, Output

# Entries a listing asks for at once. A server that allows fewer (PostHog may clamp) is
# simply asked more often: offsets are counted from what came back.
LIST_PAGE_SIZE = 1000


def _type_filter(entry_type: str | None) -> dict[str, str]:
    """``--type insight`` is exact; ``--type hog_function/`` (a trailing slash) a prefix."""
    if not entry_type:
        return {}
    if entry_type.endswith("/"):
        return {"type__startswith": entry_type}
    return {"type": entry_type}


async def ls(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    found = await require(client, args.path or "", prefer_folder=True)
    printer = EntryPrinter(out, found.path)
    if not found.is_folder:
        # As ls does with a file: the entry itself.
        assert found.entry is not None
        printer.add([found.entry])
        printer.close()
        return 0
    filters: dict[str, Any] = _type_filter(args.type)
    if found.path:
        filters["parent"] = found.path
    if not args.recursive:
        # With depth, the server orders folders first, then by name: the tree's order.
        filters["depth"] = paths.depth(found.path) + 1
    async for page in client.iter_entries(page_size=LIST_PAGE_SIZE, **filters):
        printer.add(page.results)
    printer.close()
    if out.tty and printer.count == 0:
        out.note(f"{found.describe()} is empty")
    return 0


async def find(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    printer = EntryPrinter(out)
    async for page in client.iter_entries(
        page_size=LIST_PAGE_SIZE,
        search=args.query,
        search_name_only=args.name_only,
        **_type_filter(args.type),
    ):
        printer.add(page.results)
    printer.close()
    if out.tty and printer.count == 0:
        out.note("nothing found")
    return 0


async def _count(client: PostHogClient, found: Found) -> list[FileSystemEntry]:
    """Every entry ``found`` holds, at any depth (the top level: the whole project).

    The count endpoints list the first 200 only (``has_more``); a breakdown by type of the
    first 200 would mix with the total of all, so past 200 the listing is paged instead
    (``parent`` without ``depth`` is the same set the count endpoints count)."""
    if found.is_top:
        held: list[FileSystemEntry] = []
        async for page in client.iter_entries(page_size=LIST_PAGE_SIZE):
            held += page.results
        return held
    if found.entry is None:
        counted = await client.count_by_path(found.path)
    else:
        # An item too: the server says in its own words that only folders are counted.
        counted = await client.count(found.entry.id)
    if not counted.has_more and len(counted.entries) == counted.count:
        return list(counted.entries)
    held = []
    async for page in client.iter_entries(page_size=LIST_PAGE_SIZE, parent=found.path):
        held += page.results
    return held


async def count(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    found = await require(client, args.path, prefer_folder=True)
    entries = await _count(client, found)
    total = len(entries)
    if out.json:
        types = Counter(entry.type for entry in entries)
        out.json_line({"path": found.path, "count": total, "types": dict(types.most_common())})
    elif out.tty:
        line = f"{found.describe()}: {total:,} {'entry' if total == 1 else 'entries'}"
        if entries:
            line += f" — {summarize_types(entries)}"
        out.line(line)
    else:
        out.line(str(total))
    return 0
