"""A folder's children as the tree holds them: a window of pages over the server's listing.

A folder of 100,000 entries is never copied: the pages around where the user is are held,
and every stretch between them is a :class:`Gap` that says how many entries it stands for.
Pages are aligned (page ``p`` holds offsets ``[p * size, (p + 1) * size)``), so that a page
asked for twice is the same page, and a jump can ask for the one page it lands on.

Pure bookkeeping, no Textual: the tree draws :meth:`FolderWindow.layout` as rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.models import FileSystemEntry


@dataclass(frozen=True)
class Gap:
    """Offsets ``[start, end)`` of the listing that are not held."""

    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Held:
    """An entry that is held, at ``offset`` in the listing."""

    entry: FileSystemEntry
    offset: int


@dataclass
class FolderWindow:
    """Which pages of one folder's listing are held, and the server's count of it."""

    page_size: int
    total: int | None = None  # the server's count, once a page said it
    pages: dict[int, list[FileSystemEntry]] = field(default_factory=dict)

    def page_of(self, offset: int) -> int:
        return offset // self.page_size

    def page_start(self, page: int) -> int:
        return page * self.page_size

    @property
    def last_page(self) -> int:
        """The page that holds the last entry (0 for an empty folder)."""
        return max(0, ((self.total or 0) - 1) // self.page_size)

    def has(self, page: int) -> bool:
        return page in self.pages

    def put(self, page: int, entries: list[FileSystemEntry], total: int) -> bool:
        """Hold ``page``. False when ``total`` differs from the count the held pages were
        read with: the folder changed meanwhile, and their offsets may be off (the caller
        lets them go)."""
        consistent = self.total is None or self.total == total or not self.pages
        self.total = total
        # An entry seen on another page (offsets shifted between two reads) shows once.
        others = {e.id for p, held in self.pages.items() if p != page for e in held}
        self.pages[page] = [entry for entry in entries if entry.id not in others]
        return consistent

    def keep_only(self, pages: Iterable[int]) -> None:
        kept = set(pages)
        for page in [p for p in self.pages if p not in kept]:
            del self.pages[page]

    def clear(self) -> None:
        self.pages.clear()
        self.total = None

    def far_pages(self, around: int, keep: int, pinned: set[int]) -> list[int]:
        """Held pages to let go so that at most ``keep`` stay: the farthest from page
        ``around`` first; ``pinned`` pages (an open subfolder, the cursor) always stay."""
        candidates = sorted(
            (p for p in self.pages if p not in pinned), key=lambda p: abs(p - around)
        )
        room = max(0, keep - sum(1 for p in self.pages if p in pinned))
        return candidates[room:]

    def layout(self) -> list[Held | Gap]:
        """Every held entry and every gap between them, in the listing's order."""
        rows: list[Held | Gap] = []
        total = self.total or 0
        position = 0
        for page in sorted(self.pages):
            start = self.page_start(page)
            if start >= total and page != 0:
                continue  # the folder shrank below this page: nothing of it is real
            if start > position:
                rows.append(Gap(position, min(start, total)))
            entries = self.pages[page]
            rows.extend(Held(entry, start + i) for i, entry in enumerate(entries))
            position = max(position, start + self.page_size, start + len(entries))
        if position < total:
            rows.append(Gap(position, total))
        return rows

    def entry_at(self, offset: int) -> FileSystemEntry | None:
        held = self.pages.get(self.page_of(offset))
        if held is None:
            return None
        index = offset - self.page_start(self.page_of(offset))
        return held[index] if 0 <= index < len(held) else None

    def offset_of(self, entry_id: str) -> int | None:
        for page, held in self.pages.items():
            for i, entry in enumerate(held):
                if entry.id == entry_id:
                    return self.page_start(page) + i
        return None

    @property
    def held_count(self) -> int:
        return sum(len(held) for held in self.pages.values())

    @property
    def empty(self) -> bool:
        return self.total == 0
