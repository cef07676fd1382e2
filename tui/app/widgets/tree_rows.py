"""The rows of the project tree and what the tree knows of each folder: plain data, no
widget. A folder's children are a :class:`FolderWindow` of pages; the rows stand for its
held entries (:class:`EntryRow`), the stretches between them (:class:`GapRow`), or a note
when there are none (:class:`NoteRow`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets.tree import TreeNode

from tui.api import ErrorKind
from tui.app.widgets.folder_window import FolderWindow
from tui.app.widgets.tree_sections import PinnedRow, SectionNote, SectionRow
from tui.models import FileSystemEntry

# PostHog's page size; also what its web UI asks for.
PAGE_SIZE = 100

# Failures that the same key cannot get past, however often it is retried.
KEY_TROUBLE = frozenset({ErrorKind.AUTH, ErrorKind.PERMISSION})


@dataclass(frozen=True)
class EntryRow:
    """A row standing for a real entry, at ``offset`` in its folder's listing."""

    entry: FileSystemEntry
    offset: int = 0


@dataclass(frozen=True)
class GapRow:
    """Entries ``[start, end)`` of ``folder`` that are not loaded; reached, they load."""

    folder: str
    start: int
    end: int


@dataclass(frozen=True)
class NoteRow:
    """A row that is not an entry: "loading…", "empty", or a failure to retry."""

    folder: str
    kind: str  # "loading" | "empty" | "failed"


# The project's rows, and the rows of the sections above it (Shortcuts, Recent).
Row = EntryRow | GapRow | NoteRow | SectionRow | PinnedRow | SectionNote

# What a row is, for matching the rows on screen with the rows a folder should show.
RowKey = tuple[str, ...]


def row_key(row: Row | None) -> RowKey:
    if isinstance(row, EntryRow):
        return ("entry", row.entry.id, row.entry.path)
    if isinstance(row, GapRow):
        return ("gap", str(row.start), str(row.end))
    if isinstance(row, NoteRow):
        return ("note", row.kind)
    if isinstance(row, SectionRow):
        return ("section", row.section)
    return ("none",)


@dataclass
class Folder:
    """What the tree knows of one folder's children on the server."""

    path: str
    node: TreeNode[Row]
    window: FolderWindow = field(default_factory=lambda: FolderWindow(PAGE_SIZE))
    # Bumped on reload, so that a page arriving for the old listing is dropped.
    generation: int = 0
    loading: set[int] = field(default_factory=set)  # pages on their way
    failed: bool = False  # the last request failed and nothing is held
    failure: ErrorKind | None = None  # how it failed: whether R can help
    reload_failed: bool = False  # the last reload failed (the rows shown are the old ones)
    name_filter: str | None = None  # ``f``: only the children whose names match
    # Set while no page is on its way: whoever needs this folder's rows waits on it.
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    @property
    def total(self) -> int | None:
        return self.window.total

    @property
    def busy(self) -> bool:
        return bool(self.loading)


@dataclass(frozen=True)
class Landing:
    """Where the cursor goes once a page arrives: ``offset`` of ``folder``."""

    folder: str
    offset: int


def entries(n: int) -> str:
    """ "1 entry", "2,500 entries"."""
    return f"{n:,} entr{'y' if n == 1 else 'ies'}"


def gap_label(row: GapRow, folder: Folder | None) -> Text:
    """ "… 2,500 entries …", or "… loading (2,500 entries) …" while a page of it is on its way."""
    loading = folder is not None and any(
        folder.window.page_of(row.start) <= page <= folder.window.page_of(row.end - 1)
        for page in folder.loading
    )
    size = entries(row.end - row.start)
    return Text(f"… loading ({size}) …" if loading else f"… {size} …", style="italic dim")


def note_label(row: NoteRow, folder: Folder | None) -> Text:
    if row.kind == "loading":
        return Text("loading…", style="italic dim")
    if row.kind == "empty":
        if folder is not None and folder.name_filter:
            return Text("(no name matches the filter)", style="italic dim")
        return Text("(empty)", style="italic dim")
    if folder is not None and folder.failure in KEY_TROUBLE:
        # The same key would be refused again: R is no help, the message says what is.
        why = "the API key was refused" if folder.failure is ErrorKind.AUTH else "not allowed"
        return Text(f"⚠ could not load: {why} (M shows why)", style="red")
    return Text("⚠ could not load: press R to retry", style="red")


def offset_of(row: Row | None) -> int | None:
    if isinstance(row, EntryRow):
        return row.offset
    if isinstance(row, GapRow):
        return row.start
    return None


def subtree(node: TreeNode[Row]) -> Iterator[TreeNode[Row]]:
    yield node
    for child in node.children:
        yield from subtree(child)
