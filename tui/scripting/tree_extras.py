"""What PostHog's web tree has beside the folders: ``shortcuts``, ``recent``, ``unfiled``
and ``projects``, over the same :mod:`tui.ops` the app uses."""

from __future__ import annotations

import argparse
from typing import Any

from tui.api import PostHogClient
from tui.ops import ChangeRefused, require
from tui.ops import shortcuts as shortcut_ops
from tui.ops import unfiled as unfiled_ops
from tui.ops.shortcuts import Starred
from tui.scripting.errors import EXIT_FAILED, EXIT_OK
from tui.scripting.output import EntryPrinter, Output, format_table, safe

SHORTCUT_HEADERS = ("TYPE", "NAME", "IN THE TREE")
PROJECT_HEADERS = ("", "ID", "NAME", "ORGANIZATION")


def _starred_json(star: Starred) -> dict[str, Any]:
    shortcut = star.shortcut
    return {
        "id": shortcut.id,
        "name": star.name,
        "type": shortcut.type,
        "ref": shortcut.ref,
        "href": shortcut.href,
        "order": shortcut.order,
        # The tree entry it stands for, null when the project holds none.
        "path": star.entry.path if star.entry is not None else None,
        "entry_id": star.entry.id if star.entry is not None else None,
    }


async def shortcuts(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    """``shortcuts`` lists them; ``shortcuts add PATH`` / ``shortcuts rm PATH`` change them."""
    if args.action == "list":
        return await _list_shortcuts(client, out)
    if not args.path:
        raise ChangeRefused(f"shortcuts {args.action} needs a PATH")
    found = await require(client, args.path)
    if found.entry is None:
        raise ChangeRefused(f"{found.describe()} has no entry of its own to star")
    entry = found.entry
    existing = await shortcut_ops.find(client, entry)
    if args.action == "add":
        if existing is not None:
            _said(out, "already in Shortcuts", found.describe(), existing.id)
            return EXIT_OK
        added = await shortcut_ops.add(client, entry)
        _said(out, "added to Shortcuts", found.describe(), added.id)
        return EXIT_OK
    if existing is None:
        out.note(f"hogtree shortcuts rm: {found.describe()} is not in Shortcuts")
        return EXIT_FAILED
    await shortcut_ops.remove(client, existing)
    _said(out, "removed from Shortcuts", found.describe(), existing.id)
    return EXIT_OK


def _said(out: Output, what: str, described: str, shortcut_id: str) -> None:
    if out.json:
        out.json_line({"id": shortcut_id, "entry": described, "result": what})
    else:
        out.note(f"{described}: {what}")


async def _list_shortcuts(client: PostHogClient, out: Output) -> int:
    stars = await shortcut_ops.starred(client)
    if out.json:
        for star in stars:
            out.json_line(_starred_json(star))
    elif out.tty:
        rows = [
            [
                safe(star.shortcut.type) or "-",
                safe(star.name),
                safe(star.entry.path) if star.entry is not None else "(not in the tree)",
            ]
            for star in stars
        ]
        out.lines(format_table(SHORTCUT_HEADERS, rows))
        if not stars:
            out.note("no shortcuts: hogtree shortcuts add PATH stars one")
    else:
        for star in stars:
            out.line(safe(star.entry.path if star.entry is not None else star.name))
    return EXIT_OK


async def recent(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    """The entries the user viewed last, newest first, as PostHog's Recents lists them."""
    entries = await client.recent(limit=args.limit)
    printer = EntryPrinter(out)
    printer.add(entries)
    printer.close()
    if out.tty and not entries:
        out.note("nothing viewed yet (PostHog records the views of its web app)")
    return EXIT_OK


async def unfiled(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    """File every object without an entry under ``Unfiled/``; prints how many."""
    filed = await unfiled_ops.file_unfiled(client, args.type)
    if out.json:
        out.json_line({"count": filed})
    elif out.tty:
        where = f" under {unfiled_ops.UNFILED_ROOT}/" if filed else ""
        out.line(f"filed {filed:,} object{'' if filed == 1 else 's'}{where}")
    else:
        out.line(str(filed))
    return EXIT_OK


async def projects(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    """The organisation's projects the key may open; the one in use is marked."""
    found = await client.accounts.projects()
    for project in found:
        current = project.id == client.project_id
        if out.json:
            out.json_line({**project.model_dump(mode="json"), "current": current})
        elif not out.tty:
            out.line(f"{project.id}\t{safe(project.name)}")
    if out.tty:
        rows = [
            [
                "*" if p.id == client.project_id else "",
                str(p.id),
                safe(p.name),
                safe(p.organization_name or ""),
            ]
            for p in found
        ]
        out.lines(format_table(PROJECT_HEADERS, rows))
    return EXIT_OK
