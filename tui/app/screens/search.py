"""``/``: search the whole project with PostHog's search syntax.

Keyboard first, as fzf, telescope or VS Code's quick open: the focus stays in the query;
``↓``/``↑`` (``ctrl+n``/``ctrl+p``) move the highlight through the results, and one
``enter`` jumps to the highlighted (first) result in the tree, or to the first result of
the query typed once it arrives. The results are paged from the server as the highlight or
the scrolling nears their end. ``esc`` returns.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.bindings import live_bindings
from tui.app.widgets.safe_input import SafeInput
from tui.models import FileSystemEntry

# Typing pauses this long before the server is asked.
SEARCH_DEBOUNCE_S = 0.25
# Results asked of the server at a time; the next page comes as the end nears.
RESULTS_PAGE = 100

# Two lines, so that an 80-column dialog never wraps inside an example ("two words").
SYNTAX_HELP = (
    'name:x  path:x  type:insight  type:hog_function/  ref:x\nuser:me  "two words"  -negate'
)
KEYS_HELP = "↑↓: choose · enter: go to · esc: back"


def result_label(entry: FileSystemEntry) -> Text:
    label = Text()
    label.append(labels.icon(entry.type) + " ")
    label.append_text(labels.display_path(entry.path))
    if entry.shortcut:
        label.append(f" {labels.shortcut_mark()}", style="italic dim")
    return label


class SearchInput(SafeInput):
    """The query. It keeps the focus: the keys that choose a result are its own, and it
    claims them, so that keys bound higher up (the app's ``ctrl+p``, the command palette)
    step aside while the search is open. A remapped key is claimed instead of the default."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.go", "Go to", show=False, id="search_go"),
        Binding("down,ctrl+n", "screen.highlight(1)", "Next", show=False, id="search_next"),
        Binding("up,ctrl+p", "screen.highlight(-1)", "Previous", show=False, id="search_previous"),
        Binding("pagedown", "screen.page(1)", "Page down", show=False, id="search_page_down"),
        Binding("pageup", "screen.page(-1)", "Page up", show=False, id="search_page_up"),
    ]
    HELP_TITLE: ClassVar[str] = "search"  # one scope with its screen's keys

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if super().check_consume_key(key, character):
            return True
        # Only these keys: Input's own (its ctrl+c copy) leave the app's (ctrl+c quits).
        return any(
            binding.key == key and binding.id in SEARCH_KEY_IDS for binding in live_bindings(self)
        )


SEARCH_KEY_IDS = frozenset(
    binding.id for binding in SearchInput.BINDINGS if isinstance(binding, Binding)
)


class ResultList(OptionList, can_focus=False):
    """The results: drawn as if focused (the query has the focus), clicked to jump."""


class SearchScreen(ModalScreen[FileSystemEntry | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="search_close"),
    ]
    HELP_TITLE: ClassVar[str] = "search"

    def __init__(self, client: PostHogClient | None, query: str = "") -> None:
        """``client`` None: opened before the app is connected; :meth:`connect` hands it
        over, and what was typed meanwhile is searched then."""
        super().__init__()
        self.client = client
        self.initial = query
        self.results: dict[str, FileSystemEntry] = {}  # by id, in the list's order
        # Each query typed is a generation; the list shows the results of one of them.
        self.generation = 0
        self.shown = -1  # the generation the list shows (-1: none yet)
        self.fetched = 0  # rows of it the server has given (the next page's offset)
        self.total = 0  # what the server counts for it
        self.failed = False  # its search failed: the status line says why
        self.asking: tuple[int, int] | None = None  # (generation, offset) of a page on its way
        # Enter pressed before the results of that generation arrived: go when they do.
        self.go_when_found: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield SearchInput(
                value=self.initial, placeholder="search the project…", id="search-input"
            )
            yield Static(Text(SYNTAX_HELP, style="dim"), id="search-help")
            yield ResultList(id="search-results")
            yield Static("", id="search-status")

    @property
    def field(self) -> SearchInput:
        return self.query_one(SearchInput)

    @property
    def result_list(self) -> ResultList:
        return self.query_one(ResultList)

    def on_mount(self) -> None:
        self.field.focus()
        self.watch(self.result_list, "scroll_y", self._scrolled, init=False)
        self._search(self.initial, self.generation)

    def connect(self, client: PostHogClient | None) -> None:
        """The app is connected (``client``), or could not be (None: the screen closes, the
        app says why)."""
        if not self.is_attached:
            return  # closed before the connection came
        if client is None:
            self._leave(None)
            return
        self.client = client
        self._search(self.field.value, self.generation)

    # ------------------------------------------------------------------ searching

    @on(SearchInput.Changed)
    def changed(self, event: SearchInput.Changed) -> None:
        self.generation += 1
        # A page of the previous query still on its way must not land in the new list.
        self.workers.cancel_group(self, "search-more")
        self._search(event.value, self.generation)

    def _status(self, text: str, style: str = "dim") -> None:
        self.query_one("#search-status", Static).update(Text(text, style=style))

    @work(exclusive=True, group="search")
    async def _search(self, query: str, generation: int) -> None:
        if not query.strip():
            self._show(generation, [], 0)
            self._status("")
            return
        if self.client is None:
            self._status("connecting… the search runs once connected", "italic dim")
            return
        await asyncio.sleep(SEARCH_DEBOUNCE_S)
        then = " then to the first result" if self.go_when_found == generation else ""
        self._status(f"searching…{then}", "italic dim")
        try:
            page = await self.client.search(query, offset=0, limit=RESULTS_PAGE)
        except ApiError as error:
            if generation != self.generation:
                return
            self._show(generation, [], 0)
            self.failed = True
            self._status(labels.visible(error.message), "red")
            return
        if generation != self.generation:
            return  # typing went on
        self._show(generation, page.results, page.count)
        if self.go_when_found == generation:
            self.go_when_found = None
            self.action_go()

    def _show(self, generation: int, entries: list[FileSystemEntry], total: int) -> None:
        """The list shows ``generation``'s first page."""
        results = self.result_list
        results.clear_options()
        self.results = {}
        self.shown, self.fetched, self.total, self.failed = generation, 0, total, False
        self._add(entries)
        if results.option_count:
            results.highlighted = 0
        self._say_found()

    def _add(self, entries: list[FileSystemEntry]) -> None:
        self.fetched += len(entries)
        # Offset paging over a project that may change meanwhile can repeat a row.
        new = [entry for entry in entries if entry.id not in self.results]
        self.results.update((entry.id, entry) for entry in new)
        self.result_list.add_options(Option(result_label(entry), id=entry.id) for entry in new)

    def _say_found(self, more: str = "") -> None:
        if self.shown == self.generation and self.field.value.strip():
            self._status(f"{self.total:,} found{more} · {KEYS_HELP}")

    @property
    def complete(self) -> bool:
        return self.fetched >= self.total

    def _near_end(self, index: int) -> bool:
        return index >= self.result_list.option_count - max(
            1, self.result_list.scrollable_content_region.height
        )

    def _scrolled(self, scroll_y: float) -> None:
        results = self.result_list
        height = results.scrollable_content_region.height
        if scroll_y + 2 * height >= results.virtual_size.height:
            self._more()

    @on(OptionList.OptionHighlighted)
    def _highlight_moved(self, event: OptionList.OptionHighlighted) -> None:
        if self._near_end(event.option_index):
            self._more()

    def _more(self) -> None:
        """The next page of the results shown, unless it is on its way or there is none."""
        if self.shown != self.generation or self.complete:
            return
        page = (self.generation, self.fetched)
        if self.asking != page:
            self.asking = page
            self._load_more(self.field.value, *page)

    @work(group="search-more")
    async def _load_more(self, query: str, generation: int, offset: int) -> None:
        assert self.client is not None
        self._say_found(" · loading more…")
        try:
            page = await self.client.search(query, offset=offset, limit=RESULTS_PAGE)
        except ApiError as error:
            if generation == self.generation:
                self._status(labels.visible(error.message), "red")
            return
        finally:
            if self.asking == (generation, offset):
                self.asking = None
        if generation != self.generation or offset != self.fetched:
            return  # another query was typed meanwhile: this page is not the list's
        self.total = page.count
        if not page.results:
            self.total = self.fetched  # the server has no more, whatever it counted
        self._add(page.results)
        self._say_found()
        highlighted = self.result_list.highlighted
        if highlighted is not None and self._near_end(highlighted):
            self._more()

    # ------------------------------------------------------------------ choosing

    def action_highlight(self, step: int) -> None:
        results = self.result_list
        if results.option_count:
            # No wrapping round: at the end, the next page is on its way.
            current = results.highlighted
            results.highlighted = 0 if current is None else current + step  # clamped

    def action_page(self, step: int) -> None:
        """A page of results down (1) or up (-1)."""
        self.action_highlight(step * max(1, self.result_list.scrollable_content_region.height))

    def action_go(self) -> None:
        """Jump to the highlighted result; if the query's results are on their way, to the
        first of them when they arrive."""
        if not self.field.value.strip():
            return
        if self.shown != self.generation:
            self.go_when_found = self.generation
            waiting = "connecting…" if self.client is None else "searching…"
            self._status(f"{waiting} then to the first result", "italic dim")
            return
        if self.failed:
            return  # the status line says why
        results = self.result_list
        option = results.highlighted_option
        if option is None and results.option_count:
            option = results.get_option_at_index(0)
        if option is None or option.id is None:
            self._status("nothing found", "yellow")
            return
        self._leave(self.results[option.id])

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._leave(self.results.get(event.option.id))

    def action_close(self) -> None:
        self._leave(None)

    def _leave(self, entry: FileSystemEntry | None) -> None:
        # A late answer (a click, a result arriving) after esc must not close another screen.
        if self.is_current:
            self.dismiss(entry)
