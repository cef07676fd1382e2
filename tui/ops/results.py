"""What a change answers: plain records, for the app and the shell commands to word.

A change touches several entries and does not stop at the first failure (as ``mv`` and
``rm`` do not): each source is done, left as it was, or failed, and the folders whose
listings changed are named so that a viewer reloads each once. A failed change names its
folders too: without an answer nobody knows whether it happened, and the tree must show
what the server holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tui.api import ApiError, PostHogClient
from tui.models import DeletedObject, FileSystemEntry
from tui.ops.errors import ChangeRefused, outcome_unknown
from tui.ops.resolve import Found


@dataclass(frozen=True)
class Failure:
    """One source the change could not act on, and why (in the server's words);
    ``source`` is ``None`` when the change was one request for all of them."""

    source: Found | None
    error: ApiError | ChangeRefused

    @property
    def reason(self) -> str:
        return self.error.message if isinstance(self.error, ApiError) else str(self.error)

    @property
    def outcome_unknown(self) -> bool:
        """The request went out and no answer came back: it may have happened anyway."""
        return outcome_unknown(self.error)


@dataclass(frozen=True)
class Changed:
    """One source acted on: ``before`` is the entry the change was sent for, ``entry`` what
    the server answered (the moved entry, the new shortcut)."""

    source: Found
    before: FileSystemEntry
    entry: FileSystemEntry


@dataclass(frozen=True)
class Deleted:
    """One source deleted, with the objects that went with it."""

    source: Found
    entry: FileSystemEntry
    objects: list[DeletedObject]


class Undo(Protocol):
    """A step that undoes a change, kept by whoever wants to offer it (the app's ``u``)."""

    @property
    def description(self) -> str:
        """What it undoes, e.g. ``the move of 3 entries``."""
        ...

    @property
    def done_text(self) -> str:
        """The change itself, as a redo reports it: ``moved 3 entries to Reports``."""
        ...

    async def run(self, client: PostHogClient) -> UndoResult:
        """Undo the change."""
        ...

    async def redo(self, client: PostHogClient) -> UndoResult:
        """Make the change again, after :meth:`run`; the answer's ``undo`` undoes that."""
        ...


@dataclass
class ChangeResult:
    """What a move, rename, link or new folder did."""

    done: list[Changed] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    unchanged: list[Found] = field(default_factory=list)  # already where they were asked to go
    touched: set[str] = field(default_factory=set)  # folders whose listing changed
    undo: Undo | None = None

    @property
    def attempted(self) -> int:
        """Sources the change was sent for (those already in place were not)."""
        return len(self.done) + len(self.failures)


@dataclass
class DeleteResult:
    """What a delete did."""

    done: list[Deleted] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    undo: Undo | None = None

    @property
    def objects(self) -> list[DeletedObject]:
        """Every object that went, over all the sources."""
        return [item for deleted in self.done for item in deleted.objects]

    @property
    def restorable(self) -> bool:
        return all(item.can_undo for item in self.objects)


@dataclass
class UndoResult:
    """What undoing (or redoing) a change did: ``done`` of ``total`` steps; the empty
    folders the undone move had created and that went with it; after a redo, the step that
    undoes it again."""

    done: int
    total: int
    failures: list[Failure] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    removed_folders: list[str] = field(default_factory=list)
    undo: Undo | None = None
