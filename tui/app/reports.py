"""What the app reports after a change: one summary per change, however many entries it
touched, with the first failure in the server's words; the folders to reload; the step
that undoes it; the entry to put the cursor on.

The changes themselves are :mod:`tui.ops`' (the shell commands make the same ones); this
module only words their results for the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui import labels, ops, paths
from tui.api import ApiError
from tui.app.errors import change_failure
from tui.models import FileSystemEntry


@dataclass(frozen=True)
class Report:
    """One line for the status line (``failed`` when something did not happen), and what
    the tree does next: reload ``touched`` (after a failure too: without an answer nobody
    knows whether it happened), offer ``undo``, put the cursor on ``reveal``."""

    text: str
    failed: bool = False
    touched: frozenset[str] = frozenset()
    undo: ops.Undo | None = None
    reveal: FileSystemEntry | None = None


def count_entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _where(folder: str) -> str:
    return labels.visible(folder) if folder else "the top level"


def _name(path: str) -> str:
    return labels.visible(paths.basename(path) or path)


def _failure(failure: ops.Failure) -> str:
    """``Revenue: <why>``: the source's name, then why, in the server's words."""
    why = change_failure(failure.error)
    return f"{_name(failure.source.path)}: {why}" if failure.source is not None else why


def _summary(done_text: str, failures: list[ops.Failure]) -> tuple[str, bool]:
    if not failures:
        return done_text, False
    return f"{done_text}; {_failure(failures[0])}", True


def _relocated(result: ops.ChangeResult, verb: str, destination: str) -> Report:
    """``Moved 3 entries to Reports`` / ``Linked 2 of 3 entries in Team; <why>``."""
    where = f"{'to' if verb == 'Moved' else 'in'} {_where(destination)}"
    done = len(result.done)
    if result.failures:
        text, failed = _summary(
            f"{verb} {done} of {result.attempted} entries {where}", result.failures
        )
    else:
        text, failed = f"{verb} {count_entries(done)} {where}", False
    return Report(text, failed, frozenset(result.touched), result.undo)


def moved(result: ops.ChangeResult, destination: str) -> Report:
    if result.attempted == 0:
        return Report(f"Already in {_where(destination)}", touched=frozenset(result.touched))
    return _relocated(result, "Moved", destination)


def renamed(result: ops.ChangeResult, old_path: str, new_name: str) -> Report:
    touched = frozenset(result.touched)
    if result.failures:
        why = change_failure(result.failures[0].error)
        return Report(f"Could not rename {_name(old_path)}: {why}", True, touched)
    text = f"Renamed {_name(old_path)} to {labels.visible(new_name)}"
    return Report(text, False, touched, result.undo, result.done[0].entry)


def linked(result: ops.ChangeResult, destination: str) -> Report:
    return _relocated(result, "Linked", destination)


def deleted(result: ops.DeleteResult, asked: int) -> Report:
    done = len(result.done)
    if result.failures:
        text, failed = _summary(f"Deleted {done} of {asked} entries", result.failures)
    else:
        text, failed = f"Deleted {count_entries(done)}", False
    objects = result.objects
    if objects:
        text += f" and {_plural(len(objects), 'object')} behind them"
        if result.undo is None:
            text += " (they cannot be restored)"
    return Report(text, failed, frozenset(result.touched), result.undo)


def created_folder(
    parent: str,
    name: str,
    made: FileSystemEntry | None = None,
    error: ApiError | ops.ChangeRefused | None = None,
) -> Report:
    if error is not None or made is None:
        why = change_failure(error) if error is not None else "it exists already"
        return Report(f"Could not create {labels.visible(name)}: {why}", True, frozenset({parent}))
    return Report(
        f"Created folder {labels.visible(name)}", touched=frozenset({parent}), reveal=made
    )


def undone(result: ops.UndoResult, step: ops.Undo) -> Report:
    touched = frozenset(result.touched)
    if isinstance(step, ops.Restore):
        if result.failures:
            why = change_failure(result.failures[0].error)
            return Report(f"Could not undo {step.description}: {why}", True, touched)
        return Report(f"Restored {_plural(result.done, 'object')}", touched=touched)
    if result.failures:
        text, _ = _summary(f"Undid {result.done} of {result.total} moves", result.failures)
        return Report(text, True, touched)
    text = f"Undid {step.description}"
    removed = result.removed_folders
    if removed:
        names = ", ".join(_name(folder) for folder in removed)
        text += (
            f" and removed the {'folder' if len(removed) == 1 else 'folders'} it created ({names})"
        )
    return Report(text, touched=touched)


def redone(result: ops.UndoResult, step: ops.Undo) -> Report:
    """``Redid: moved 3 entries to Reports``; the report's undo undoes the redo."""
    touched = frozenset(result.touched)
    if result.failures:
        text, _ = _summary(
            f"Redid {result.done} of {result.total}: {step.done_text}", result.failures
        )
        return Report(text, True, touched, result.undo)
    return Report(f"Redid: {step.done_text}", touched=touched, undo=result.undo)


def reloaded(folder: str, open_inside: int) -> str:
    """What ``R`` read again: "Reloaded Marketing (and 3 open folders inside)"."""
    inside = f" (and {_plural(open_inside, 'open folder')} inside)" if open_inside else ""
    return f"Reloaded {_where(folder)}{inside}"


def filed_unfiled(count: int) -> str:
    """What "File unfiled objects" did."""
    if count == 0:
        return "Nothing to file: every object has an entry in the tree"
    return f"Filed {count:,} unfiled object{'' if count == 1 else 's'} under Unfiled/"
