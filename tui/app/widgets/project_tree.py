"""The project tree: every folder is a window over the server's listing, loaded off the UI path.

A folder's children are asked for a page at a time (``parent`` + ``depth``, folders first,
as PostHog's own UI asks). The tree holds the pages around where the user is; every
stretch between them is one row that says how many entries it stands for ("… 49,900
entries …") and loads when the cursor reaches it. A jump (search, ``G``, the palette)
loads the page it lands on, not the pages before it, and pages far from the cursor are let
go, so a folder of 100,000 entries costs what a folder of a few hundred does.

After any change the cursor stays where the user was: on the same entry if it is still
there, else on the row that took its place; the panes follow the cursor.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui import labels, paths
from tui.api import ApiError, PostHogClient
from tui.app.status import StatusBoard, Work
from tui.app.widgets.folder_window import Held
from tui.app.widgets.tree_reveal import entries_on_the_way, locate_child
from tui.app.widgets.tree_rows import (
    PAGE_SIZE,
    EntryRow,
    Folder,
    GapRow,
    Landing,
    NoteRow,
    Row,
    gap_label,
    note_label,
    offset_of,
    row_key,
    subtree,
)
from tui.app.widgets.tree_sections import (
    RECENT_LIMIT,
    SECTIONS,
    PinnedRow,
    Section,
    SectionName,
    SectionNote,
    SectionRow,
    desired_children,
    pinned_label,
    section_label,
)
from tui.app.widgets.tree_sections import note_label as section_note_label
from tui.models import FileSystemEntry, FileSystemPage
from tui.ops.shortcuts import starred

# Pages held per folder: a few screens either side of the cursor scroll without a request;
# beyond that a big folder would grow the app by every page the user ever passed.
KEEP_PAGES = 6

# A stretch not yet loaded this close ahead of the cursor (in the way it moves) starts
# loading before it is reached, so that holding ↓ rarely meets a "loading…" row.
PREFETCH_ROWS = 40

# Beside a marked entry's icon.
MARK = "●"
MARK_STYLE = "bold yellow"
# Beside a cut entry's icon (cut with x, waiting for p); the whole row is dimmed.
CUT_MARK = "✂"
CUT_STYLE = "dim"

# The orders ``s`` cycles through: (PostHog's ``order_by``, the words in the tree's title).
SORTS: tuple[tuple[str | None, str], ...] = (
    (None, "by name"),
    ("-created_at", "newest first"),
    ("created_at", "oldest first"),
)


class ProjectTree(Tree[Row]):
    """The project's file system as a windowed, lazily loaded tree, with marks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("l,right", "expand_or_show", "Open", show=False, id="expand"),
        Binding("h,left", "collapse_or_parent", "Fold", show=False, id="collapse"),
        Binding("enter", "expand_or_show", "Open", show=False, id="select"),
        Binding("home", "scroll_home", "First", show=False, id="first"),
        Binding("G,end", "scroll_end", "Last", show=False, id="last"),
        Binding("g", "vim_g", "g g: first", show=False, id="vim_g"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("space", "toggle_mark", "Mark", id="mark"),
        # One key puts away what the user set aside, most recent kind first: marks and
        # the cut, then (pressed again) the name filter.
        Binding("escape", "clear", "Clear marks, cut, filter", show=False, id="clear"),
        # Tree's own keys, given ids so that ? names them and [keys] can remap them.
        Binding("shift+left", "cursor_parent", "Cursor to parent", show=False, id="parent"),
        Binding(
            "shift+right",
            "cursor_parent_next_sibling",
            "Cursor to next ancestor",
            show=False,
            id="next_ancestor",
        ),
        Binding(
            "shift+up",
            "cursor_previous_sibling",
            "Cursor to previous sibling",
            show=False,
            id="previous_sibling",
        ),
        Binding(
            "shift+down",
            "cursor_next_sibling",
            "Cursor to next sibling",
            show=False,
            id="next_sibling",
        ),
        Binding(
            "shift+space",
            "toggle_expand_all",
            "Expand or collapse all",
            show=False,
            id="expand_all",
        ),
        Binding("ctrl+pageup", "page_left", "Page left", show=False, id="page_left"),
        Binding("ctrl+pagedown", "page_right", "Page right", show=False, id="page_right"),
    ]
    HELP_TITLE: ClassVar[str] = "tree"

    class EntryHighlighted(Message):
        """The cursor moved to ``entry`` (``None``: to a row that is not an entry)."""

        def __init__(self, entry: FileSystemEntry | None) -> None:
            super().__init__()
            self.entry = entry

    class EntryOpened(Message):
        """The user opened an item (not a folder): show it."""

        def __init__(self, entry: FileSystemEntry) -> None:
            super().__init__()
            self.entry = entry

    class PinnedOpened(Message):
        """The user opened a row of Shortcuts or Recent: go to its entry in the tree."""

        def __init__(self, entry: FileSystemEntry) -> None:
            super().__init__()
            self.entry = entry

    class SectionLoadFailed(Message):
        def __init__(self, title: str, error: ApiError) -> None:
            super().__init__()
            self.title = title
            self.error = error

    class LoadFailed(Message):
        def __init__(self, folder: str, error: ApiError) -> None:
            super().__init__()
            self.folder = folder
            self.error = error

    class MarksChanged(Message):
        """Entries were marked or unmarked: ``count`` are marked now."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class CutChanged(Message):
        """Entries were cut (or the cut put away or pasted): ``count`` are cut now."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, id: str | None = None, sections: bool = True) -> None:
        super().__init__("project", data=None, id=id)
        # Shortcuts and Recent above the project's folders (off: the project alone).
        self.show_sections = sections
        self.sections: dict[SectionName, Section] = {}
        self.show_root = False
        self.auto_expand = False  # enter is ours: expand a folder, open an item
        self.guide_depth = 3
        self.client: PostHogClient | None = None
        # Until the app's board comes with the client, one nobody shows.
        self.status = StatusBoard()
        self.folders: dict[str, Folder] = {}
        self.marks: dict[str, FileSystemEntry] = {}
        # Cut with x, waiting for p, by id: drawn at render time, so a row let go and read
        # again (another page, a reload, a fold) is shown cut again.
        self.cut: dict[str, FileSystemEntry] = {}
        self.order_by: str | None = None  # ``s``: PostHog's order_by, None = by name
        self._entry_nodes: dict[str, TreeNode[Row]] = {}
        # Folders with a page on its way, and the one work on the status line that says so.
        self._in_flight: Counter[str] = Counter()
        self._loading_work: Work | None = None
        self._g_pending = False
        self._landing: Landing | None = None
        # How the next gap reached is entered, whatever way the cursor moved to it: from its
        # end (G) or its start (home). None: the way the cursor moved says.
        self._approach: bool | None = None  # True: from below
        self._last_node: TreeNode[Row] | None = None  # the row the cursor was last on
        self._announced: tuple[FileSystemEntry | None] | None = None  # last EntryHighlighted
        # Keys pressed before the first page: they run once it is shown.
        self._waiting_for_top: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ labels

    def process_label(self, label: str | Text) -> Text:
        # Never parse a label as markup: names come from the server.
        text = Text(label) if isinstance(label, str) else label
        return text

    def render_label(self, node: TreeNode[Row], base_style: Style, style: Style) -> Text:
        """Two cells before every icon, so that icons line up: a folder's ▶/▼ and a space,
        an item's two spaces; a mark ● takes the second cell, else a cut ✂ (a cut row is
        dimmed as a whole)."""
        text = super().render_label(node, base_style, style)
        data = node.data
        entry_id = None
        if isinstance(data, EntryRow | PinnedRow) and data.entry is not None:
            entry_id = data.entry.id
        marked = entry_id is not None and entry_id in self.marks
        cut = entry_id is not None and entry_id in self.cut
        if marked:
            mark = Text(MARK, style=MARK_STYLE)
        elif cut:
            mark = Text(CUT_MARK, style=CUT_STYLE)
        else:
            mark = Text(" ")
        if node.allow_expand:
            row = Text.assemble(text[:1], mark, text[len(self.ICON_NODE) :])
        else:
            row = Text.assemble(" ", mark, text)
        if cut:
            row.stylize(CUT_STYLE)
        return row

    def get_label_width(self, node: TreeNode[Row]) -> int:
        """Fast path: Tree measures every row each time it lays itself out (for its scroll
        width) by rendering the row's label in full; with thousands of rows loaded, that
        was most of the cost of showing one more page. Every row is two cells (▶/▼ or a
        space, then the mark) before its label, as :meth:`render_label` draws it."""
        label = node.label
        return 2 + (label.cell_len if isinstance(label, Text) else cell_len(label))

    def _row_label(self, row: Row) -> Text:
        if isinstance(row, EntryRow):
            return labels.row_label(row.entry)
        if isinstance(row, SectionRow):
            return section_label(self.sections[row.section])
        if isinstance(row, PinnedRow):
            return pinned_label(row)
        if isinstance(row, SectionNote):
            return section_note_label(row, self.sections.get(row.section))
        folder = self.folders.get(row.folder)
        return gap_label(row, folder) if isinstance(row, GapRow) else note_label(row, folder)

    def title(self) -> str:
        """The tree's title: its order, and the folders narrowed by ``f``."""
        words = ["Project", dict(SORTS)[self.order_by]]
        narrowed = [f for f in self.folders.values() if f.name_filter]
        for folder in narrowed[:1]:
            where = labels.visible(paths.basename(folder.path)) or "top level"
            words.append(f"{where} ∋ {labels.visible(folder.name_filter or '')}")
        return " · ".join(words)

    def _show_title(self) -> None:
        self.border_title = self.title()

    # ------------------------------------------------------------------ queries

    @property
    def cursor_entry(self) -> FileSystemEntry | None:
        """The entry under the cursor: a folder's row, or a row of Shortcuts or Recent
        standing for an entry (what the panes show and the changes act on)."""
        node = self.cursor_node
        if node is not None and isinstance(node.data, EntryRow | PinnedRow):
            return node.data.entry
        return None

    @property
    def cursor_pinned(self) -> PinnedRow | None:
        """The row of Shortcuts or Recent under the cursor, if it is one."""
        node = self.cursor_node
        return node.data if node is not None and isinstance(node.data, PinnedRow) else None

    def section_of_cursor(self) -> SectionName | None:
        """The section the cursor is in (its head, or one of its rows), if any."""
        node = self.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, SectionRow | PinnedRow | SectionNote):
            return data.section
        return None

    def folder_of_cursor(self) -> str:
        """The folder the cursor is in or on: a folder itself, else the item's parent."""
        entry = self.cursor_entry
        if entry is None:
            node = self.cursor_node
            if node is not None and isinstance(node.data, GapRow | NoteRow):
                return node.data.folder
            return ""
        return entry.path if entry.is_folder else paths.parent(entry.path)

    def folder_to_reload(self) -> str:
        """The folder R reloads: the open folder under the cursor, else the one holding it."""
        entry = self.cursor_entry
        if entry is not None and entry.is_folder and entry.path in self.folders:
            node = self._entry_nodes.get(entry.id)
            if node is not None and node.is_expanded:
                return entry.path
        if entry is not None:
            return paths.parent(entry.path)
        return self.folder_of_cursor()

    def known_folders(self) -> set[str]:
        """The folders the tree has seen on the server: those it has listed, and every
        folder row it holds (a move into one of them creates no folder)."""
        known = set(self.folders)
        for node in self._entry_nodes.values():
            data = node.data
            if isinstance(data, EntryRow) and data.entry.is_folder and not data.entry.shortcut:
                known.add(data.entry.path)
        return known

    def selection(self) -> list[FileSystemEntry]:
        """The marked entries, or else the one under the cursor."""
        if self.marks:
            return list(self.marks.values())
        entry = self.cursor_entry
        return [entry] if entry is not None else []

    def _folder_holding(self, node: TreeNode[Row]) -> Folder | None:
        parent = node.parent
        if parent is None:
            return None
        if parent is self.root:
            return self.folders.get("")
        data = parent.data
        if isinstance(data, EntryRow):
            folder = self.folders.get(data.entry.path)
            if folder is not None and folder.node is parent:
                return folder
        return None

    # ------------------------------------------------------------------ the cursor

    def _place_cursor(self, node: TreeNode[Row], *, center: bool = False) -> None:
        """Move the cursor to ``node`` even if it was added a moment ago: Textual gives a
        node its line when it next lays the tree out, so lay it out now."""
        _ = self._tree_lines  # rebuilds the line index if nodes were added or removed
        self.move_cursor(node, animate=False)
        if center:
            region = self._get_label_region(node.line)
            if region is not None:
                self.scroll_to_region(region, animate=False, force=True, center=True, x_axis=False)
        else:
            self.scroll_to_node(node, animate=False)

    def on_resize(self) -> None:
        # A shrink can leave the cursor row below the new bottom: bring it back into view
        # once the new size is laid out (Textual's Tree waits for the next key).
        self.call_after_refresh(self._cursor_into_view)

    def _cursor_into_view(self) -> None:
        node = self.cursor_node
        if node is not None and node.line >= 0:
            self.scroll_to_node(node, animate=False)

    def _keep_screen_row(self, node: TreeNode[Row], screen_row: int) -> None:
        """Scroll so that ``node`` stays on the screen row it was on: rows added or let go
        above it must not make the list jump under the user's eyes."""
        _ = self._tree_lines
        if node.line >= 0 and 0 <= screen_row < self.scrollable_content_region.height:
            self.set_scroll(None, max(0, node.line - screen_row))

    def _announce_cursor(self, *, only_if_changed: bool = False) -> None:
        entry = self.cursor_entry
        if only_if_changed and self._announced is not None and self._announced[0] == entry:
            # Fast path: a page arrived away from the cursor. Announcing the same entry
            # again redrew the side pane and laid the whole screen out twice more.
            return
        self._announced = (entry,)
        self.post_message(self.EntryHighlighted(entry))

    # ------------------------------------------------------------------ loading

    def start(self, client: PostHogClient, status: StatusBoard) -> None:
        """Connect to the server and load the top level; say on ``status`` what loads."""
        self.client = client
        self.status = status
        self.clear()
        self.folders.clear()
        self.sections.clear()
        self._entry_nodes.clear()
        self.folders[""] = Folder(path="", node=self.root)
        self.root.expand()
        self._show_title()
        self._sync_rows(self.folders[""])
        self._request_page(self.folders[""], 0)

    @property
    def top_shown(self) -> bool:
        """The top level's first page is on screen."""
        top = self.folders.get("")
        return top is not None and top.total is not None

    def when_top_shown(self, action: Callable[[], None]) -> None:
        """Run ``action`` now if the top level is shown, else as soon as it is: a key
        pressed before the first page waits for it instead of being lost."""
        if self.top_shown:
            action()
        else:
            self._waiting_for_top.append(action)

    def _begin(self, folder: Folder) -> None:
        self._in_flight[folder.path] += 1
        self._say_loading()

    def _end(self, folder: Folder) -> None:
        self._in_flight[folder.path] -= 1
        if self._in_flight[folder.path] <= 0:
            del self._in_flight[folder.path]
        self._say_loading()

    def _say_loading(self) -> None:
        """One work on the status line for all the pages on their way."""
        if not self._in_flight:
            if self._loading_work is not None:
                self._loading_work.end()
                self._loading_work = None
            return
        if len(self._in_flight) == 1:
            (path,) = self._in_flight
            text = f"loading {labels.visible(path)}…" if path else "loading…"
        else:
            text = f"loading {len(self._in_flight)} folders…"
        if self._loading_work is not None:
            self._loading_work.update(text)
        else:
            self._loading_work = self.status.busy(text)

    async def _list(self, folder: Folder, page: int, pages: int = 1) -> FileSystemPage:
        """``pages`` pages of ``folder`` from ``page`` on, in one request."""
        assert self.client is not None
        return await self.client.list_folder(
            folder.path,
            offset=folder.window.page_start(page),
            limit=PAGE_SIZE * pages,
            order_by=self.order_by,
            search=folder.name_filter,
        )

    async def _list_run(self, folder: Folder, run: list[int]) -> dict[int, FileSystemPage]:
        """Pages ``run`` (one after another) of ``folder`` in one request, as pages: a
        reload asks once a folder for the pages it held, not once a page."""
        listing = await self._list(folder, run[0], len(run))
        return {
            page: listing.model_copy(
                update={"results": listing.results[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]}
            )
            for index, page in enumerate(run)
        }

    def _request_page(self, folder: Folder, page: int) -> None:
        """Ask for ``page`` of ``folder`` unless it is held or on its way."""
        if self.client is None or folder.window.has(page) or page in folder.loading:
            return
        if folder.total is not None and page > folder.window.last_page:
            return
        folder.loading.add(page)
        folder.idle.clear()
        self._relabel_gaps(folder)
        self._fetch_page(folder, page, folder.generation)

    # A description of its own: Textual's default is the repr of the arguments, here a
    # folder and every entry it holds (milliseconds a page, on the event loop).
    @work(group="tree-pages", description="fetch a page")
    async def _fetch_page(self, folder: Folder, page: int, generation: int) -> None:
        self._begin(folder)
        try:
            listing = await self._list(folder, page)
        except ApiError as error:
            if generation == folder.generation and self.folders.get(folder.path) is folder:
                self._page_done(folder, page)
                folder.failed = not folder.window.pages
                folder.failure = error.kind
                self._landing = None
                self._sync_rows(folder)
                self.post_message(self.LoadFailed(folder.path, error))
            return
        finally:
            self._end(folder)
        if generation != folder.generation or self.folders.get(folder.path) is not folder:
            return  # reloaded (or gone) while this page was out
        self._page_done(folder, page)
        self._hold(folder, {page: listing})

    def _page_done(self, folder: Folder, page: int) -> None:
        folder.loading.discard(page)
        if not folder.loading:
            folder.idle.set()  # wakes whoever waits for this folder, however the load ended

    def _hold(self, folder: Folder, listings: dict[int, FileSystemPage]) -> None:
        """Show pages of ``folder``'s listing, let far pages go, and land the cursor."""
        for page, listing in sorted(listings.items()):
            if not folder.window.put(page, list(listing.results), listing.count):
                # The folder changed since the other pages were read: their offsets are
                # off. Keep what was just read; the rest loads again when reached.
                folder.window.keep_only(listings)
        folder.failed = False
        # The pages just read are wanted (a jump lands in one): never the ones let go.
        self._let_go_far_pages(folder, keep=set(listings))
        self._sync_rows(folder)
        self._land(folder)
        if folder.path == "":
            if self.cursor_line < 0:
                first = self._first_project_row()
                if first is not None:
                    self._place_cursor(first)  # the project's first row, below the sections
            waiting, self._waiting_for_top = self._waiting_for_top, []
            for action in waiting:
                action()
        self._announce_cursor(only_if_changed=True)

    def _let_go_far_pages(self, folder: Folder, keep: set[int]) -> None:
        window = folder.window
        if len(window.pages) <= KEEP_PAGES:
            return
        in_use = {window.page_of(offset) for offset in self._offsets_in_use(folder)}
        pinned = in_use | keep
        around = min(in_use or pinned or set(window.pages))
        for page in window.far_pages(around, KEEP_PAGES, pinned):
            del window.pages[page]

    def _offsets_in_use(self, folder: Folder) -> Iterator[int]:
        """The offsets of ``folder`` whose pages must stay: the cursor's (or the row the
        cursor is inside of), where a landing goes, and open subfolders."""
        if self._landing is not None and self._landing.folder == folder.path:
            yield self._landing.offset
        anchor = self._child_holding_cursor(folder)
        if anchor is not None and isinstance(anchor.data, EntryRow | GapRow):
            data = anchor.data
            yield data.offset if isinstance(data, EntryRow) else data.start
        for child in folder.node.children:
            if child.is_expanded and isinstance(child.data, EntryRow):
                yield child.data.offset

    def _child_holding_cursor(self, folder: Folder) -> TreeNode[Row] | None:
        """The row of ``folder`` that is the cursor's row or holds it."""
        node = self.cursor_node
        while node is not None and node.parent is not folder.node:
            node = node.parent
        return node

    # ------------------------------------------------------------------ rows

    def _desired_rows(self, folder: Folder) -> list[Row]:
        heads: list[Row] = []
        if folder.path == "" and self.show_sections:
            heads = [SectionRow(name) for name in SECTIONS]
        window = folder.window
        if window.total is None:
            return [*heads, NoteRow(folder.path, "failed" if folder.failed else "loading")]
        if window.total == 0:
            return [*heads, NoteRow(folder.path, "empty")]
        return [
            *heads,
            *(
                EntryRow(item.entry, item.offset)
                if isinstance(item, Held)
                else GapRow(folder.path, item.start, item.end)
                for item in window.layout()
            ),
        ]

    def _first_project_row(self) -> TreeNode[Row] | None:
        """The top level's first row that is the project's (not a section's head)."""
        for child in self.root.children:
            if not isinstance(child.data, SectionRow):
                return child
        return None

    def _sync_rows(self, folder: Folder) -> None:
        """Make ``folder``'s rows what its window holds, keeping every row that stays (an
        open subfolder stays open), and the cursor where the user was: on its row if it
        stays, else on the row that took its place, at the same height on screen."""
        desired = self._desired_rows(folder)
        wanted = {row_key(row) for row in desired}
        anchor = self._child_holding_cursor(folder)
        anchor_offset = offset_of(anchor.data) if anchor is not None else None
        screen_row = self.cursor_line - round(self.scroll_offset.y)
        children = list(folder.node.children)
        reopen: set[str] = set()
        for child in children:
            if row_key(child.data) not in wanted:
                if child.is_expanded and isinstance(child.data, EntryRow):
                    reopen.add(child.data.entry.id)  # renamed in place: opens again
                self._drop(child)
        kept = [child for child in children if row_key(child.data) in wanted]
        kept_keys = [row_key(child.data) for child in kept]
        kept_set = set(kept_keys)  # once: inside the comprehension it was rebuilt a row
        if kept_keys != [key for key in map(row_key, desired) if key in kept_set]:
            for child in kept:  # another order (a re-sort): start afresh
                self._drop(child)
            kept = []
        position = 0
        for row in desired:
            if position < len(kept) and row_key(kept[position].data) == row_key(row):
                node = kept[position]
                position += 1
                if node.data != row:
                    node.data = row
                    node.set_label(self._row_label(row))
                elif isinstance(row, GapRow):
                    node.set_label(self._row_label(row))
                continue
            before = kept[position] if position < len(kept) else None
            self._add_row(folder, row, before, reopen)
        if anchor is not None and self._is_gone(anchor):
            landing = self._landing
            if landing is not None and landing.folder == folder.path:
                anchor_offset = landing.offset  # the row the user was headed for
            self._cursor_to_offset(folder, anchor_offset or 0, screen_row)
        elif self.cursor_node is not None and self.cursor_line >= 0:
            self._keep_screen_row(self.cursor_node, screen_row)

    def _add_row(
        self, folder: Folder, row: Row, before: TreeNode[Row] | None, reopen: set[str]
    ) -> None:
        if isinstance(row, SectionRow):
            section = Section(row.section, node=folder.node)  # its node is set just below
            self.sections[row.section] = section
            section.node = folder.node.add(section_label(section), row, before=before)
            return
        label = self._row_label(row)
        if isinstance(row, EntryRow) and row.entry.is_folder:
            node = folder.node.add(label, row, before=before, allow_expand=True)
            if row.entry.id in reopen:
                node.expand()  # its NodeExpanded loads it
        else:
            node = folder.node.add_leaf(label, row, before=before)
        if isinstance(row, EntryRow):
            self._entry_nodes[row.entry.id] = node

    def _drop(self, node: TreeNode[Row]) -> None:
        """Remove a row and forget what it held: the folders open under it, its entries."""
        for inner in subtree(node):
            data = inner.data
            if isinstance(data, EntryRow):
                if self._entry_nodes.get(data.entry.id) is inner:
                    del self._entry_nodes[data.entry.id]
                known = self.folders.get(data.entry.path)
                if known is not None and known.node is inner:
                    del self.folders[data.entry.path]
        node.remove()

    def _is_gone(self, node: TreeNode[Row]) -> bool:
        while node.parent is not None:
            if node not in node.parent.children:
                return True
            node = node.parent
        return node is not self.root

    def _cursor_to_offset(self, folder: Folder, offset: int, screen_row: int) -> None:
        """The cursor's row went away: put it on the row now at ``offset`` (the one that
        took its place), the last row if the folder got shorter, the folder if it is empty."""
        rows = list(folder.node.children)
        if not rows:
            if folder.node is not self.root:
                self._place_cursor(folder.node)
            return
        target = rows[-1]
        for row in rows:
            row_offset = offset_of(row.data)
            if row_offset is not None and row_offset >= offset:
                target = row
                break
        self._place_cursor(target)
        self._keep_screen_row(target, screen_row)
        if isinstance(target.data, GapRow):
            self._reach_gap(target, target.data, from_below=False, offset=offset)

    def _relabel_gaps(self, folder: Folder) -> None:
        for child in folder.node.children:
            if isinstance(child.data, GapRow):
                child.set_label(self._row_label(child.data))

    # ------------------------------------------------------------------ gaps

    def _reach_gap(
        self, node: TreeNode[Row], gap: GapRow, *, from_below: bool, offset: int | None = None
    ) -> None:
        """The cursor is on a stretch not loaded: load the page it enters the stretch at
        (its first entry from above, its last from below) and land there."""
        folder = self.folders.get(gap.folder)
        if folder is None:
            return
        target = offset if offset is not None else (gap.end - 1 if from_below else gap.start)
        target = min(max(target, gap.start), gap.end - 1)
        self._landing = Landing(gap.folder, target)
        self._request_page(folder, folder.window.page_of(target))

    def _land(self, folder: Folder) -> None:
        landing = self._landing
        if landing is None or landing.folder != folder.path:
            return
        window = folder.window
        if window.total is not None and window.total > 0:
            offset = min(landing.offset, window.total - 1)
        else:
            offset = landing.offset
        if not window.has(window.page_of(offset)):
            return  # its page is still on its way
        self._landing = None
        node = self._row_at(folder, offset)
        if node is not None:
            self._place_cursor(node)

    def _row_at(self, folder: Folder, offset: int) -> TreeNode[Row] | None:
        """The held row at ``offset``, or the nearest one after it."""
        best: TreeNode[Row] | None = None
        for child in folder.node.children:
            data = child.data
            if isinstance(data, EntryRow):
                best = child
                if data.offset >= offset:
                    return child
        return best

    def _prefetch(self, row: EntryRow, node: TreeNode[Row], direction: int) -> None:
        """Ask for the page ahead of the cursor (in the way it moves) before it is reached."""
        folder = self._folder_holding(node)
        if folder is None or folder.total is None:
            return
        ahead = row.offset + direction * PREFETCH_ROWS
        if 0 <= ahead < folder.total:
            self._request_page(folder, folder.window.page_of(ahead))

    # ------------------------------------------------------------------ reloading

    def reload_folder(self, path: str, *, deep: bool = False) -> list[Folder]:
        """Read ``path``'s held pages afresh (only if the tree has it), and with ``deep``
        every folder open inside it. The rows on screen stay until the new listing is in:
        a failed reload (the server gone) keeps the tree the user had, and only says so.
        Answers the folders reloading, ``path``'s first (each one's ``idle`` is set when
        its listing is in, ``reload_failed`` if it could not be read)."""
        folder = self.folders.get(path)
        if folder is None:
            return []
        inside = [
            f
            for p, f in self.folders.items()
            if deep and p != path and (path == "" or paths.is_within(p, path))
        ]
        for each in (folder, *inside):
            each.generation += 1
            pages = self._pages_in_view(each)
            # …and those holding the cursor's row, an open subfolder, a landing.
            pages |= {each.window.page_of(offset) for offset in self._offsets_in_use(each)}
            each.loading = set(pages)
            each.idle.clear()
            each.reload_failed = False
            self._fetch_fresh(each, sorted(pages), each.generation)
        return [folder, *inside]

    def _pages_in_view(self, folder: Folder) -> set[int]:
        """The held pages of ``folder`` with a row on screen (else its first held page): what
        a reload reads again. Others are let go, as their offsets may have moved (they load
        again when reached)."""
        top = round(self.scroll_offset.y)
        bottom = top + self.scrollable_content_region.height
        window = folder.window
        shown = {
            window.page_of(child.data.offset)
            for child in folder.node.children
            if isinstance(child.data, EntryRow) and top <= child.line < bottom
        }
        return shown or {min(window.pages, default=0)}

    @work(group="tree-pages", description="fetch pages afresh")  # see _fetch_page
    async def _fetch_fresh(self, folder: Folder, pages: list[int], generation: int) -> None:
        self._begin(folder)
        try:
            runs = await asyncio.gather(*(self._list_run(folder, run) for run in _runs(pages)))
        except ApiError as error:
            if generation == folder.generation and self.folders.get(folder.path) is folder:
                folder.reload_failed = True
                folder.loading.clear()
                folder.idle.set()
                self._relabel_gaps(folder)
                self.post_message(self.LoadFailed(folder.path, error))
            return
        finally:
            self._end(folder)
        if generation != folder.generation or self.folders.get(folder.path) is not folder:
            return  # reloaded again (or gone) while these pages were out
        folder.loading.clear()
        folder.idle.set()
        folder.window.clear()
        self._hold(folder, {page: listing for run in runs for page, listing in run.items()})

    def reload_folders(self, folder_paths: Iterable[str]) -> None:
        """Reload each affected folder once; a folder the tree has not loaded is covered by
        its nearest loaded ancestor (it may be new)."""
        nearest: set[str] = set()
        for path in folder_paths:
            while path and path not in self.folders:
                path = paths.parent(path)
            nearest.add(path)
        for path in sorted(nearest, key=lambda p: (paths.depth(p), p)):
            self.reload_folder(path)

    # ------------------------------------------------------------------ events

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Row]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, SectionRow):
            section = self.sections[data.section]
            if section.rows is None and not section.loading:
                self.load_section(data.section)
            return
        if not isinstance(data, EntryRow) or not data.entry.is_folder:
            return
        folder = self._folder_for(event.node, data.entry)
        if folder.total is None and not folder.loading:
            self._sync_rows(folder)
            self._request_page(folder, 0)

    def _folder_for(self, node: TreeNode[Row], entry: FileSystemEntry) -> Folder:
        folder = self.folders.get(entry.path)
        if folder is None or folder.node is not node:
            folder = Folder(path=entry.path, node=node)
            self.folders[entry.path] = folder
        return folder

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Row]) -> None:
        event.stop()
        node = event.node
        if node is not self.cursor_node:
            return  # the cursor moved on since
        data = node.data
        previous, self._last_node = self._last_node, node
        going_up = (
            previous is not None and not self._is_gone(previous) and previous.line > node.line
        )
        if isinstance(data, GapRow):
            from_below = going_up if self._approach is None else self._approach
            self._approach = None
            self._reach_gap(node, data, from_below=from_below)
        elif isinstance(data, EntryRow):
            self._landing = None  # the user went elsewhere meanwhile
            self._prefetch(data, node, -1 if going_up else +1)
        self._announce_cursor()

    def on_tree_node_selected(self, event: Tree.NodeSelected[Row]) -> None:
        event.stop()

    # ------------------------------------------------------------------ actions

    def action_expand_or_show(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        data = node.data
        if isinstance(data, GapRow):
            self._reach_gap(node, data, from_below=False)
        elif isinstance(data, NoteRow) and data.kind == "failed":
            self.reload_folder(data.folder)
        elif isinstance(data, SectionRow):
            node.toggle()
        elif isinstance(data, SectionNote) and data.kind == "failed":
            self.load_section(data.section)
        elif isinstance(data, PinnedRow):
            if data.entry is not None:
                self.post_message(self.PinnedOpened(data.entry))
            else:
                self.status.say(f"{labels.visible(data.name)} is not in the tree: S removes it")
        elif isinstance(data, EntryRow):
            if data.entry.is_folder:
                node.toggle() if node.is_expanded else node.expand()
            else:
                self.post_message(self.EntryOpened(data.entry))

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def action_scroll_home(self) -> None:
        """The first entry of the cursor's folder (as in yazi and lf); there already, the
        first row of the tree."""
        self.when_top_shown(lambda: self._to_folder_end(last=False))

    def action_scroll_end(self) -> None:
        """The last entry of the cursor's folder (as in yazi and lf), loading it if it is
        not yet; there already, the last row of the tree."""
        self.when_top_shown(lambda: self._to_folder_end(last=True))

    def _to_folder_end(self, *, last: bool) -> None:
        """The first (or last) row of the cursor's folder; the cursor there already, the
        tree's. A stretch not loaded is entered from that end, whatever way the cursor came."""
        node = self.cursor_node
        rows = self._rows_beside(node)
        target = rows[-1 if last else 0] if rows else None
        if target is None or target is node:
            target = self.get_node_at_line(self.last_line if last else 0)
        if target is None:
            return
        if target is node:  # no highlight to come: reach it now
            if isinstance(target.data, GapRow):
                self._reach_gap(target, target.data, from_below=last)
            return
        self._approach = last if isinstance(target.data, GapRow) else None
        self._place_cursor(target)

    def _rows_beside(self, node: TreeNode[Row] | None) -> list[TreeNode[Row]]:
        """The rows of the folder ``node`` is in, itself included."""
        if node is None or node.parent is None:
            return []
        return list(node.parent.children)

    def action_page_down(self) -> None:
        self.when_top_shown(lambda: self._page(+1))

    def action_page_up(self) -> None:
        self.when_top_shown(lambda: self._page(-1))

    def _page(self, direction: int) -> None:
        """A screen down or up, stopping at a stretch not loaded (which then loads): a
        page key never jumps over entries the user has not seen."""
        lines = self._tree_lines
        if not lines:
            return
        start = self.cursor_line if self.cursor_line >= 0 else 0
        step = max(1, self.scrollable_content_region.height - 1)
        target = min(max(start + direction * step, 0), len(lines) - 1)
        line = start
        while line != target:
            line += direction
            if isinstance(lines[line].node.data, GapRow):
                break
        self.cursor_line = line
        self.scroll_to_line(line, animate=False)

    def action_vim_g(self) -> None:
        """``g g`` goes to the first row, as in vim: the first ``g`` waits for the second."""
        if self._g_pending:
            self._g_pending = False
            self.action_scroll_home()
            return
        self._g_pending = True
        self.set_timer(1.0, self._forget_g)

    def _forget_g(self) -> None:
        self._g_pending = False

    def action_toggle_mark(self) -> None:
        entry = self.cursor_entry
        if entry is None:
            return
        if entry.id in self.marks:
            del self.marks[entry.id]
        else:
            self.marks[entry.id] = entry
        for node in (self._entry_nodes.get(entry.id), self.cursor_node):
            if node is not None:
                node.refresh()
        self.post_message(self.MarksChanged(len(self.marks)))
        self.action_cursor_down()
        self._announce_cursor()

    def clear_marks(self) -> None:
        was_marked = list(self.marks)
        self.marks.clear()
        self._redraw_rows(was_marked)
        self.post_message(self.MarksChanged(0))

    def set_cut(self, entries: Iterable[FileSystemEntry]) -> None:
        """Show ``entries`` as cut (none: the cut is over, pasted or put away)."""
        was_cut = list(self.cut)
        self.cut = {entry.id: entry for entry in entries}
        self._redraw_rows([*was_cut, *self.cut])
        self.post_message(self.CutChanged(len(self.cut)))

    def _redraw_rows(self, entry_ids: Iterable[str]) -> None:
        """Draw the rows of ``entry_ids`` again. The Tree keeps each row's picture until its
        node says it changed: refreshing the widget alone would show the old marks."""
        for entry_id in entry_ids:
            node = self._entry_nodes.get(entry_id)
            if node is not None:
                node.refresh()

    def action_clear(self) -> None:
        """``esc``: first the marks and the cut go (what the user set aside last); pressed
        again, the name filter. The status line says what went."""
        marked, cut = len(self.marks), len(self.cut)
        if marked or cut:
            if marked:
                self.clear_marks()
            if cut:
                self.set_cut([])
            gone = [f"{marked} marked" if marked else "", f"{cut} cut" if cut else ""]
            self.status.say(f"Cleared {' and '.join(part for part in gone if part)}")
            return
        self.action_clear_filter()

    # ------------------------------------------------------------------ filter and sort

    def filter_folder(self, path: str, name_filter: str | None) -> None:
        """Show only the children of ``path`` whose names match ``name_filter`` (asked from
        the server, so it works on any size); ``None`` shows them all again."""
        folder = self.folders.get(path)
        if folder is None or (folder.name_filter or None) == (name_filter or None):
            return
        folder.name_filter = name_filter or None
        self._restart(folder)
        self._show_title()

    def open_folder_of_cursor(self) -> str | None:
        """The folder under the cursor, opened if it was folded (None before it is shown)."""
        path = self.folder_of_cursor()
        folder = self.folders.get(path)
        node = self.cursor_node
        if (
            node is not None
            and isinstance(node.data, EntryRow)
            and node.data.entry.path == path
            and not node.is_expanded
        ):
            node.expand()
            folder = self._folder_for(node, node.data.entry)
        return path if folder is not None else None

    def action_clear_filter(self) -> None:
        """The folders narrowed by ``f`` show all their children again."""
        narrowed = [f for f in self.folders.values() if f.name_filter]
        if not narrowed:
            return
        keep = self.cursor_entry
        for folder in narrowed:
            self.filter_folder(folder.path, None)
        where = ", ".join(labels.visible(paths.basename(f.path)) or "top level" for f in narrowed)
        self.status.say(f"Cleared the filter of {where}")
        if keep is not None:
            self._keep_on(keep)

    def cycle_sort(self) -> str:
        """The next order of :data:`SORTS` for the whole tree; says which. The tree is read
        afresh from the top (offsets mean nothing in another order), and opened again down
        to the entry the cursor was on."""
        orders = [order for order, _ in SORTS]
        self.order_by = orders[(orders.index(self.order_by) + 1) % len(orders)]
        keep = self.cursor_entry
        self._restart(self.folders[""])
        if keep is not None:
            self._keep_on(keep)
        self._show_title()
        return dict(SORTS)[self.order_by]

    def _restart(self, folder: Folder) -> None:
        """Forget ``folder``'s listing and read its first page again."""
        folder.generation += 1
        folder.window.clear()
        folder.loading.clear()
        folder.idle.set()
        self._sync_rows(folder)
        self._request_page(folder, 0)

    @work(exclusive=True, group="tree-keep-on")
    async def _keep_on(self, entry: FileSystemEntry) -> None:
        """After a re-sort, the cursor goes back to the entry it was on."""
        try:
            await self.reveal(entry)
        except ApiError as error:
            self.post_message(self.LoadFailed(paths.parent(entry.path), error))

    # ------------------------------------------------------------------ sections

    def load_section(self, name: SectionName) -> None:
        """Read a section afresh (its rows stay until the new ones are in)."""
        section = self.sections.get(name)
        if section is None or self.client is None:
            return
        section.generation += 1
        section.loading = True
        self._sync_section(section)
        self._fetch_section(section, section.generation)

    def refresh_sections(self, only: SectionName | None = None) -> None:
        """After a change: open sections are read again, folded ones when next opened."""
        for section in self.sections.values():
            if only is not None and section.name != only:
                continue
            if section.node.is_expanded:
                self.load_section(section.name)
            elif not section.loading:
                section.rows = None
                section.node.set_label(section_label(section))

    @work(group="tree-sections", description="fetch a section")  # see _fetch_page
    async def _fetch_section(self, section: Section, generation: int) -> None:
        assert self.client is not None
        work_item = self.status.busy(f"loading {section.title}…")
        try:
            rows = await self._section_rows(section.name)
        except ApiError as error:
            if generation == section.generation:
                section.loading = False
                section.failure = error.kind
                self._sync_section(section)
                self.post_message(self.SectionLoadFailed(section.title, error))
            return
        finally:
            work_item.end()
        if generation != section.generation or self.sections.get(section.name) is not section:
            return  # read again (or the tree started over) meanwhile
        section.loading = False
        section.failure = None
        section.rows = rows
        self._sync_section(section)

    async def _section_rows(self, name: SectionName) -> list[PinnedRow]:
        assert self.client is not None
        if name == "shortcuts":
            return [
                PinnedRow("shortcuts", star.name, star.entry, shortcut=star.shortcut)
                for star in await starred(self.client)
            ]
        return [
            PinnedRow("recent", labels.entry_name(entry), entry, viewed_at=entry.last_viewed_at)
            for entry in await self.client.recent(limit=RECENT_LIMIT)
        ]

    def _sync_section(self, section: Section) -> None:
        """Show the section's rows afresh; the cursor, if it was on one, stays on the row
        standing for the same entry (else at the same place in the list)."""
        node = section.node
        node.set_label(section_label(section))
        on = self.cursor_node
        was_here = on is not None and on.parent is node
        was_at = node.children.index(on) if was_here and on is not None else 0
        was_key = _pinned_key(on.data) if was_here and on is not None else None
        screen_row = self.cursor_line - round(self.scroll_offset.y)
        node.remove_children()
        added = [node.add_leaf(self._row_label(row), row) for row in desired_children(section)]
        if not was_here or not added:
            if on is not None and self.cursor_line >= 0:
                self._keep_screen_row(on, screen_row)  # rows came or went above it
            return
        same = [child for child in added if _pinned_key(child.data) == was_key]
        self._place_cursor(same[0] if same else added[min(was_at, len(added) - 1)])

    # ------------------------------------------------------------------ revealing

    async def reveal(self, entry: FileSystemEntry) -> bool:
        """Open the folders down to ``entry`` and put the cursor on it, centred. Only the
        page holding it is read in each folder on the way (found by the client's
        bisection), all folders at once. False when it is not (or no longer) there."""
        assert self.client is not None
        segments = paths.split(entry.path)
        chain = [paths.join(segments[:depth]) for depth in range(len(segments))]
        known = {
            data.entry.path: data.entry
            for data in (node.data for node in self._entry_nodes.values())
            if isinstance(data, EntryRow) and data.entry.is_folder
        }
        steps = await entries_on_the_way(self.client, entry, known)
        if steps is None:
            return False
        for parent, child in zip(chain, steps, strict=True):
            folder = self.folders.get(parent)
            if folder and folder.name_filter and folder.window.offset_of(child.id) is None:
                self.filter_folder(parent, None)  # a jump into a filtered folder unfilters it
        located = await asyncio.gather(
            *(
                locate_child(self.client, self.folders.get(parent), parent, child, self.order_by)
                for parent, child in zip(chain, steps, strict=True)
            )
        )
        folder = self.folders[""]
        node: TreeNode[Row] | None = None
        for child, (offset, listing) in zip(steps, located, strict=True):
            if offset is None:
                return False
            if listing is not None:
                self._hold(folder, {folder.window.page_of(offset): listing})
            node = self._entry_nodes.get(child.id)
            if node is None:
                return False
            if child is not entry:
                folder = self._folder_for(node, child)
                if not node.is_expanded:
                    node.expand()
        assert node is not None
        self._landing = None
        self._place_cursor(node, center=True)
        self._announce_cursor()
        return True


def _pinned_key(row: Row | None) -> tuple[str, str] | None:
    """What a section's row stands for, to find it again after the section is read anew."""
    if not isinstance(row, PinnedRow):
        return None
    if row.shortcut is not None:
        return ("shortcut", row.shortcut.id)
    return ("entry", row.entry.id) if row.entry is not None else None


def _runs(pages: Iterable[int]) -> list[list[int]]:
    """``pages`` as runs of consecutive pages: ``[1, 2, 3, 7]`` → ``[[1, 2, 3], [7]]``."""
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return runs
