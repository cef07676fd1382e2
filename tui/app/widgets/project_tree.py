"""The project tree: folders load lazily, a page at a time, off the UI path.

A folder's children are fetched when it is first expanded (``parent`` + ``depth``, folders
first, as PostHog's own UI asks), :data:`PAGE_SIZE` at a time. A "loading…" row stands in
while a request is out; a "load more" row fetches the next page when the cursor reaches
it. Nothing is fetched twice unless the user reloads, and a reload refreshes one folder.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
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
from tui.models import FileSystemEntry, FileSystemPage

# PostHog's page size; also what its web UI asks for.
PAGE_SIZE = 100

# Beside a marked entry's icon.
MARK = "●"
MARK_STYLE = "bold yellow"


@dataclass(frozen=True)
class EntryRow:
    """A row standing for a real entry."""

    entry: FileSystemEntry


@dataclass(frozen=True)
class MoreRow:
    """ "load more (n of N)": the next page of ``folder`` loads when the cursor lands here."""

    folder: str


@dataclass(frozen=True)
class NoteRow:
    """A row that is not an entry: "loading…", "empty", or a failure to retry."""

    folder: str
    kind: str  # "loading" | "empty" | "failed"


Row = EntryRow | MoreRow | NoteRow


@dataclass
class Folder:
    """What the tree knows of one folder's children on the server."""

    path: str
    node: TreeNode[Row]
    loaded: int = 0  # entries fetched so far (the next page's offset)
    total: int | None = None  # the server's count, once known
    # Bumped on reload, so that a page arriving for the old listing is dropped.
    generation: int = 0
    ids: set[str] = field(default_factory=set)
    # Set while no page is on its way: whoever needs this folder's rows waits on it.
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    @property
    def loading(self) -> bool:
        """A page of this folder is on its way."""
        return not self.idle.is_set()

    @loading.setter
    def loading(self, loading: bool) -> None:
        if loading:
            self.idle.clear()
        else:
            self.idle.set()  # wakes whoever waits for this folder, however the load ended

    @property
    def complete(self) -> bool:
        return self.total is not None and self.loaded >= self.total


def _count(n: int) -> str:
    return f"{n:,}"


class ProjectTree(Tree[Row]):
    """The project's file system as a lazily loaded tree, with marks."""

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
    ]

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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("project", data=None, id=id)
        self.show_root = False
        self.auto_expand = False  # enter is ours: expand a folder, open an item
        self.guide_depth = 3
        self.client: PostHogClient | None = None
        # Until the app's board comes with the client, one nobody shows.
        self.status = StatusBoard()
        self.folders: dict[str, Folder] = {}
        self.marks: dict[str, FileSystemEntry] = {}
        self._entry_nodes: dict[str, TreeNode[Row]] = {}
        # Folders with a page on its way (a folder may have two: a page and a reload), and
        # the one work on the status line that says so.
        self._in_flight: Counter[str] = Counter()
        self._loading_work: Work | None = None
        self._g_pending = False
        self._reopen: set[str] = set()  # folders to open again when a reload brings them
        self._restore_cursor_to: str | None = None  # entry to put the cursor on once loaded
        self._announced: tuple[FileSystemEntry | None] | None = None  # last EntryHighlighted

    # ------------------------------------------------------------------ labels

    def process_label(self, label: str | Text) -> Text:
        # Never parse a label as markup: names come from the server.
        text = Text(label) if isinstance(label, str) else label
        return text

    def render_label(self, node: TreeNode[Row], base_style: Style, style: Style) -> Text:
        """Two cells before every icon, so that icons line up: a folder's ▶/▼ and a space,
        an item's two spaces; a mark ● takes the second cell."""
        text = super().render_label(node, base_style, style)
        data = node.data
        marked = isinstance(data, EntryRow) and data.entry.id in self.marks
        mark = Text(MARK if marked else " ", style=MARK_STYLE if marked else "")
        if node.allow_expand:
            return Text.assemble(text[:1], mark, text[len(self.ICON_NODE) :])
        return Text.assemble(" ", mark, text)

    def get_label_width(self, node: TreeNode[Row]) -> int:
        """Fast path: Tree measures every row each time it lays itself out (for its scroll
        width) by rendering the row's label in full; with thousands of rows loaded, that
        was most of the cost of showing one more page. Every row is two cells (▶/▼ or a
        space, then the mark) before its label, as :meth:`render_label` draws it."""
        label = node.label
        return 2 + (label.cell_len if isinstance(label, Text) else cell_len(label))

    def _entry_label(self, entry: FileSystemEntry) -> Text:
        return labels.row_label(entry)

    def _note_label(self, row: NoteRow | MoreRow) -> Text:
        if isinstance(row, MoreRow):
            folder = self.folders[row.folder]
            remaining = (folder.total or 0) - folder.loaded
            more = min(PAGE_SIZE, remaining)
            return Text(
                f"… load {more} more ({_count(folder.loaded)} of {_count(folder.total or 0)})",
                style="italic dim",
            )
        if row.kind == "loading":
            return Text("loading…", style="italic dim")
        if row.kind == "empty":
            return Text("(empty)", style="italic dim")
        return Text("⚠ could not load: press R to retry", style="red")

    # ------------------------------------------------------------------ queries

    @property
    def cursor_entry(self) -> FileSystemEntry | None:
        node = self.cursor_node
        if node is not None and isinstance(node.data, EntryRow):
            return node.data.entry
        return None

    def _place_cursor(self, node: TreeNode[Row]) -> None:
        """Move the cursor to ``node`` even if it was added a moment ago: Textual gives a
        node its line when it next lays the tree out, so lay it out now."""
        _ = self._tree_lines  # rebuilds the line index if nodes were added or removed
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)

    def folder_of_cursor(self) -> str:
        """The folder the cursor is in or on: a folder itself, else the item's parent."""
        entry = self.cursor_entry
        if entry is None:
            node = self.cursor_node
            if node is not None and isinstance(node.data, MoreRow | NoteRow):
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

    def put_cursor_on(self, entry_id: str) -> None:
        """Move the cursor to ``entry_id`` now, or as soon as a reload brings it."""
        node = self._entry_nodes.get(entry_id)
        if node is not None:
            self._place_cursor(node)
        else:
            self._restore_cursor_to = entry_id

    def selection(self) -> list[FileSystemEntry]:
        """The marked entries, or else the one under the cursor."""
        if self.marks:
            return list(self.marks.values())
        entry = self.cursor_entry
        return [entry] if entry is not None else []

    # ------------------------------------------------------------------ loading

    def start(self, client: PostHogClient, status: StatusBoard) -> None:
        """Connect to the server and load the top level; say on ``status`` what loads."""
        self.client = client
        self.status = status
        self.clear()
        self.folders.clear()
        self._entry_nodes.clear()
        self.folders[""] = Folder(path="", node=self.root)
        self.root.expand()
        self._load_next_page(self.folders[""])

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

    def _load_next_page(self, folder: Folder) -> None:
        if folder.loading or folder.complete or self.client is None:
            return
        folder.loading = True
        self._remove_rows(folder, (MoreRow, NoteRow))
        folder.node.add_leaf(
            self._note_label(NoteRow(folder.path, "loading")), NoteRow(folder.path, "loading")
        )
        self._fetch_page(folder, folder.loaded, folder.generation)

    @work(group="tree-pages")
    async def _fetch_page(self, folder: Folder, offset: int, generation: int) -> None:
        assert self.client is not None
        self._begin(folder)
        try:
            page = await self.client.list_folder(folder.path, offset=offset, limit=PAGE_SIZE)
        except ApiError as error:
            if generation == folder.generation:
                folder.loading = False
                self._remove_rows(folder, (NoteRow,))
                failed = NoteRow(folder.path, "failed")
                folder.node.add_leaf(self._note_label(failed), failed)
                self.post_message(self.LoadFailed(folder.path, error))
            return
        finally:
            self._end(folder)
        if generation != folder.generation or self.folders.get(folder.path) is not folder:
            return  # reloaded (or gone) while this page was out
        folder.loading = False
        self._apply_page(folder, page, offset)
        self._after_page(folder)

    def _apply_page(self, folder: Folder, page: FileSystemPage, offset: int) -> None:
        """Show a page of ``folder``'s children, then a "load more" or "(empty)" row."""
        folder.total = page.count
        folder.loaded = offset + len(page.results)
        self._remove_rows(folder, (NoteRow, MoreRow))
        for entry in page.results:
            # Offsets shift when entries come and go between pages: never show one twice.
            if entry.id in folder.ids:
                continue
            folder.ids.add(entry.id)
            self._add_entry(folder, entry)
        if not page.results and folder.loaded < (folder.total or 0):
            folder.total = folder.loaded  # the server counted more than it lists
        if not folder.complete:
            more = MoreRow(folder.path)
            folder.node.add_leaf(self._note_label(more), more)
        elif not folder.ids:
            empty = NoteRow(folder.path, "empty")
            folder.node.add_leaf(self._note_label(empty), empty)

    def _after_page(self, folder: Folder) -> None:
        # The "load more" row the cursor may have been on is now the first new entry, at
        # the same line: the cursor stays where the user's eyes are.
        if self.cursor_line < 0 and folder.path == "" and folder.node.children:
            self.cursor_line = 0
        self._announce_cursor(only_if_changed=True)

    def _add_entry(self, folder: Folder, entry: FileSystemEntry) -> TreeNode[Row]:
        label = self._entry_label(entry)
        if entry.is_folder:
            node = folder.node.add(label, EntryRow(entry), allow_expand=True)
            if entry.path in self._reopen:
                self._reopen.discard(entry.path)
                node.expand()  # its NodeExpanded loads its first page
        else:
            node = folder.node.add_leaf(label, EntryRow(entry))
        self._entry_nodes[entry.id] = node
        return node

    def _remove_rows(self, folder: Folder, kinds: tuple[type, ...]) -> None:
        for child in list(folder.node.children):
            if isinstance(child.data, kinds):
                child.remove()

    def reload_folder(self, path: str) -> None:
        """Fetch ``path``'s children afresh (only if the tree has them loaded). The rows on
        screen stay until the new listing is in: a failed reload (the server gone) keeps
        the tree the user had, and only says so."""
        folder = self.folders.get(path)
        if folder is None:
            return
        folder.generation += 1
        # A page is on its way: no "load more" meanwhile, and reveal waits for this one.
        folder.loading = True
        self._fetch_fresh(folder, folder.generation)

    @work(group="tree-pages")
    async def _fetch_fresh(self, folder: Folder, generation: int) -> None:
        assert self.client is not None
        self._begin(folder)
        try:
            page = await self.client.list_folder(folder.path, offset=0, limit=PAGE_SIZE)
        except ApiError as error:
            if generation == folder.generation and self.folders.get(folder.path) is folder:
                folder.loading = False
                self.post_message(self.LoadFailed(folder.path, error))
            return
        finally:
            self._end(folder)
        if generation != folder.generation or self.folders.get(folder.path) is not folder:
            return  # reloaded again (or gone) while this page was out
        self._replace_children(folder, page)

    def _replace_children(self, folder: Folder, page: FileSystemPage) -> None:
        """Swap ``folder``'s rows for the first page of a fresh listing."""
        keep = self.cursor_entry.id if self.cursor_entry else None
        # The folders open inside this one open again (and load afresh) as their rows return,
        # so a reload refreshes what the user sees instead of folding it all away.
        self._reopen |= {
            p
            for p, f in self.folders.items()
            if p != folder.path
            and (folder.path == "" or paths.is_within(p, folder.path))
            and f.node.is_expanded
        }
        self._forget_subtree(folder)
        folder.loaded = 0
        folder.total = None
        folder.loading = False
        folder.ids.clear()
        folder.node.remove_children()
        self._restore_cursor_to = keep
        self._apply_page(folder, page, 0)
        self._after_page(folder)

    def _forget_subtree(self, folder: Folder) -> None:
        prefix = folder.path + "/"
        for path in [p for p in self.folders if p.startswith(prefix) or (folder.path == "" and p)]:
            del self.folders[path]
        for entry_id, node in list(self._entry_nodes.items()):
            if node.data is None or not isinstance(node.data, EntryRow):
                continue
            if folder.path == "" or node.data.entry.path.startswith(prefix):
                del self._entry_nodes[entry_id]

    def reload_folders(self, folder_paths: Iterable[str]) -> None:
        """Reload each affected folder once. A folder the tree has not loaded is covered by
        its nearest loaded ancestor (it may be new); one inside another reloaded folder is
        covered by that folder's reload."""
        nearest: set[str] = set()
        for path in folder_paths:
            while path and path not in self.folders:
                path = paths.parent(path)
            nearest.add(path)
        chosen: list[str] = []
        for path in sorted(nearest, key=lambda p: (paths.depth(p), p)):
            if any(path == c or c == "" or paths.is_within(path, c) for c in chosen):
                continue
            chosen.append(path)
        for path in chosen:
            self.reload_folder(path)

    # ------------------------------------------------------------------ events

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Row]) -> None:
        event.stop()
        data = event.node.data
        if not isinstance(data, EntryRow) or not data.entry.is_folder:
            return
        folder = self.folders.get(data.entry.path)
        if folder is None or folder.node is not event.node:
            folder = Folder(path=data.entry.path, node=event.node)
            self.folders[data.entry.path] = folder
        if folder.total is None and not folder.loading:
            self._load_next_page(folder)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Row]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, MoreRow):
            folder = self.folders.get(data.folder)
            if folder is not None:
                self._load_next_page(folder)
        self._announce_cursor()

    def on_tree_node_selected(self, event: Tree.NodeSelected[Row]) -> None:
        event.stop()

    def _announce_cursor(self, *, only_if_changed: bool = False) -> None:
        if self._restore_cursor_to is not None:
            node = self._entry_nodes.get(self._restore_cursor_to)
            if node is not None:
                self._restore_cursor_to = None
                self._place_cursor(node)
        entry = self.cursor_entry
        if only_if_changed and self._announced is not None and self._announced[0] == entry:
            # Fast path: a page arrived below the cursor. Announcing the same entry again
            # redrew the side pane and laid the whole screen out twice more, every page.
            return
        self._announced = (entry,)
        self.post_message(self.EntryHighlighted(entry))

    # ------------------------------------------------------------------ actions

    def action_expand_or_show(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        data = node.data
        if isinstance(data, MoreRow):
            folder = self.folders.get(data.folder)
            if folder is not None:
                self._load_next_page(folder)
        elif isinstance(data, NoteRow) and data.kind == "failed":
            self.reload_folder(data.folder)
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
        node = self._entry_nodes.get(entry.id)
        if node is not None:
            node.set_label(self._entry_label(entry))
        self.post_message(self.MarksChanged(len(self.marks)))
        self.action_cursor_down()
        self._announce_cursor()

    def clear_marks(self) -> None:
        marked = list(self.marks)
        self.marks.clear()
        for entry_id in marked:
            node = self._entry_nodes.get(entry_id)
            if node is not None and isinstance(node.data, EntryRow):
                node.set_label(self._entry_label(node.data.entry))
        self.post_message(self.MarksChanged(0))

    # ------------------------------------------------------------------ revealing

    async def reveal(self, entry: FileSystemEntry) -> bool:
        """Expand the folders down to ``entry`` (loading pages as needed) and put the
        cursor on it. False when it is not (or no longer) there."""
        assert self.client is not None
        segments = paths.split(entry.path)
        folder = self.folders[""]
        for depth in range(1, len(segments) + 1):
            path = paths.join(segments[:depth])
            target_id = entry.id if depth == len(segments) else None
            node = await self._find_child(folder, path, target_id)
            if node is None:
                return False
            if depth == len(segments):
                self._place_cursor(node)
                self._announce_cursor()
                return True
            data = node.data
            assert isinstance(data, EntryRow)
            known = self.folders.get(data.entry.path)
            folder = (
                known
                if known is not None and known.node is node
                else Folder(path=data.entry.path, node=node)
            )
            self.folders[data.entry.path] = folder
            node.expand()
        return False

    async def _find_child(
        self, folder: Folder, path: str, entry_id: str | None
    ) -> TreeNode[Row] | None:
        """The child of ``folder`` at ``path`` (or with ``entry_id``), paging until found."""
        assert self.client is not None
        while True:
            while folder.loading:  # a page is on its way (e.g. a reload): use it
                await folder.idle.wait()
            for child in folder.node.children:
                data = child.data
                if isinstance(data, EntryRow) and (
                    data.entry.id == entry_id
                    if entry_id
                    else (data.entry.path == path and data.entry.is_folder)
                ):
                    return child
            if folder.complete and not folder.loading:
                return None
            # Load the next page ourselves, waiting for it (not a background worker);
            # `loading` keeps the expand handler from asking for the same page.
            folder.loading = True
            try:
                page = await self.client.list_folder(
                    folder.path, offset=folder.loaded, limit=PAGE_SIZE
                )
            finally:
                folder.loading = False
            self._apply_page(folder, page, folder.loaded)
            if not page.results:
                return None
