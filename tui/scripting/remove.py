"""``rm``: delete entries, after saying what goes with them.

Deleting the last entry of an insight, dashboard, flag … deletes the object itself, so the
question names those objects ("deletes 3 insights, 1 dashboard"), counted over everything
inside the folders (all of it, not count's first 200). Unless ``-y``, the answer is read
from stdin — a terminal's, or a pipe's (``echo y | hogtree rm …``); no answer is a no.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from tui.api import ApiError, PostHogClient
from tui.labels import summarize_types, type_name
from tui.models import DeletedObject, FileSystemEntry
from tui.scripting.errors import EXIT_FAILED, EXIT_OK, CommandError
from tui.scripting.listing import LIST_PAGE_SIZE
from tui.scripting.output import Output, safe
from tui.scripting.resolve import Found, materialize, require

YES = frozenset({"y", "yes"})


@dataclass
class Plan:
    """What a delete takes: the entries named, those inside them, and the objects."""

    targets: list[Found]
    inside: int = 0
    items: list[FileSystemEntry] = field(default_factory=list)

    @property
    def originals(self) -> list[FileSystemEntry]:
        """Entries that are not shortcuts: deleting the last one deletes its object."""
        return [item for item in self.items if not item.shortcut]

    def describe(self) -> list[str]:
        if len(self.targets) == 1:
            target = self.targets[0]
            entry = target.entry
            kind = type_name(entry.type) if entry is not None else "folder"
            if entry is not None and entry.shortcut:
                kind += " shortcut"
            first = f"Deletes {kind} {target.describe()}"
            first += f" and the {self.inside:,} entries inside it." if self.inside else "."
        else:
            first = f"Deletes {len(self.targets)} entries"
            first += f" and the {self.inside:,} entries inside them." if self.inside else "."
        lines = [first]
        originals = self.originals
        if originals:
            them, themselves = (
                ("it", "object itself") if len(originals) == 1 else ("them", "objects themselves")
            )
            lines.append(
                f"This deletes {summarize_types(originals)} — the {themselves}, unless another"
                f" entry still points at {them}."
            )
        elif self.items:
            lines.append("Only shortcuts go: the objects they point at stay.")
        return lines


def _takes_contents(target: Found) -> bool:
    """A folder's delete takes all it holds; a shortcut's (even to a folder) only itself."""
    return target.is_folder and not (target.entry is not None and target.entry.shortcut)


async def _plan(client: PostHogClient, targets: list[Found]) -> Plan:
    plan = Plan(targets)
    for target in targets:
        if not _takes_contents(target):
            assert target.entry is not None
            plan.items.append(target.entry)
            continue
        async for page in client.iter_entries(page_size=LIST_PAGE_SIZE, parent=target.path):
            plan.inside += len(page.results)
            plan.items += [entry for entry in page.results if not entry.is_folder]
    return plan


def confirm(out: Output, lines: Sequence[str], stdin: TextIO) -> bool:
    for line in lines:
        out.note(line)
    out.err.write("Delete? [y/N] ")
    out.err.flush()
    answer = stdin.readline()
    if not stdin.isatty():
        out.note("")  # a terminal echoed the answer and its newline; a pipe did not
    return answer.strip().lower() in YES


async def rm(client: PostHogClient, args: argparse.Namespace, out: Output, stdin: TextIO) -> int:
    targets = [await require(client, text) for text in args.paths]
    for target in targets:
        if target.is_top:
            raise CommandError("the top level cannot be deleted: name the entries inside it")
        if _takes_contents(target) and not args.recursive:
            raise CommandError(
                f"{target.describe()} is a folder: -r deletes it with everything inside"
            )
    if not args.yes:
        plan = await _plan(client, targets)
        if not confirm(out, plan.describe(), stdin):
            raise CommandError("not deleted (-y deletes without asking)")
    deleted: list[DeletedObject] = []
    failed = 0
    for target in targets:
        try:
            entry = await materialize(client, target)
            result = await client.delete_entry(entry.id)
        except ApiError as error:
            failed += 1
            out.note(f"hogtree rm: {target.describe()}: {safe(error.message)}")
            continue
        deleted += result.deleted
        if out.json:
            out.json_line(
                {
                    "id": entry.id,
                    "path": entry.path,
                    "deleted": [item.model_dump(mode="json") for item in result.deleted],
                }
            )
        elif not out.tty:
            out.line(safe(entry.path))
    if out.tty:
        out.line(_summary(len(targets) - failed, deleted))
    return EXIT_FAILED if failed else EXIT_OK


def _summary(done: int, deleted: list[DeletedObject]) -> str:
    text = f"Deleted {done} {'entry' if done == 1 else 'entries'}"
    if deleted:
        text += f" and with {'it' if done == 1 else 'them'} {summarize_types(deleted)}"
        if not all(item.can_undo for item in deleted):
            text += " (not all can be restored)"
    return text
