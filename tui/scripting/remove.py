"""``rm``: delete entries, after saying what goes with them.

What goes comes from :func:`tui.ops.plan_delete`, the plan the app's confirmation shows
too: every entry inside the folders (all of it, not count's first 200) and the objects
among them ("deletes 3 insights, 1 dashboard"). Unless ``-y``, the answer is read from
stdin — a terminal's, or a pipe's (``echo y | hogtree rm …``); no answer is a no.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from tui import ops
from tui.api import PostHogClient
from tui.labels import summarize_types, type_name
from tui.models import DeletedObject
from tui.scripting.changes import Failures
from tui.scripting.errors import CommandError
from tui.scripting.output import Output, safe

YES = frozenset({"y", "yes"})


def describe(plan: ops.DeletePlan) -> list[str]:
    """The plan in words: what is named (a screenful, then "and 12 more"), how much is
    inside, which objects go; a lone shortcut: that it goes and its object stays."""
    shortcut = plan.lone_shortcut
    if shortcut is not None:
        return [
            f"Deletes shortcut {plan.targets[0].describe()}; the {type_name(shortcut.type)}"
            " it points at stays."
        ]
    lines: list[str] = []
    if len(plan.targets) == 1:
        target = plan.targets[0]
        entry = target.entry
        kind = type_name(entry.type) if entry is not None else "folder"
        first = f"Deletes {kind} {target.describe()}"
        first += f" and the {plan.inside:,} entries inside it." if plan.inside else "."
        lines.append(first)
    else:
        first = f"Deletes {len(plan.targets)} entries"
        first += f" and the {plan.inside:,} entries inside them:" if plan.inside else ":"
        lines.append(first)
        named, more = plan.named()
        for target, inside in named:
            line = f"  {target.describe()}"
            if target.takes_contents and inside:
                line += f" ({inside:,} {'entry' if inside == 1 else 'entries'} inside)"
            if target.entry is not None and target.entry.shortcut:
                line += " (shortcut)"
            lines.append(line)
        if more:
            lines.append(f"  and {more:,} more")
    originals = plan.originals
    if originals:
        them, themselves = (
            ("it", "object itself") if len(originals) == 1 else ("them", "objects themselves")
        )
        lines.append(
            f"This deletes {summarize_types(originals)} — the {themselves}, unless another"
            f" entry still points at {them}."
        )
    elif plan.only_shortcuts:
        lines.append("Only shortcuts go: the objects they point at stay.")
    return lines


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
    targets = [await ops.require(client, text) for text in args.paths]
    for target in targets:
        if target.is_top:
            raise CommandError("the top level cannot be deleted: name the entries inside it")
        if target.takes_contents and not args.recursive:
            raise CommandError(
                f"{target.describe()} is a folder: -r deletes it with everything inside"
            )
    if not args.yes:
        plan = await ops.plan_delete(client, targets)
        if not confirm(out, describe(plan), stdin):
            raise CommandError("not deleted (-y deletes without asking)")
    result = await ops.delete(client, targets)
    for done in result.done:
        if out.json:
            out.json_line(
                {
                    "id": done.entry.id,
                    "path": done.entry.path,
                    "deleted": [item.model_dump(mode="json") for item in done.objects],
                }
            )
        elif not out.tty:
            out.line(safe(done.entry.path))
    failures = Failures(out, "rm")
    failures.add_all(result)
    if out.tty:
        out.line(_summary(len(result.done), result.objects))
    return failures.exit_code


def _summary(done: int, deleted: list[DeletedObject]) -> str:
    text = f"Deleted {done} {'entry' if done == 1 else 'entries'}"
    if deleted:
        text += f" and with {'it' if done == 1 else 'them'} {summarize_types(deleted)}"
        if not all(item.can_undo for item in deleted):
            text += " (not all can be restored)"
    return text
