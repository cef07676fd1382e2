"""``/``: search the whole project with PostHog's search syntax; ``enter`` jumps to the
entry in the tree, ``esc`` returns."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.widgets.safe_input import SafeInput
from tui.models import FileSystemEntry

# Typing pauses this long before the server is asked.
SEARCH_DEBOUNCE_S = 0.25
RESULTS_LIMIT = 100

# Two lines, so that an 80-column dialog never wraps inside an example ("two words").
SYNTAX_HELP = (
    'name:x  path:x  type:insight  type:hog_function/  ref:x\nuser:me  "two words"  -negate'
)


def result_label(entry: FileSystemEntry) -> Text:
    label = Text()
    label.append(labels.icon(entry.type) + " ")
    label.append_text(labels.display_path(entry.path))
    if entry.shortcut:
        label.append(f" {labels.SHORTCUT_MARK}", style="italic dim")
    return label


class SearchScreen(ModalScreen[FileSystemEntry | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="search_close"),
        Binding("down", "focus_results", "Results", show=False, id="search_results"),
    ]

    def __init__(self, client: PostHogClient, query: str = "") -> None:
        super().__init__()
        self.client = client
        self.initial = query
        self.results: dict[str, FileSystemEntry] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield SafeInput(
                value=self.initial, placeholder="search the project…", id="search-input"
            )
            yield Static(Text(SYNTAX_HELP, style="dim"), id="search-help")
            yield OptionList(id="search-results")
            yield Static("", id="search-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial:
            self._search(self.initial)

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0

    @work(exclusive=True, group="search")
    async def _search(self, query: str) -> None:
        status = self.query_one("#search-status", Static)
        results = self.query_one(OptionList)
        if not query.strip():
            results.clear_options()
            status.update("")
            return
        await asyncio.sleep(SEARCH_DEBOUNCE_S)
        status.update(Text("searching…", style="italic dim"))
        try:
            page = await self.client.search(query, limit=RESULTS_LIMIT)
        except ApiError as error:
            status.update(Text(labels.visible(error.message), style="red"))
            return
        results.clear_options()
        self.results = {entry.id: entry for entry in page.results}
        for entry in page.results:
            results.add_option(Option(result_label(entry), id=entry.id))
        shown = len(page.results)
        more = f" (first {shown})" if page.count > shown else ""
        status.update(Text(f"{page.count:,} found{more} · enter: go to · esc: back", style="dim"))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.results.get(event.option.id))

    def action_focus_results(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            if results.highlighted is None:
                results.highlighted = 0

    def action_close(self) -> None:
        self.dismiss(None)
