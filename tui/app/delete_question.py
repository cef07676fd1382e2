"""The delete confirmation's body, in the app's words, from the plan ``hogtree rm`` reads
too: what is named (a screenful of names, then "and 12 more"), how much is inside each
folder, which objects go with them. A lone shortcut's delete says just that: the shortcut
goes, the object it points at stays. Every name from the server is shown literally."""

from __future__ import annotations

from rich.text import Text

from tui import labels, ops, paths


def _kind(target: ops.Found) -> str:
    entry = target.entry
    return labels.type_name(entry.type) if entry is not None else "folder"


def _inside(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def delete_question(plan: ops.DeletePlan) -> Text:
    """What goes, for :class:`~tui.app.screens.confirm.ConfirmScreen`."""
    body = Text()
    shortcut = plan.lone_shortcut
    if shortcut is not None:
        body.append("The shortcut ")
        body.append_text(labels.literal(labels.entry_name(shortcut)))
        body.append(f" will be deleted; the {labels.type_name(shortcut.type)} it points at stays.")
        return body
    if len(plan.targets) == 1:
        target = plan.targets[0]
        body.append(f"{_kind(target).capitalize()} ")
        body.append_text(labels.literal(paths.basename(target.path) or target.path))
        body.append(" will be deleted")
        body.append(f", with the {plan.inside:,} entries inside it.\n" if plan.inside else ".\n")
    else:
        body.append(f"{len(plan.targets)} entries will be deleted")
        body.append(f", with {plan.inside:,} entries inside them:\n" if plan.inside else ":\n")
        _name_targets(body, plan)
    originals = plan.originals
    if originals:
        one = len(originals) == 1
        body.append(f"\nThis also deletes {labels.summarize_types(originals)}", style="bold")
        body.append(
            f" (the object{'' if one else 's'} {'itself' if one else 'themselves'}, unless "
            f"another entry still points at {'it' if one else 'them'}). "
            f"u brings {'it' if one else 'them'} back.\n"
        )
    elif plan.only_shortcuts:
        body.append("\nOnly shortcuts go: the objects they point at stay.\n")
    return body


def _name_targets(body: Text, plan: ops.DeletePlan) -> None:
    """One line per target named: icon, path, what is inside a folder, a shortcut's mark."""
    named, more = plan.named()
    for target, inside in named:
        entry = target.entry
        body.append(f"  {labels.icon(entry.type if entry is not None else 'folder')} ")
        body.append_text(labels.display_path(target.path))
        if target.takes_contents and inside:
            body.append(f" ({_inside(inside)} inside)", style="dim")
        if entry is not None and entry.shortcut:
            body.append(" (shortcut)", style="dim")
        body.append("\n")
    if more:
        body.append(f"  and {more:,} more\n", style="italic")
