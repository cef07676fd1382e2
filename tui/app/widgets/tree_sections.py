"""The lists above the project's folders, as PostHog's web tree has them: the user's
**Shortcuts** and **Recent** (entries by when the user last viewed them).

Each is one folded row at the top of the tree that loads when opened, like a folder; its
rows stand for tree entries but are not the tree's own rows (an entry is shown in a
section and in its folder), so they are rows of their own kinds here. Plain data and
labels, no widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual.widgets.tree import TreeNode

from tui import labels, paths
from tui.api import ErrorKind
from tui.models import FileSystemEntry
from tui.models.shortcuts import Shortcut

if TYPE_CHECKING:
    from tui.app.widgets.tree_rows import Row

SectionName = Literal["shortcuts", "recent"]

# Top to bottom, as PostHog's web tree orders them.
SECTIONS: tuple[SectionName, ...] = ("shortcuts", "recent")

_TITLES: dict[SectionName, str] = {"shortcuts": "Shortcuts", "recent": "Recent"}
_ICONS: dict[str, dict[SectionName, str]] = {
    "emoji": {"shortcuts": "⭐", "recent": "🕘"},
    "nerd": {"shortcuts": "\uf005", "recent": "\uf017"},  # nf-fa-star, nf-fa-clock_o
    "ascii": {"shortcuts": "*", "recent": "@"},
}

# How many recently viewed entries Recent asks for: PostHog's default page.
RECENT_LIMIT = 100


@dataclass(frozen=True)
class SectionRow:
    """The head of a section: opened, it lists the section's rows."""

    section: SectionName


@dataclass(frozen=True)
class PinnedRow:
    """One row of a section. ``entry`` is the tree entry it stands for (``None``: a
    shortcut whose entry the project no longer has); ``shortcut`` is set in Shortcuts."""

    section: SectionName
    name: str
    entry: FileSystemEntry | None
    shortcut: Shortcut | None = None
    viewed_at: datetime | None = None


@dataclass(frozen=True)
class SectionNote:
    """A section's row that is not an entry: "loading…", "empty" or a failure."""

    section: SectionName
    kind: str  # "loading" | "empty" | "failed"


@dataclass
class Section:
    """What the tree knows of one section."""

    name: SectionName
    node: TreeNode[Row]
    rows: list[PinnedRow] | None = None  # None until loaded
    loading: bool = False
    failure: ErrorKind | None = None  # how the last load failed, if it did
    # Bumped on every load, so that an older answer arriving late is dropped.
    generation: int = 0

    @property
    def title(self) -> str:
        return _TITLES[self.name]


def section_label(section: Section) -> Text:
    icon = _ICONS.get(labels.icon_set(), _ICONS["emoji"])[section.name]
    text = Text(f"{icon} ")
    text.append(section.title, style="bold italic")
    if section.rows is not None:
        text.append(f" {len(section.rows):,}", style="dim")
    return text


def pinned_label(row: PinnedRow) -> Text:
    """The entry's icon and name, then (dim) the folder it is in: a section mixes folders."""
    entry = row.entry
    if entry is None:
        kind = row.shortcut.type if row.shortcut is not None else ""
        label = Text(labels.icon(kind) + " ")
        label.append_text(labels.literal(row.name))
        label.append("  (not in the tree)", style="italic dim")
        return label
    label = labels.row_label(entry)
    where = paths.parent(entry.path)
    label.append("  " + (labels.visible(where) if where else "top level"), style="dim")
    return label


def note_label(note: SectionNote, section: Section | None) -> Text:
    if note.kind == "loading":
        return Text("loading…", style="italic dim")
    if note.kind == "empty":
        if note.section == "shortcuts":
            return Text("(none: S stars the entry under the cursor)", style="italic dim")
        return Text("(nothing viewed yet)", style="italic dim")
    if section is not None and section.failure in (ErrorKind.AUTH, ErrorKind.PERMISSION):
        return Text("⚠ could not load: not allowed (M shows why)", style="red")
    return Text("⚠ could not load: press R to retry", style="red")


def desired_children(section: Section) -> list[PinnedRow | SectionNote]:
    if section.rows is None:
        kind = "failed" if section.failure is not None and not section.loading else "loading"
        return [SectionNote(section.name, kind)]
    if not section.rows:
        return [SectionNote(section.name, "empty")]
    return list(section.rows)
